// Which Node holds a pod range when the Nodes' podCIDRs overlap. nodeipam never hands out one
// range twice, but a Node can arrive with spec.podCIDR already set (an admin's object, a node
// registered elsewhere), and upstream's allocator lets it through. Routing both would send one
// range to two machines, so exactly one holds it: the Node that was there first (creation time,
// then name, so every host decides alike with no talk between them). The others get no route,
// and nodeipam says so on them (NetworkUnavailable, an event). One rule for nodeipam and every
// host's podnet, so what the status says is what the routes do.
import type { Node } from 'kubernetes-types/core/v1';
import { ipv4CidrsOverlap, parseIpv4Cidr, type Ipv4Cidr } from './ipv4.js';

/** The node's first (IPv4) pod range as written on it; dual-stack's second range is not routed. */
export const podCidrOf = (n: Node): string | undefined => n.spec?.podCIDRs?.[0] ?? n.spec?.podCIDR;

export interface PodCidrConflict {
  /** The range this node claims. */
  podCIDR: string;
  /** The node that holds an overlapping range, and that range. */
  heldBy: string;
  heldRange: string;
}

const createdAt = (n: Node): number => {
  const t = Date.parse(n.metadata?.creationTimestamp ?? '');
  return Number.isNaN(t) ? Number.MAX_SAFE_INTEGER : t;
};

/**
 * Every node whose podCIDR overlaps a range an earlier node holds, with that holder. Nodes
 * without a parseable IPv4 range claim nothing; a node being deleted still holds its range
 * until it is gone (its pods may still be there).
 */
export function podCidrConflicts(nodes: readonly Node[]): Map<string, PodCidrConflict> {
  const ordered = [...nodes].sort((a, b) => createdAt(a) - createdAt(b) || (a.metadata?.name ?? '').localeCompare(b.metadata?.name ?? ''));
  const held: Array<{ node: string; text: string; range: Ipv4Cidr }> = [];
  const conflicts = new Map<string, PodCidrConflict>();
  for (const n of ordered) {
    const text = podCidrOf(n);
    const range = text ? parseIpv4Cidr(text) : undefined;
    const name = n.metadata?.name;
    if (!text || !range || !name) continue;
    const holder = held.find((h) => ipv4CidrsOverlap(h.range, range));
    if (holder) conflicts.set(name, { podCIDR: text, heldBy: holder.node, heldRange: holder.text });
    else held.push({ node: name, text, range });
  }
  return conflicts;
}
