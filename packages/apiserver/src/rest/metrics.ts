// Request metrics named as kube-apiserver names them: count and latency by verb, resource
// and code, and the number of open watches.
import { Counter, Gauge, Histogram, type Registry } from 'prom-client';

export interface RestMetrics {
  requests: Counter<'verb' | 'resource' | 'subresource' | 'code'>;
  latency: Histogram<'verb' | 'resource' | 'subresource'>;
  watches: Gauge<'resource'>;
  /** One finished request: its count, and its latency unless it is a WATCH or CONNECT. */
  record(verb: string, resource: string, subresource: string, code: number, seconds: number): void;
}

// prom-client hashes a label object on every inc/observe; a request's few label sets repeat,
// so their children are kept (the series themselves are the same).
type Counted = { inc(): void };
type Observed = { observe(v: number): void };

function reuse<T>(registry: Registry, name: string, make: () => T): T {
  return (registry.getSingleMetric(name) as T | undefined) ?? make();
}

export function restMetrics(registry: Registry): RestMetrics {
  const counted = new Map<string, Counted>();
  const observed = new Map<string, Observed>();
  const m: Omit<RestMetrics, 'record'> = {
    requests: reuse(registry, 'apiserver_request_total', () =>
      new Counter({ name: 'apiserver_request_total', help: 'Counter of apiserver requests broken out by verb, resource and HTTP response code.', labelNames: ['verb', 'resource', 'subresource', 'code'], registers: [registry] }),
    ),
    latency: reuse(registry, 'apiserver_request_duration_seconds', () =>
      new Histogram({
        name: 'apiserver_request_duration_seconds',
        help: 'Response latency distribution in seconds for each verb and resource.',
        labelNames: ['verb', 'resource', 'subresource'],
        buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60],
        registers: [registry],
      }),
    ),
    watches: reuse(registry, 'apiserver_registered_watchers', () =>
      new Gauge({ name: 'apiserver_registered_watchers', help: 'Number of currently open REST watches for a given resource.', labelNames: ['resource'], registers: [registry] }),
    ),
  };
  return {
    ...m,
    record(verb, resource, subresource, code, seconds) {
      const key = `${verb} ${resource} ${subresource}`;
      const countKey = `${key} ${code}`;
      let c = counted.get(countKey);
      if (!c) counted.set(countKey, (c = m.requests.labels({ verb, resource, subresource, code: String(code) })));
      c.inc();
      if (verb === 'WATCH' || verb === 'CONNECT') return;
      let o = observed.get(key);
      if (!o) observed.set(key, (o = m.latency.labels({ verb, resource, subresource })));
      o.observe(seconds);
    },
  };
}
