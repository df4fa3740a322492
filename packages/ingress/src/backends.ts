// From a matched backend to the addresses a request may go to: the Service's port (by the
// Ingress's port number or name), then the ready endpoints of the EndpointSlices labelled
// with the Service's name, on the slice port named like the Service port. Endpoints with no
// ready condition count as ready, as in kube-proxy.
import type { KubeObject } from '@k8ts/api';
import type { Backend } from './routes.js';

export const SERVICE_NAME_LABEL = 'kubernetes.io/service-name';

export interface Endpoint {
  ip: string;
  port: number;
}

/** Why a backend has nowhere to send to: the controller answers 503 with it. */
export type Unavailable = 'ResourceBackendUnsupported' | 'ServiceNotFound' | 'ServicePortNotFound' | 'NoReadyEndpoints';

export interface BackendLookup {
  service(namespace: string, name: string): KubeObject | undefined;
  /** The EndpointSlices of a Service (its namespace and the service-name label). */
  slices(namespace: string, service: string): readonly KubeObject[];
}

export function resolveEndpoints(b: Backend, lookup: BackendLookup): Endpoint[] | Unavailable {
  if (!b.service) return 'ResourceBackendUnsupported';
  const svc = lookup.service(b.namespace, b.service.name) as any;
  if (!svc) return 'ServiceNotFound';
  const ports: any[] = Array.isArray(svc.spec?.ports) ? svc.spec.ports : [];
  const want = b.service.port;
  const sp = ports.find((p) => (want.number !== undefined ? p?.port === want.number : want.name !== undefined && p?.name === want.name));
  if (!sp || (sp.protocol ?? 'TCP') !== 'TCP') return 'ServicePortNotFound';
  const portName = sp.name ?? '';
  const out: Endpoint[] = [];
  const seen = new Set<string>();
  for (const slice of lookup.slices(b.namespace, b.service.name) as any[]) {
    if (slice.addressType !== 'IPv4' && slice.addressType !== 'IPv6') continue;
    const port = (Array.isArray(slice.ports) ? slice.ports : []).find((p: any) => (p?.name ?? '') === portName && (p?.protocol ?? 'TCP') === 'TCP');
    if (typeof port?.port !== 'number') continue;
    for (const e of Array.isArray(slice.endpoints) ? slice.endpoints : []) {
      if (e?.conditions?.ready === false) continue;
      const ip = e?.addresses?.[0];
      if (typeof ip !== 'string' || seen.has(`${ip}:${port.port}`)) continue;
      seen.add(`${ip}:${port.port}`);
      out.push({ ip, port: port.port });
    }
  }
  return out.length ? out : 'NoReadyEndpoints';
}
