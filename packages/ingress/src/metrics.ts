// The controller's Prometheus metrics, on its ops server's registry. The ingress label is
// the matched Ingress's namespace/name ("" when none matched), so its values are bounded by
// the Ingresses that exist.
import { Counter, Gauge, Histogram, type Registry } from 'prom-client';

export interface IngressMetrics {
  requests: Counter<'code' | 'ingress'>;
  duration: Histogram<'ingress'>;
  upstreamErrors: Counter<'ingress'>;
  malformed: Counter;
  ingresses: Gauge;
  statusWrites: Counter<'result'>;
}

export function ingressMetrics(registry: Registry): IngressMetrics {
  const registers = [registry];
  return {
    requests: new Counter({ name: 'k8ts_ingress_requests_total', help: 'HTTP requests answered, by status code and matched Ingress', labelNames: ['code', 'ingress'], registers }),
    duration: new Histogram({ name: 'k8ts_ingress_request_duration_seconds', help: 'Time from a request to the end of its answer', labelNames: ['ingress'], registers }),
    upstreamErrors: new Counter({ name: 'k8ts_ingress_upstream_errors_total', help: 'Requests a backend endpoint failed (answered 502)', labelNames: ['ingress'], registers }),
    malformed: new Counter({ name: 'k8ts_ingress_malformed_requests_total', help: 'Connections closed for a request the HTTP parser refused', registers }),
    ingresses: new Gauge({ name: 'k8ts_ingress_ingresses', help: 'Ingresses this controller serves', registers }),
    statusWrites: new Counter({ name: 'k8ts_ingress_status_writes_total', help: 'Ingress status updates, by result', labelNames: ['result'], registers }),
  };
}
