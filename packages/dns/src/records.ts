// The cluster zone as records, built from Services, EndpointSlices and Pods (the Kubernetes
// DNS-based service discovery spec): ClusterIP and headless A records, SRV for named
// ports, CNAME for ExternalName, pod A records, PTR for Service addresses. A headless
// Service's ready endpoints answer its name, and each one its own name under it: the
// endpoint's hostname (a StatefulSet pod's: web-0.web.ns.svc.cluster.local) or its dashed IP.
import { isPodTerminal, type KubeObject, type Pod } from '@k8ts/api';

export interface SrvTarget {
  target: string;
  port: number;
}

export interface NameEntry {
  a: string[];
  srv: SrvTarget[];
  cname?: string;
}

export interface ZoneIndex {
  names: Map<string, NameEntry>;
  /** Names that exist only as parents of others (e.g. "ns.svc.cluster.local"). */
  parents: Set<string>;
  /** "10.96.0.10" → "svc.ns.svc.cluster.local". */
  ptr: Map<string, string>;
}

export const dashed = (ip: string) => ip.replace(/\./g, '-');

export function normalize(name: string): string {
  return name.toLowerCase().replace(/\.$/, '');
}

interface Subset {
  addresses: { ip: string; hostname?: string }[];
  ports: { name?: string; port: number; protocol?: string }[];
}

/** A Service's ready endpoints, as CoreDNS reads them: from every slice labelled with its name. */
function subsetsBySlices(slices: KubeObject[]): Map<string, Subset[]> {
  const out = new Map<string, Subset[]>();
  for (const s of slices as any[]) {
    const svc = s?.metadata?.labels?.['kubernetes.io/service-name'];
    if (!svc || (s.addressType && s.addressType !== 'IPv4')) continue;
    const addresses: Subset['addresses'] = [];
    for (const e of Array.isArray(s.endpoints) ? s.endpoints : []) {
      if (e?.conditions?.ready === false) continue;
      for (const ip of Array.isArray(e?.addresses) ? e.addresses : []) if (typeof ip === 'string' && ip) addresses.push({ ip, ...(typeof e.hostname === 'string' && e.hostname ? { hostname: e.hostname } : {}) });
    }
    const key = `${s.metadata.namespace}/${svc}`;
    if (!out.has(key)) out.set(key, []);
    out.get(key)!.push({ addresses, ports: Array.isArray(s.ports) ? s.ports : [] });
  }
  return out;
}

export function buildZone(zone: string, services: KubeObject[], endpointSlices: KubeObject[], pods: KubeObject[]): ZoneIndex {
  const names = new Map<string, NameEntry>();
  const parents = new Set<string>();
  const ptr = new Map<string, string>();
  const entry = (name: string): NameEntry => {
    const n = normalize(name);
    let e = names.get(n);
    if (!e) {
      e = { a: [], srv: [] };
      names.set(n, e);
      // Every ancestor up to the zone exists as a name with no records of its own.
      for (let p = n.slice(n.indexOf('.') + 1); p.length >= zone.length && p !== n; p = p.slice(p.indexOf('.') + 1)) {
        parents.add(p);
        if (p === zone || !p.includes('.')) break;
      }
    }
    return e;
  };
  const addA = (name: string, ip: string) => {
    const e = entry(name);
    if (!e.a.includes(ip)) e.a.push(ip);
  };
  const subsetsByKey = subsetsBySlices(endpointSlices);
  const headless = new Set<string>();

  for (const svc of services) {
    const ns = svc.metadata.namespace ?? 'default';
    const base = `${svc.metadata.name}.${ns}.svc.${zone}`;
    const spec = svc.spec ?? {};
    if (spec.type === 'ExternalName') {
      if (typeof spec.externalName === 'string' && spec.externalName) entry(base).cname = normalize(spec.externalName);
      continue;
    }
    const ports: any[] = Array.isArray(spec.ports) ? spec.ports : [];
    if (spec.clusterIP === 'None') {
      headless.add(`${ns}/${svc.metadata.name}`);
      entry(base);
      for (const subset of subsetsByKey.get(`${ns}/${svc.metadata.name}`) ?? []) {
        for (const addr of subset.addresses) {
          if (!addr?.ip) continue;
          addA(base, addr.ip);
          const host = `${addr.hostname || dashed(addr.ip)}.${base}`;
          addA(host, addr.ip);
          for (const p of subset.ports) {
            if (!p?.name) continue;
            entry(`_${p.name}._${String(p.protocol ?? 'TCP').toLowerCase()}.${base}`).srv.push({ target: host, port: p.port });
          }
        }
      }
      continue;
    }
    if (!spec.clusterIP) continue;
    addA(base, spec.clusterIP);
    ptr.set(spec.clusterIP, base);
    for (const p of ports) {
      if (!p?.name) continue;
      entry(`_${p.name}._${String(p.protocol ?? 'TCP').toLowerCase()}.${base}`).srv.push({ target: base, port: p.port });
    }
  }

  for (const pod of pods) {
    const ip = pod.status?.podIP;
    if (!ip || pod.spec?.hostNetwork) continue;
    if (isPodTerminal(pod as Pod)) continue;
    const ns = pod.metadata.namespace ?? 'default';
    addA(`${dashed(ip)}.${ns}.pod.${zone}`, ip);
    // hostname + subdomain naming a headless Service: <hostname>.<subdomain>.<ns>.svc.<zone>.
    const sub = pod.spec?.subdomain;
    if (sub && headless.has(`${ns}/${sub}`)) addA(`${pod.spec?.hostname || pod.metadata.name}.${sub}.${ns}.svc.${zone}`, ip);
  }
  parents.add(zone);
  return { names, parents, ptr };
}

/** "4.3.2.1.in-addr.arpa" → "1.2.3.4". */
export function reverseToIp(name: string): string | undefined {
  const m = /^(\d+)\.(\d+)\.(\d+)\.(\d+)\.in-addr\.arpa$/.exec(normalize(name));
  return m ? `${m[4]}.${m[3]}.${m[2]}.${m[1]}` : undefined;
}
