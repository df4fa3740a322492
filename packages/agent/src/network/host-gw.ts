// flannel's host-gw backend, reduced to what a node needs: a route to every other node's
// podCIDR via that node's InternalIP, so pods reach each other across machines by pod IP
// with no NAT and no encapsulation (the machines share one layer-2 LAN).
import { podCidrConflicts, podCidrOf, type Node } from '@k8ts/api';

export interface Route {
  dst: string;
  via: string;
  /** Through this device, on-link (VXLAN); absent: the interface that reaches `via`. */
  dev?: string;
}

export const internalIPOf = (n: Node): string | undefined => n.status?.addresses?.find((a) => a.type === 'InternalIP')?.address;

/**
 * Routes this node wants: one per other node with a range and an address (IPv4 only), via that
 * address; sorted by destination. A node whose range overlaps one an earlier node holds gets
 * none (@k8ts/api's podCidrConflicts, the rule nodeipam reports on the Node), nor does one
 * being deleted.
 */
export function desiredRoutes(nodes: readonly Node[], self: string): Route[] {
  const conflicts = podCidrConflicts(nodes);
  const out: Route[] = [];
  for (const n of nodes) {
    if (n.metadata.name === self || n.metadata.deletionTimestamp || conflicts.has(n.metadata.name!)) continue;
    const dst = podCidrOf(n);
    const via = internalIPOf(n);
    if (!dst || !via || dst.includes(':') || via.includes(':')) continue;
    out.push({ dst, via });
  }
  return out.sort((a, b) => a.dst.localeCompare(b.dst));
}

/** What to change so that `current` (our own routes, read back) becomes `want`. */
export function routeChanges(current: readonly Route[], want: readonly Route[]): { replace: Route[]; remove: Route[] } {
  const cur = new Map(current.map((r) => [r.dst, r.via]));
  const wanted = new Set(want.map((r) => r.dst));
  return {
    replace: want.filter((r) => cur.get(r.dst) !== r.via || (current.find((c) => c.dst === r.dst)?.dev ?? '') !== (r.dev ?? '')),
    remove: current.filter((r) => !wanted.has(r.dst)),
  };
}
