// The HorizontalPodAutoscaler controller (pkg/controller/podautoscaler/horizontal.go):
// every sync period each HPA reads its target's scale subresource, computes the replicas
// its resource metrics ask for (replica-calculator.ts), bounds them by min/max, the
// stabilization windows and the scaling policies (behavior.ts), writes the scale, and
// reports status, conditions and events in upstream's words.
import { deepCopy, findResource, objectKey, parseLabelSelector, resourceForKind, rfc3339, splitObjectKey, type KubeObject, type Pod } from '@k8ts/api';
import type { ControllerContext, Lister, Queue } from '../framework/types.js';
import { jsonEqual } from '../util/objects.js';
import { CalculationError, milliValue, rawResourceReplicas, resourceReplicas, type CalculatorOptions } from './replica-calculator.js';
import { ScalingHistory, type Behavior, type Decision } from './behavior.js';
import { setCondition, type HpaCondition } from './conditions.js';
import type { MetricsSource } from './metrics-client.js';

type Obj = Record<string, any>;
type Hpa = KubeObject & { spec: Obj; status?: Obj };

export interface HpaOptions {
  /** --horizontal-pod-autoscaler-sync-period (15 s). */
  syncPeriodMs: number;
  /** --horizontal-pod-autoscaler-downscale-stabilization (5 min). */
  downscaleStabilizationMs: number;
  /** --horizontal-pod-autoscaler-tolerance (0.1). */
  tolerance: number;
  /** --horizontal-pod-autoscaler-cpu-initialization-period (5 min). */
  cpuInitializationPeriodMs: number;
  /** --horizontal-pod-autoscaler-initial-readiness-delay (30 s). */
  initialReadinessDelayMs: number;
}

export const defaultHpaOptions: HpaOptions = { syncPeriodMs: 15_000, downscaleStabilizationMs: 300_000, tolerance: 0.1, cpuInitializationPeriodMs: 300_000, initialReadinessDelayMs: 30_000 };

interface MetricResult {
  replicas: number;
  name: string;
  status: Obj;
}

/** A failed metric: the error upstream returns and the condition it sets. */
class MetricError extends Error {
  constructor(
    message: string,
    readonly condition: [string, string],
  ) {
    super(message);
  }
}

export class HorizontalController {
  static readonly controllerName = 'horizontalpodautoscaling';
  private readonly now: () => number;
  private readonly history: ScalingHistory;
  private readonly calc: CalculatorOptions;

  constructor(
    private readonly ctx: ControllerContext,
    private readonly listers: { hpas: Lister<Hpa>; pods: Lister<Pod> },
    private readonly queue: Queue,
    private readonly metrics: MetricsSource,
    private readonly o: HpaOptions = defaultHpaOptions,
  ) {
    this.now = ctx.now ?? Date.now;
    this.history = new ScalingHistory(this.now, o.downscaleStabilizationMs);
    this.calc = { tolerance: o.tolerance, cpuInitializationPeriodMs: o.cpuInitializationPeriodMs, initialReadinessDelayMs: o.initialReadinessDelayMs, now: this.now };
  }

  onHpa = (hpa: KubeObject) => this.queue.add(objectKey(hpa));
  updateHpa = (old: KubeObject, cur: KubeObject) => {
    // A status write of our own changes nothing we act on; the resync comes anyway.
    if (old.metadata.generation === cur.metadata.generation && jsonEqual(old.metadata.labels, cur.metadata.labels)) return;
    this.queue.add(objectKey(cur));
  };
  deleteHpa = (obj: unknown) => {
    const o = (obj as { obj?: KubeObject }).obj ?? (obj as KubeObject);
    if (o?.metadata) this.history.forget(objectKey(o));
  };

  async sync(key: string): Promise<void> {
    const { namespace, name } = splitObjectKey(key);
    const cached = this.listers.hpas.get(namespace, name);
    if (!cached || cached.metadata.deletionTimestamp) {
      this.history.forget(key);
      return;
    }
    try {
      await this.reconcile(key, deepCopy(cached));
    } finally {
      this.queue.addAfter(key, this.o.syncPeriodMs);
    }
  }

  // long: upstream's reconcileAutoscaler, one pass from the scale read to the status write,
  // its branches each setting the conditions and events upstream sets at that point.
  private async reconcile(key: string, hpa: Hpa): Promise<void> {
    const original = deepCopy(hpa.status ?? {});
    const status: Obj = { ...(hpa.status ?? {}) };
    let conditions: HpaCondition[] = [...(status.conditions ?? [])];
    const cond = (type: string, ok: boolean, reason: string, message: string) => (conditions = setCondition(conditions, type, ok, reason, message, this.now()));
    const write = async (current: number, desired: number, metrics: Obj[] | undefined, rescaled: boolean) => {
      const next: Obj = { currentReplicas: current, desiredReplicas: desired, conditions };
      if (hpa.metadata.generation !== undefined) next.observedGeneration = hpa.metadata.generation;
      const last = rescaled ? rfc3339(this.now()) : status.lastScaleTime;
      if (last) next.lastScaleTime = last;
      if (metrics && metrics.length) next.currentMetrics = metrics;
      if (jsonEqual(original, next)) return;
      await this.ctx.client.update('horizontalpodautoscalers', { ...hpa, status: next }, { subresource: 'status' });
    };

    const ref: Obj = hpa.spec.scaleTargetRef ?? {};
    const reference = `${ref.kind}/${hpa.metadata.namespace}/${ref.name}`;
    let scale: Obj;
    let resource: string;
    try {
      resource = this.targetResource(ref);
      scale = await this.ctx.client.get(resource, hpa.metadata.namespace!, ref.name, 'scale');
    } catch (e) {
      const msg = (e as Error).message;
      this.ctx.recorder.event(hpa, 'Warning', 'FailedGetScale', msg);
      cond('AbleToScale', false, 'FailedGetScale', `the HPA controller was unable to get the target's current scale: ${msg}`);
      await write(status.currentReplicas ?? 0, status.desiredReplicas ?? 0, status.currentMetrics, false);
      this.ctx.logger.info({ object: key, reason: 'FailedGetScale', target: reference, err: msg }, 'failed to query scale subresource');
      return;
    }
    cond('AbleToScale', true, 'SucceededGetScale', "the HPA controller was able to get the target's current scale");
    const current: number = scale.spec?.replicas ?? 0;
    this.history.recordInitial(key, current);
    const min: number = hpa.spec.minReplicas ?? 1;
    const max: number = hpa.spec.maxReplicas;
    let desired = 0;
    let reason = '';
    let rescale = true;
    let metricStatuses: Obj[] | undefined;

    if (current === 0 && min !== 0) {
      rescale = false;
      cond('ScalingActive', false, 'ScalingDisabled', 'scaling is disabled since the replica count of the target is zero');
    } else if (current > max) {
      reason = 'Current number of replicas above Spec.MaxReplicas';
      desired = max;
    } else if (current < min) {
      reason = 'Current number of replicas below Spec.MinReplicas';
      desired = min;
    } else {
      const computed = await this.computeReplicas(hpa, scale, cond);
      metricStatuses = computed.statuses;
      if (computed.error && computed.replicas === -1) {
        await write(current, status.desiredReplicas ?? 0, metricStatuses, false);
        this.ctx.recorder.event(hpa, 'Warning', 'FailedComputeMetricsReplicas', computed.error);
        this.ctx.logger.info({ object: key, reason: 'FailedComputeMetricsReplicas', err: computed.error }, 'failed to compute desired number of replicas');
        return;
      }
      desired = computed.replicas;
      if (desired > current) reason = `${computed.metric} above target`;
      if (desired < current) reason = 'All metrics below target';
      const behavior = hpa.spec.behavior as Behavior | undefined;
      const d: Decision = behavior ? this.history.normalizeWithBehavior(key, behavior, current, desired, min, max) : this.history.normalize(key, current, desired, min, max);
      cond('AbleToScale', true, ...d.able);
      cond('ScalingLimited', d.limited[0], d.limited[1], d.limited[2]);
      desired = d.replicas;
      rescale = desired !== current;
    }

    if (rescale) {
      try {
        // An update of the scale subresource (RBAC: update */scale), holding the resourceVersion read.
        await this.ctx.client.update(resource, { ...scale, metadata: { ...scale.metadata, namespace: hpa.metadata.namespace, name: ref.name }, spec: { ...scale.spec, replicas: desired } } as KubeObject, { subresource: 'scale' });
      } catch (e) {
        const msg = (e as Error).message;
        this.ctx.recorder.event(hpa, 'Warning', 'FailedRescale', `New size: ${desired}; reason: ${reason}; error: ${msg}`);
        cond('AbleToScale', false, 'FailedUpdateScale', `the HPA controller was unable to update the target scale: ${msg}`);
        await write(current, status.desiredReplicas ?? 0, metricStatuses, false);
        return;
      }
      cond('AbleToScale', true, 'SucceededRescale', `the HPA controller was able to update the target scale to ${desired}`);
      this.ctx.recorder.event(hpa, 'Normal', 'SuccessfulRescale', `New size: ${desired}; reason: ${reason}`);
      this.history.storeScaleEvent(key, hpa.spec.behavior, current, desired);
      this.ctx.logger.info({ object: key, reason: 'SuccessfulRescale', target: reference, from: current, to: desired, why: reason }, 'successfully rescaled');
    } else desired = current;
    await write(current, desired, metricStatuses, rescale);
  }

  /** The target's resource from its kind and apiVersion, as the RESTMapper finds it. */
  private targetResource(ref: Obj): string {
    const [group, version] = String(ref.apiVersion ?? '').includes('/') ? String(ref.apiVersion).split('/') : ['', ref.apiVersion ?? ''];
    const info = resourceForKind(String(ref.kind ?? '')) ?? findResource(String(ref.kind ?? ''));
    if (!info || info.kind !== ref.kind || info.group !== group || (version && info.version !== version)) {
      throw new Error(`no matches for kind "${ref.kind}" in group "${group}"`);
    }
    return info.resource;
  }

  /** computeReplicasForMetrics: the largest proposal of the metrics that worked. */
  private async computeReplicas(hpa: Hpa, scale: Obj, cond: (type: string, ok: boolean, reason: string, message: string) => void): Promise<{ replicas: number; metric: string; statuses: Obj[]; error?: string }> {
    const selectorText: string = scale.status?.selector ?? '';
    if (!selectorText) {
      this.ctx.recorder.event(hpa, 'Warning', 'SelectorRequired', 'selector is required');
      cond('ScalingActive', false, 'InvalidSelector', "the HPA target's scale is missing a selector");
      return { replicas: -1, metric: '', statuses: [], error: 'selector is required' };
    }
    try {
      parseLabelSelector(selectorText);
    } catch (e) {
      const msg = `couldn't convert selector into a corresponding internal selector object: ${(e as Error).message}`;
      this.ctx.recorder.event(hpa, 'Warning', 'InvalidSelector', msg);
      cond('ScalingActive', false, 'InvalidSelector', msg);
      return { replicas: -1, metric: '', statuses: [], error: msg };
    }
    const specs: Obj[] = hpa.spec.metrics ?? [];
    const statuses: Obj[] = [];
    let replicas = 0;
    let metric = '';
    let invalid = 0;
    let firstError: MetricError | undefined;
    for (const spec of specs) {
      try {
        const r = await this.computeMetric(hpa, spec, scale.spec?.replicas ?? 0, selectorText);
        statuses.push(r.status);
        if (replicas === 0 || r.replicas > replicas) {
          replicas = r.replicas;
          metric = r.name;
        }
      } catch (e) {
        statuses.push({ type: '' });
        const err = e instanceof MetricError ? e : new MetricError((e as Error).message, ['FailedGetResourceMetric', `the HPA was unable to compute the replica count: ${(e as Error).message}`]);
        if (!firstError) firstError = err;
        invalid++;
      }
    }
    const shown = statuses.filter((s) => s.type);
    const error = firstError && `invalid metrics (${invalid} invalid out of ${specs.length}), first error is: ${firstError.message}`;
    if (firstError && (invalid >= specs.length || replicas < (scale.spec?.replicas ?? 0))) {
      cond('ScalingActive', false, ...firstError.condition);
      return { replicas: -1, metric: '', statuses: shown, error };
    }
    cond('ScalingActive', true, 'ValidMetricFound', `the HPA was able to successfully calculate a replica count from ${metric}`);
    return { replicas, metric, statuses: shown, error };
  }

  /** computeReplicasForMetric for Resource and ContainerResource sources. */
  private async computeMetric(hpa: Hpa, spec: Obj, current: number, selector: string): Promise<MetricResult> {
    const container = spec.type === 'ContainerResource';
    const src: Obj | undefined = container ? spec.containerResource : spec.resource;
    if ((spec.type !== 'Resource' && !container) || !src) {
      // Pods, Object and External metrics need a custom or external metrics API k8ts lacks.
      const reason = `FailedGet${spec.type ?? ''}Metric`;
      const msg = `unable to get metric: the server could not find the requested resource (${String(spec.type ?? '').toLowerCase()} metrics are not served)`;
      this.ctx.recorder.event(hpa, 'Warning', reason, msg);
      throw new MetricError(`failed to get ${String(spec.type ?? '').toLowerCase()} metric value: ${msg}`, [reason, `the HPA was unable to compute the replica count: ${msg}`]);
    }
    const name: string = src.name;
    const failReason = container ? 'FailedGetContainerResourceMetric' : 'FailedGetResourceMetric';
    const fail = (inner: string): never => {
      this.ctx.recorder.event(hpa, 'Warning', failReason, inner);
      throw new MetricError(`failed to get ${name} ${container ? 'container ' : ''}resource metric value: ${inner}`, [failReason, `the HPA was unable to compute the replica count: ${inner}`]);
    };
    const pods = this.podsOf(hpa.metadata.namespace!, selector);
    const target: Obj = src.target ?? {};
    const what = target.averageValue !== undefined && target.averageValue !== null ? 'usage' : 'utilization';
    let fetched;
    try {
      fetched = await this.metrics.resourceMetric(name, hpa.metadata.namespace!, selector, container ? src.container : '');
    } catch (e) {
      return fail(`failed to get ${name} ${what}: unable to get metrics for resource ${name}: ${(e as Error).message}`);
    }
    try {
      const statusName = container ? { name, container: src.container } : { name };
      const kind = container ? 'containerResource' : 'resource';
      if (what === 'usage') {
        const r = rawResourceReplicas(current, milliValue(target.averageValue), name, pods, fetched.metrics, this.calc);
        return { replicas: r.replicas, name: `${name} resource`, status: { type: spec.type, [kind]: { ...statusName, current: { averageValue: milliQuantity(r.usage) } } } };
      }
      if (target.averageUtilization === undefined || target.averageUtilization === null) {
        return fail('invalid resource metric source: neither an average utilization target nor an average value (usage) target was set');
      }
      const r = resourceReplicas(current, target.averageUtilization, name, pods, fetched.metrics, this.calc, container ? src.container : '');
      return {
        replicas: r.replicas,
        name: `${name} ${container ? 'container ' : ''}resource utilization (percentage of request)`,
        status: { type: spec.type, [kind]: { ...statusName, current: { averageUtilization: r.utilization, averageValue: milliQuantity(r.rawAverage) } } },
      };
    } catch (e) {
      if (e instanceof MetricError) throw e;
      if (!(e instanceof CalculationError)) throw e;
      return fail(`failed to get ${name} ${what}: ${e.message}`);
    }
  }

  private podsOf(namespace: string, selector: string): Pod[] {
    const m = parseLabelSelector(selector);
    return this.listers.pods.list(namespace).filter((p) => m.matches(p.metadata.labels ?? {}));
  }
}

/** resource.NewMilliQuantity(v, DecimalSI).String(): "250m", "2", "1500k"… */
export function milliQuantity(milli: number): string {
  if (milli % 1000 !== 0) return `${milli}m`;
  const v = milli / 1000;
  for (const [s, m] of [['E', 1e18], ['P', 1e15], ['T', 1e12], ['G', 1e9], ['M', 1e6], ['k', 1e3]] as [string, number][]) if (v !== 0 && v % m === 0) return `${v / m}${s}`;
  return String(v);
}
