// upstream's ReplicaCalculator (pkg/controller/podautoscaler/replica_calculator.go) for
// resource metrics: desired = ceil(ratio × pods counted), no change within the tolerance;
// pods without metrics count as 100 % of their request on a scale-down and 0 % on a
// scale-up, unready pods as 0 % on a scale-up; a change the fill-ins would turn around is
// no change. Values are milli-units (cores × 1000, bytes × 1000) as upstream's MilliValue.
import { parseQuantity, type Pod } from '@k8ts/api';

export interface PodMetric {
  /** milli-units */
  value: number;
  timestampMs: number;
  windowMs: number;
}

export type PodMetrics = Map<string, PodMetric>;

export interface CalculatorOptions {
  tolerance: number;
  cpuInitializationPeriodMs: number;
  initialReadinessDelayMs: number;
  now: () => number;
}

/** An error whose message is upstream's; the caller words the condition and events around it. */
export class CalculationError extends Error {}

interface Groups {
  readyPodCount: number;
  unready: Set<string>;
  missing: Set<string>;
  ignored: Set<string>;
}

export function groupPods(pods: Pod[], metrics: PodMetrics, resource: string, o: CalculatorOptions): Groups {
  const g: Groups = { readyPodCount: 0, unready: new Set(), missing: new Set(), ignored: new Set() };
  const now = o.now();
  for (const pod of pods) {
    const name = pod.metadata.name!;
    if (pod.metadata.deletionTimestamp || pod.status?.phase === 'Failed') {
      g.ignored.add(name);
      continue;
    }
    if (pod.status?.phase === 'Pending') {
      g.unready.add(name);
      continue;
    }
    const metric = metrics.get(name);
    if (!metric) {
      g.missing.add(name);
      continue;
    }
    if (resource === 'cpu') {
      const ready = pod.status?.conditions?.find((c) => c.type === 'Ready');
      const start = pod.status?.startTime ? Date.parse(pod.status.startTime) : NaN;
      let unready: boolean;
      if (!ready || Number.isNaN(start)) unready = true;
      else {
        const transition = Date.parse(ready.lastTransitionTime ?? '') || 0;
        if (start + o.cpuInitializationPeriodMs > now) {
          // Within the initialisation period: unready, or no full window since it became ready.
          unready = ready.status === 'False' || metric.timestampMs < transition + metric.windowMs;
        } else {
          // Unready and never ready since it started.
          unready = ready.status === 'False' && start + o.initialReadinessDelayMs > transition;
        }
      }
      if (unready) {
        g.unready.add(name);
        continue;
      }
    }
    g.readyPodCount++;
  }
  return g;
}

/** Each pod's request of `resource` (milli), summing its containers (and sidecars); a container without one is an error. */
export function podRequests(pods: Pod[], resource: string, container = ''): Map<string, number> {
  const out = new Map<string, number>();
  for (const pod of pods) {
    const containers = [...(pod.spec?.containers ?? []), ...(pod.spec?.initContainers ?? []).filter((c) => c.restartPolicy === 'Always')];
    let sum = 0;
    for (const c of containers) {
      if (container && container !== c.name) continue;
      const q = c.resources?.requests?.[resource];
      if (q === undefined || q === null) throw new CalculationError(`missing request for ${resource} in container ${c.name} of Pod ${pod.metadata.name}`);
      sum += milliValue(q);
    }
    out.set(pod.metadata.name!, sum);
  }
  return out;
}

/** Quantity.MilliValue(): rounded up to a whole milli-unit. */
export function milliValue(q: string | number): number {
  return Math.ceil(Math.round(parseQuantity(q) * 1e6) / 1e3);
}

/** GetResourceUtilizationRatio: ratio to the target, utilisation in whole percent, raw average (milli). */
export function utilizationRatio(metrics: PodMetrics, requests: Map<string, number>, target: number): { ratio: number; utilization: number; rawAverage: number } {
  let metricsTotal = 0;
  let requestsTotal = 0;
  let n = 0;
  for (const [pod, m] of metrics) {
    const r = requests.get(pod);
    if (r === undefined) continue; // extraneous metrics
    metricsTotal += m.value;
    requestsTotal += r;
    n++;
  }
  if (requestsTotal === 0) throw new CalculationError('no metrics returned matched known pods');
  const utilization = Math.trunc((metricsTotal * 100) / requestsTotal);
  return { ratio: utilization / target, utilization, rawAverage: Math.trunc(metricsTotal / n) };
}

function usageRatio(metrics: PodMetrics, target: number): { ratio: number; average: number } {
  let total = 0;
  for (const m of metrics.values()) total += m.value;
  const average = Math.trunc(total / metrics.size);
  return { ratio: average / target, average };
}

function dropPods(metrics: PodMetrics, names: Set<string>): void {
  for (const n of names) metrics.delete(n);
}

export interface UtilizationResult {
  replicas: number;
  utilization: number;
  rawAverage: number;
}

/** GetResourceReplicas: replicas for a target utilisation (percent of request). */
export function resourceReplicas(currentReplicas: number, target: number, resource: string, pods: Pod[], podMetrics: PodMetrics, o: CalculatorOptions, container = ''): UtilizationResult {
  if (pods.length === 0) throw new CalculationError('no pods returned by selector while calculating replica count');
  const metrics: PodMetrics = new Map(podMetrics);
  const g = groupPods(pods, metrics, resource, o);
  dropPods(metrics, g.ignored);
  dropPods(metrics, g.unready);
  if (metrics.size === 0) throw new CalculationError('did not receive metrics for targeted pods (pods might be unready)');
  const requests = podRequests(pods, resource, container);
  const { ratio, utilization, rawAverage } = utilizationRatio(metrics, requests, target);
  const same = { replicas: currentReplicas, utilization, rawAverage };
  const scaleUpWithUnready = g.unready.size > 0 && ratio > 1;
  if (!scaleUpWithUnready && g.missing.size === 0) {
    if (Math.abs(1 - ratio) <= o.tolerance) return same;
    return { replicas: Math.ceil(ratio * g.readyPodCount), utilization, rawAverage };
  }
  if (g.missing.size > 0) {
    if (ratio < 1) {
      const fallback = Math.max(100, target);
      for (const p of g.missing) metrics.set(p, { value: Math.trunc(((requests.get(p) ?? 0) * fallback) / 100), timestampMs: 0, windowMs: 0 });
    } else if (ratio > 1) {
      for (const p of g.missing) metrics.set(p, { value: 0, timestampMs: 0, windowMs: 0 });
    }
  }
  if (scaleUpWithUnready) for (const p of g.unready) metrics.set(p, { value: 0, timestampMs: 0, windowMs: 0 });
  const next = utilizationRatio(metrics, requests, target).ratio;
  if (Math.abs(1 - next) <= o.tolerance || (ratio < 1 && next > 1) || (ratio > 1 && next < 1)) return same;
  const replicas = Math.ceil(next * metrics.size);
  if ((next < 1 && replicas > currentReplicas) || (next > 1 && replicas < currentReplicas)) return same;
  return { replicas, utilization, rawAverage };
}

/** GetRawResourceReplicas (calcPlainMetricReplicas): replicas for a target average value (milli). */
export function rawResourceReplicas(currentReplicas: number, targetUsage: number, resource: string, pods: Pod[], podMetrics: PodMetrics, o: CalculatorOptions): { replicas: number; usage: number } {
  if (pods.length === 0) throw new CalculationError('no pods returned by selector while calculating replica count');
  const metrics: PodMetrics = new Map(podMetrics);
  const g = groupPods(pods, metrics, resource, o);
  dropPods(metrics, g.ignored);
  dropPods(metrics, g.unready);
  if (metrics.size === 0) throw new CalculationError('did not receive metrics for targeted pods (pods might be unready)');
  const { ratio, average } = usageRatio(metrics, targetUsage);
  const same = { replicas: currentReplicas, usage: average };
  const scaleUpWithUnready = g.unready.size > 0 && ratio > 1;
  if (!scaleUpWithUnready && g.missing.size === 0) {
    if (Math.abs(1 - ratio) <= o.tolerance) return same;
    return { replicas: Math.ceil(ratio * g.readyPodCount), usage: average };
  }
  if (g.missing.size > 0) for (const p of g.missing) metrics.set(p, { value: ratio < 1 ? targetUsage : 0, timestampMs: 0, windowMs: 0 });
  if (scaleUpWithUnready) for (const p of g.unready) metrics.set(p, { value: 0, timestampMs: 0, windowMs: 0 });
  const next = usageRatio(metrics, targetUsage).ratio;
  if (Math.abs(1 - next) <= o.tolerance || (ratio < 1 && next > 1) || (ratio > 1 && next < 1)) return same;
  const replicas = Math.ceil(next * metrics.size);
  if ((next < 1 && replicas > currentReplicas) || (next > 1 && replicas < currentReplicas)) return same;
  return { replicas, usage: average };
}
