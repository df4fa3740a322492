// UDP has no connection to end: conntrack keeps steering a client's datagrams to an
// endpoint that is gone, or keeps an un-NATed entry made while the Service had no
// endpoints (so it stays rejected). After each sync, kube-proxy deletes those entries with
// the conntrack tool; so do we, when the tool is installed.
import type { ServicePortInfo } from './service-ports.js';

export interface UdpState {
  clusterIP: string;
  nodePort?: number;
  addresses: string[];
  endpoints: Set<string>;
}

/** conntrack argument lists that clear stale UDP entries between two syncs. */
export function staleUdpCommands(prev: Map<string, UdpState>, ports: ServicePortInfo[]): { next: Map<string, UdpState>; commands: string[][] } {
  const next = new Map<string, UdpState>();
  const commands: string[][] = [];
  for (const sp of ports) {
    if (sp.protocol !== 'udp') continue;
    const state: UdpState = {
      clusterIP: sp.clusterIP,
      nodePort: sp.nodePort,
      addresses: [sp.clusterIP, ...sp.loadBalancerIPs, ...sp.externalIPs],
      endpoints: new Set(sp.endpoints.map((e) => e.ip)),
    };
    next.set(sp.name, state);
    const before = prev.get(sp.name);
    if (!before) continue;
    // Entries made while there was no endpoint were rejected, not NATed: drop them.
    if (before.endpoints.size === 0 && state.endpoints.size > 0) {
      for (const addr of state.addresses) commands.push(['-D', '-p', 'udp', '--orig-dst', addr]);
      if (sp.nodePort) commands.push(['-D', '-p', 'udp', '--dport', String(sp.nodePort)]);
    }
    for (const ip of before.endpoints) {
      if (state.endpoints.has(ip)) continue;
      for (const addr of before.addresses) commands.push(['-D', '-p', 'udp', '--orig-dst', addr, '--dst-nat', ip]);
      if (before.nodePort) commands.push(['-D', '-p', 'udp', '--dport', String(before.nodePort), '--dst-nat', ip]);
    }
  }
  return { next, commands };
}
