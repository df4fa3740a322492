// upstream's resource metrics client (pkg/controller/podautoscaler/metrics): PodMetrics of
// the pods a selector picks, from metrics.k8s.io, summed over each pod's containers (or
// one container's) in milli-units. A pod whose containers lack the resource is left out.
import { parseDuration, type KubeObject } from '@k8ts/api';
import type { Client } from '@k8ts/client';
import { CalculationError, milliValue, type PodMetrics } from './replica-calculator.js';

/** Where the controller gets pod metrics from; a fake in unit tests. */
export interface MetricsSource {
  resourceMetric(resource: string, namespace: string, selector: string, container?: string): Promise<{ metrics: PodMetrics; timestampMs: number }>;
}

/** The key the registry serves metrics.k8s.io PodMetrics under (resources.ts). */
export const POD_METRICS = 'pods.metrics.k8s.io';

interface ContainerMetrics {
  name: string;
  usage?: Record<string, string>;
}

export function podMetricsOf(items: KubeObject[], resource: string, container = ''): { metrics: PodMetrics; timestampMs: number } {
  if (items.length === 0) throw new CalculationError('no metrics returned from resource metrics API');
  const metrics: PodMetrics = new Map();
  for (const m of items) {
    const containers = ((m as unknown as { containers?: ContainerMetrics[] }).containers ?? []);
    let sum = 0;
    let missing = containers.length === 0;
    for (const c of containers) {
      if (container && c.name !== container) continue;
      const q = c.usage?.[resource];
      if (q === undefined) {
        missing = true;
        break;
      }
      sum += milliValue(q);
    }
    if (missing) continue;
    const o = m as unknown as { timestamp?: string; window?: string };
    metrics.set(m.metadata.name!, { value: sum, timestampMs: Date.parse(o.timestamp ?? '') || 0, windowMs: windowMs(o.window) });
  }
  const first = items[0] as unknown as { timestamp?: string };
  return { metrics, timestampMs: Date.parse(first.timestamp ?? '') || 0 };
}

function windowMs(w: string | undefined): number {
  try {
    return w ? parseDuration(w) : 0;
  } catch {
    return 0;
  }
}

export class ApiMetricsSource implements MetricsSource {
  constructor(private readonly client: Client) {}

  async resourceMetric(resource: string, namespace: string, selector: string, container = ''): Promise<{ metrics: PodMetrics; timestampMs: number }> {
    let items: KubeObject[];
    try {
      items = (await this.client.list(POD_METRICS, { namespace, labelSelector: selector })).items;
    } catch (e) {
      throw new CalculationError(`unable to fetch metrics from resource metrics API: ${(e as Error).message}`);
    }
    return podMetricsOf(items, resource, container);
  }
}
