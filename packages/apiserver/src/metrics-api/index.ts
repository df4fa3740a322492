// metrics.k8s.io/v1beta1 served by the apiserver itself. Upstream's metrics-server is an
// aggregated API server behind an APIService; k8ts has no aggregation layer, and the
// apiserver already holds every agent's tunnel, so it scrapes the agents and answers
// NodeMetrics and PodMetrics (get, list) from memory, as metrics-server does from its own.
import type { Logger } from 'pino';
import { apiError, type KubeObject } from '@k8ts/api';
import type { Registry } from '../registry/types.js';
import type { StreamTunnel } from '../tunnel/types.js';
import { MetricsStorage } from './storage.js';
import { Scraper } from './scraper.js';

export { MetricsStorage, decodeScrape, goDuration } from './storage.js';
export { parsePrometheusText } from './prometheus-text.js';
export { Scraper, scrapeNode } from './scraper.js';

export const NODE_METRICS = 'nodes.metrics.k8s.io';
export const POD_METRICS = 'pods.metrics.k8s.io';

/** metrics-server's NotFound: `podmetrics.metrics.k8s.io "ns/name" not found`. */
function notFound(resource: 'nodemetrics' | 'podmetrics', name: string): Error {
  return apiError(404, 'NotFound', `${resource}.metrics.k8s.io "${name}" not found`, { name, group: 'metrics.k8s.io', kind: resource });
}

export interface MetricsApiFlags {
  /** metrics-server's --metric-resolution: how often the agents are scraped (default 15 s). */
  metricResolutionMs?: number;
}

export interface MetricsApi {
  storage: MetricsStorage;
  scraper: Scraper;
  stop(): Promise<void>;
}

export function startMetricsApi(opts: { registry: Registry; tunnel: StreamTunnel; resolutionMs?: number; logger?: Logger }): MetricsApi {
  const storage = new MetricsStorage();
  // Pods and nodes as the registry has them: labels (for label selectors) and whether they
  // still exist (metrics of a deleted pod are not served), refreshed after each scrape.
  let podLabels = new Map<string, Record<string, string>>();
  let nodeLabels = new Map<string, Record<string, string>>();
  const refresh = async () => {
    const [pods, nodes] = await Promise.all([opts.registry.list('pods', {}), opts.registry.list('nodes', {})]);
    podLabels = new Map(pods.items.map((p) => [`${p.metadata.namespace}/${p.metadata.name}`, p.metadata.labels ?? {}]));
    nodeLabels = new Map(nodes.items.map((n) => [n.metadata.name!, n.metadata.labels ?? {}]));
  };
  const scraper = new Scraper({ tunnel: opts.tunnel, storage, resolutionMs: opts.resolutionMs ?? 15_000, logger: opts.logger, afterRound: refresh });

  const podMetrics = (key: string, containers: string[]): KubeObject | undefined => {
    const labels = podLabels.get(key);
    if (!labels) return undefined;
    const i = key.indexOf('/');
    return storage.podMetrics(key.slice(0, i), key.slice(i + 1), containers, labels);
  };
  opts.registry.registerComputed(NODE_METRICS, {
    get: (_ns, name) => (nodeLabels.has(name) ? storage.nodeMetrics(name, nodeLabels.get(name)) : undefined),
    list: () => storage.nodeNames().flatMap((n) => (nodeLabels.has(n) ? [storage.nodeMetrics(n, nodeLabels.get(n))] : [])).filter((x): x is KubeObject => !!x),
    notFound: (_ns, name) => notFound('nodemetrics', name),
  });
  opts.registry.registerComputed(POD_METRICS, {
    get: (ns, name) => {
      const key = `${ns}/${name}`;
      const containers = storage.pods().get(key);
      return containers && podMetrics(key, containers);
    },
    list: (ns) => {
      const out: KubeObject[] = [];
      for (const [key, containers] of [...storage.pods()].sort(([a], [b]) => a.localeCompare(b))) {
        if (ns && !key.startsWith(`${ns}/`)) continue;
        const m = podMetrics(key, containers);
        if (m) out.push(m);
      }
      return out;
    },
    notFound: (ns, name) => notFound('podmetrics', `${ns}/${name}`),
  });
  scraper.start();
  return { storage, scraper, stop: () => scraper.stop() };
}
