// The cluster zone as records, built from Services, Endpoints and Pods (the Kubernetes
// DNS-based service discovery spec): ClusterIP and headless A records, SRV for named
// ports, CNAME for ExternalName, pod A records, PTR for Service addresses.
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

export function buildZone(zone: string, services: KubeObject[], endpoints: KubeObject[], pods: KubeObject[]): ZoneIndex {
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
  const epsByKey = new Map(endpoints.map((e) => [`${e.metadata.namespace}/${e.metadata.name}`, e]));
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
      const ep = epsByKey.get(`${ns}/${svc.metadata.name}`);
      for (const subset of (ep?.subsets as any[] | undefined) ?? []) {
        for (const addr of subset?.addresses ?? []) {
          if (!addr?.ip) continue;
          addA(base, addr.ip);
          const host = `${addr.hostname || dashed(addr.ip)}.${base}`;
          addA(host, addr.ip);
          for (const p of subset.ports ?? []) {
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
