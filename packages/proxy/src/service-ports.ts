// What the proxy programs, derived from Services and Endpoints: one entry per Service
// port with its addresses and its ready endpoints.
import { specialIPv4, type KubeObject } from '@k8ts/api';

export type Protocol = 'tcp' | 'udp' | 'sctp';

export interface Endpoint {
  ip: string;
  port: number;
  nodeName?: string;
}

export interface ServicePortInfo {
  /** "namespace/name:portName" (portName may be empty), as kube-proxy names a service port. */
  name: string;
  protocol: Protocol;
  port: number;
  clusterIP: string;
  nodePort?: number;
  loadBalancerIPs: string[];
  externalIPs: string[];
  /** Seconds of ClientIP stickiness, 0 without session affinity. */
  affinitySeconds: number;
  externalLocal: boolean;
  endpoints: Endpoint[];
}

function endpointPort(subsetPorts: any[], portName: string, protocol: string): number | undefined {
  const ports = subsetPorts ?? [];
  const match = ports.find((p) => (p?.name ?? '') === portName && (p?.protocol ?? 'TCP') === protocol);
  if (match) return match.port;
  // An unnamed single port matches the Service's single port whatever its name.
  if (ports.length === 1 && !ports[0]?.name && !portName && (ports[0]?.protocol ?? 'TCP') === protocol) return ports[0].port;
  return undefined;
}

export function servicePorts(services: KubeObject[], endpoints: Map<string, KubeObject>): ServicePortInfo[] {
  const out: ServicePortInfo[] = [];
  for (const svc of services) {
    const spec = svc.spec ?? {};
    const type = spec.type ?? 'ClusterIP';
    if (type === 'ExternalName') continue;
    const clusterIP: string | undefined = spec.clusterIP;
    if (!clusterIP || clusterIP === 'None') continue;
    const ns = svc.metadata.namespace ?? 'default';
    const ep = endpoints.get(`${ns}/${svc.metadata.name}`);
    const lbIPs: string[] = type === 'LoadBalancer' ? (svc.status?.loadBalancer?.ingress ?? []).map((i: any) => i?.ip).filter((x: unknown) => typeof x === 'string' && x) : [];
    for (const p of spec.ports ?? []) {
      if (!p || !Number.isInteger(p.port)) continue;
      const protocol = String(p.protocol ?? 'TCP');
      const portName = p.name ?? '';
      const eps: Endpoint[] = [];
      const seen = new Set<string>();
      for (const subset of (ep?.subsets as any[] | undefined) ?? []) {
        const port = endpointPort(subset?.ports, portName, protocol);
        if (!port) continue;
        for (const a of subset.addresses ?? []) {
          if (!a?.ip) continue;
          const key = `${a.ip}:${port}`;
          if (seen.has(key)) continue;
          seen.add(key);
          eps.push({ ip: a.ip, port, nodeName: a.nodeName });
        }
      }
      eps.sort((a, b) => (a.ip === b.ip ? a.port - b.port : a.ip < b.ip ? -1 : 1));
      out.push({
        name: `${ns}/${svc.metadata.name}:${portName}`,
        protocol: protocol.toLowerCase() as Protocol,
        port: p.port,
        clusterIP,
        nodePort: (type === 'NodePort' || type === 'LoadBalancer') && p.nodePort ? p.nodePort : undefined,
        loadBalancerIPs: lbIPs,
        // an object stored before the apiserver refused loopback external IPs must not expose the host's own
        externalIPs: Array.isArray(spec.externalIPs) ? spec.externalIPs.filter((x: unknown) => typeof x === 'string' && !specialIPv4(x)) : [],
        affinitySeconds: spec.sessionAffinity === 'ClientIP' ? (spec.sessionAffinityConfig?.clientIP?.timeoutSeconds ?? 10800) : 0,
        externalLocal: spec.externalTrafficPolicy === 'Local' && (type === 'NodePort' || type === 'LoadBalancer'),
        endpoints: eps,
      });
    }
  }
  out.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : a.protocol < b.protocol ? -1 : 1));
  return out;
}
