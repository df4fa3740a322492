// Prometheus metrics of the apiserver, named after kube-apiserver's. Both faces record
// requests here (label `face`: grpc or rest).
import { Counter, Gauge, Histogram, Registry } from 'prom-client';

export class ApiServerMetrics {
  readonly registry: Registry;
  readonly requests: Counter<'face' | 'verb' | 'resource' | 'code'>;
  readonly requestDuration: Histogram<'face' | 'verb' | 'resource'>;
  readonly watchers: Gauge<'resource'>;
  readonly etcdDuration: Histogram<'operation'>;

  constructor(registry = new Registry()) {
    this.registry = registry;
    this.requests = new Counter({
      name: 'apiserver_request_total',
      help: 'Requests by face, verb, resource and HTTP code',
      labelNames: ['face', 'verb', 'resource', 'code'],
      registers: [registry],
    });
    this.requestDuration = new Histogram({
      name: 'apiserver_request_duration_seconds',
      help: 'Request latency by face, verb and resource (watches: until the stream starts)',
      labelNames: ['face', 'verb', 'resource'],
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
      registers: [registry],
    });
    this.watchers = new Gauge({
      name: 'apiserver_registered_watchers',
      help: 'Open watches by resource',
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

  observeRequest(face: string, verb: string, resource: string, code: number, seconds: number): void {
    this.requests.inc({ face, verb, resource, code: String(code) });
    this.requestDuration.observe({ face, verb, resource }, seconds);
  }
}
