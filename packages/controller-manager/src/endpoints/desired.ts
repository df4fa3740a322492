// What a Service's Endpoints and EndpointSlices should hold, computed from the pods its
// selector picks (endpoints_controller.go, endpointslice reconciler).
import type { Pod, Service, ServicePort, EndpointSubset, EndpointAddress, EndpointPort } from '@k8ts/api';
import { isPodReady, serviceSelectsLabels } from '@k8ts/api';

/** podutil.FindPort: a targetPort by number, or by the name of a container port. */
export function findPort(pod: Pod, sp: ServicePort): number | undefined {
  const tp = sp.targetPort ?? sp.port;
  const proto = sp.protocol ?? 'TCP';
  if (typeof tp === 'number') return tp;
  if (/^\d+$/.test(tp)) return Number(tp);
  for (const c of pod.spec?.containers ?? []) for (const p of c.ports ?? []) if (p.name === tp && (p.protocol ?? 'TCP') === proto) return p.containerPort;
  return undefined;
}

/** Not-ready pods are listed unless they will never run again. */
function shouldBeInEndpoints(pod: Pod, includeTerminating: boolean): boolean {
  if (!pod.status?.podIP) return false;
  if (!includeTerminating && pod.metadata.deletionTimestamp) return false;
  const phase = pod.status?.phase;
  const rp = pod.spec?.restartPolicy ?? 'Always';
  if (rp === 'Never') return phase !== 'Failed' && phase !== 'Succeeded';
  if (rp === 'OnFailure') return phase !== 'Succeeded';
  return true;
}

export function selectedPods(svc: Service, pods: Pod[]): Pod[] {
  return pods.filter((p) => serviceSelectsLabels(svc.spec?.selector, p.metadata.labels));
}

function address(pod: Pod, svc: Service): EndpointAddress {
  const a: EndpointAddress = { ip: pod.status!.podIP! };
  if (pod.spec?.nodeName) a.nodeName = pod.spec.nodeName;
  if (pod.spec?.hostname && pod.spec.subdomain === svc.metadata.name && pod.metadata.namespace === svc.metadata.namespace) a.hostname = pod.spec.hostname;
  a.targetRef = { kind: 'Pod', namespace: pod.metadata.namespace, name: pod.metadata.name, uid: pod.metadata.uid };
  return a;
}

interface Entry {
  pod: Pod;
  ready: boolean;
  ports: EndpointPort[];
}

/** One entry per pod that belongs in the endpoints, with its resolved ports. */
export function endpointEntries(svc: Service, pods: Pod[], includeTerminating: boolean): Entry[] {
  const tolerateUnready = !!svc.spec?.publishNotReadyAddresses;
  const out: Entry[] = [];
  for (const pod of selectedPods(svc, pods)) {
    if (!shouldBeInEndpoints(pod, includeTerminating || tolerateUnready)) continue;
    const ready = tolerateUnready || (isPodReady(pod) && !pod.metadata.deletionTimestamp);
    const ports: EndpointPort[] = [];
    let missing = false;
    for (const sp of svc.spec?.ports ?? []) {
      const port = findPort(pod, sp);
      if (port === undefined) {
        missing = true;
        continue;
      }
      const ep: EndpointPort = { port, protocol: sp.protocol ?? 'TCP' };
      if (sp.name) ep.name = sp.name;
      if (sp.appProtocol) ep.appProtocol = sp.appProtocol;
      ports.push(ep);
    }
    // A pod none of whose ports resolve serves nothing for this service.
    if (missing && ports.length === 0) continue;
    out.push({ pod, ready, ports });
  }
  return out;
}

const portsKey = (ports: EndpointPort[]) =>
  JSON.stringify([...ports].sort((a, b) => ((a.name ?? '') < (b.name ?? '') ? -1 : (a.name ?? '') > (b.name ?? '') ? 1 : a.port - b.port)));

const byIp = (a: EndpointAddress, b: EndpointAddress) => (ipKey(a.ip) < ipKey(b.ip) ? -1 : ipKey(a.ip) > ipKey(b.ip) ? 1 : 0);
function ipKey(ip: string): string {
  return ip.includes('.') ? ip.split('.').map((x) => x.padStart(3, '0')).join('.') : ip;
}

/** endpoints.RepackSubsets: addresses grouped by identical port lists, sorted. */
export function desiredSubsets(svc: Service, pods: Pod[]): EndpointSubset[] {
  const groups = new Map<string, EndpointSubset>();
  for (const e of endpointEntries(svc, pods, false)) {
    const key = portsKey(e.ports);
    let g = groups.get(key);
    if (!g) {
      g = {};
      const ports = JSON.parse(key) as EndpointPort[];
      if (ports.length) g.ports = ports;
      groups.set(key, g);
    }
    const a = address(e.pod, svc);
    if (e.ready) (g.addresses ??= []).push(a);
    else (g.notReadyAddresses ??= []).push(a);
  }
  const subsets = [...groups.values()].filter((g) => g.addresses?.length || g.notReadyAddresses?.length);
  for (const s of subsets) {
    s.addresses?.sort(byIp);
    s.notReadyAddresses?.sort(byIp);
  }
  return subsets.sort((a, b) => (portsKey(a.ports ?? []) < portsKey(b.ports ?? []) ? -1 : 1));
}

export interface SliceSpec {
  key: string;
  ports: { name?: string; port: number; protocol: string; appProtocol?: string }[];
  endpoints: Record<string, unknown>[];
}

/** Endpoints of EndpointSlices grouped by port list; terminating pods kept with conditions. */
export function desiredSlices(svc: Service, pods: Pod[]): SliceSpec[] {
  const groups = new Map<string, SliceSpec>();
  for (const e of endpointEntries(svc, pods, true)) {
    const key = portsKey(e.ports);
    let g = groups.get(key);
    if (!g) {
      g = { key, ports: (JSON.parse(key) as EndpointPort[]).map((p) => ({ ...(p.name !== undefined ? { name: p.name } : { name: '' }), port: p.port, protocol: p.protocol ?? 'TCP', ...(p.appProtocol ? { appProtocol: p.appProtocol } : {}) })), endpoints: [] };
      groups.set(key, g);
    }
    const pod = e.pod;
    const terminating = !!pod.metadata.deletionTimestamp;
    const serving = isPodReady(pod) || !!svc.spec?.publishNotReadyAddresses;
    const ep: Record<string, unknown> = {
      addresses: [pod.status!.podIP!],
      conditions: { ready: e.ready && !terminating, serving, terminating },
      targetRef: { kind: 'Pod', namespace: pod.metadata.namespace, name: pod.metadata.name, uid: pod.metadata.uid },
    };
    if (pod.spec?.nodeName) ep.nodeName = pod.spec.nodeName;
    if (pod.spec?.hostname && pod.spec.subdomain === svc.metadata.name) ep.hostname = pod.spec.hostname;
    g.endpoints.push(ep);
  }
  for (const g of groups.values()) g.endpoints.sort((a, b) => byIp({ ip: (a.addresses as string[])[0]! }, { ip: (b.addresses as string[])[0]! }));
  return [...groups.values()];
}

export { portsKey };
