// The EndpointSlices one Endpoints object mirrors into (endpointslicemirroring utils.go and
// reconciler_helpers.go): one slice per address family and port set, at most
// `maxEndpointsPerSlice` endpoints each.
import { isIP } from 'node:net';
import type { EndpointAddress, Endpoints, EndpointPort } from '@k8ts/api';

export const maxEndpointsPerSlice = 1000;

export interface MirrorPort {
  name: string;
  port: number;
  protocol: string;
  appProtocol?: string;
}

export interface MirrorEndpoint {
  addresses: string[];
  conditions: { ready: boolean };
  hostname?: string;
  nodeName?: string;
  targetRef?: EndpointAddress['targetRef'];
}

export interface MirrorSlice {
  /** Address type and port set: slices with the same key are interchangeable. */
  key: string;
  addressType: 'IPv4' | 'IPv6';
  ports: MirrorPort[];
  endpoints: MirrorEndpoint[];
}

function toPort(p: EndpointPort): MirrorPort {
  const out: MirrorPort = { name: p.name ?? '', port: p.port, protocol: p.protocol ?? 'TCP' };
  if (p.appProtocol) out.appProtocol = p.appProtocol;
  return out;
}

export function sliceKey(addressType: string, ports: MirrorPort[]): string {
  const sorted = [...ports].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : a.port - b.port || (a.protocol < b.protocol ? -1 : 1)));
  return `${addressType}-${JSON.stringify(sorted)}`;
}

/** addressToEndpoint: an address that is not an IP is skipped, as upstream does. */
function toEndpoint(a: EndpointAddress, ready: boolean): [MirrorEndpoint, 'IPv4' | 'IPv6'] | undefined {
  const family = isIP(a.ip ?? '');
  if (family === 0) return undefined;
  const ep: MirrorEndpoint = { addresses: [a.ip], conditions: { ready } };
  if (a.hostname) ep.hostname = a.hostname;
  if (a.nodeName) ep.nodeName = a.nodeName;
  if (a.targetRef) ep.targetRef = a.targetRef;
  return [ep, family === 4 ? 'IPv4' : 'IPv6'];
}

const byAddress = (a: MirrorEndpoint, b: MirrorEndpoint) => (a.addresses[0]! < b.addresses[0]! ? -1 : a.addresses[0]! > b.addresses[0]! ? 1 : 0);

export function mirroredSlices(ep: Endpoints): MirrorSlice[] {
  const groups = new Map<string, MirrorSlice & { seen: Set<string> }>();
  for (const subset of ep.subsets ?? []) {
    const ports = (subset.ports ?? []).map(toPort);
    const add = (addrs: EndpointAddress[] | undefined, ready: boolean) => {
      for (const a of addrs ?? []) {
        const r = toEndpoint(a, ready);
        if (!r) continue;
        const [endpoint, addressType] = r;
        const key = sliceKey(addressType, ports);
        let g = groups.get(key);
        if (!g) groups.set(key, (g = { key, addressType, ports, endpoints: [], seen: new Set() }));
        // The same address listed twice in one subset is one endpoint.
        const id = JSON.stringify(endpoint);
        if (g.seen.has(id)) continue;
        g.seen.add(id);
        g.endpoints.push(endpoint);
      }
    };
    add(subset.addresses, true);
    add(subset.notReadyAddresses, false);
  }
  const out: MirrorSlice[] = [];
  for (const { seen: _seen, ...g } of groups.values()) {
    g.endpoints.sort(byAddress);
    for (let i = 0; i < g.endpoints.length; i += maxEndpointsPerSlice) out.push({ ...g, endpoints: g.endpoints.slice(i, i + maxEndpointsPerSlice) });
  }
  return out;
}
