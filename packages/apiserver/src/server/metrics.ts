// Prometheus metrics of the apiserver core: gRPC requests, registry watches, etcd calls.
// (The REST face keeps kube-apiserver's apiserver_request_* names for its own requests.)
import { Counter, Gauge, Histogram, Registry } from 'prom-client';

export class ApiServerMetrics {
  readonly registry: Registry;
  readonly requests: Counter<'verb' | 'resource' | 'code'>;
  readonly requestDuration: Histogram<'verb' | 'resource'>;
  readonly watchers: Gauge<'resource'>;
  readonly etcdDuration: Histogram<'operation'>;

  constructor(registry = new Registry()) {
    this.registry = registry;
    this.requests = new Counter({
      name: 'k8ts_grpc_requests_total',
      help: 'gRPC requests by verb, resource and HTTP code',
      labelNames: ['verb', 'resource', 'code'],
      registers: [registry],
    });
    this.requestDuration = new Histogram({
      name: 'k8ts_grpc_request_duration_seconds',
      help: 'gRPC request latency by verb and resource (watches: until the stream starts)',
      labelNames: ['verb', 'resource'],
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
      registers: [registry],
    });
    this.watchers = new Gauge({
      name: 'k8ts_registry_watchers',
      help: 'Open registry watches (both faces) by resource',
      labelNames: ['resource'],
      registers: [registry],
    });
    this.etcdDuration = new Histogram({
      name: 'etcd_request_duration_seconds',
      help: 'etcd call latency by operation',
      labelNames: ['operation'],
      buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1],
      registers: [registry],
    });
  }

  observeRequest(verb: string, resource: string, code: number, seconds: number): void {
    this.requests.inc({ verb, resource, code: String(code) });
    this.requestDuration.observe({ verb, resource }, seconds);
  }
}
