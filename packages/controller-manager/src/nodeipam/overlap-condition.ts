// What nodeipam says on a Node whose podCIDR overlaps a range an earlier Node holds (the rule
// is @k8ts/api's podCidrConflicts, the one every host's podnet routes by): the condition the
// route controller keeps upstream, NetworkUnavailable, True with its reason NoRouteCreated and a
// message naming the holder, so `kubectl describe node` says why the node's pods cannot be
// reached; the node lifecycle controller then taints it network-unavailable:NoSchedule and no
// new pod lands there. When the conflict ends (the holder is gone), False with RouteCreated.
// A node that never conflicted gets no condition: nothing is written for the usual case.
import type { Node, NodeCondition, PodCidrConflict } from '@k8ts/api';
import { getCondition } from '@k8ts/api';

export const NETWORK_UNAVAILABLE = 'NetworkUnavailable';
export const NO_ROUTE = 'NoRouteCreated';
export const ROUTED = 'RouteCreated';

export function overlapMessage(c: PodCidrConflict): string {
  return `podCIDR ${c.podCIDR} overlaps ${c.heldRange}, which node ${c.heldBy} holds: no route is made to this node's pods`;
}

/** The condition to write on the node, or undefined when what it has already says it. */
export function wantedNetworkCondition(node: Node, conflict: PodCidrConflict | undefined, now: string): NodeCondition | undefined {
  const cur = getCondition(node.status?.conditions, NETWORK_UNAVAILABLE);
  if (conflict) {
    const message = overlapMessage(conflict);
    if (cur?.status === 'True' && cur.reason === NO_ROUTE && cur.message === message) return undefined;
    return { type: NETWORK_UNAVAILABLE, status: 'True', reason: NO_ROUTE, message, lastTransitionTime: cur?.status === 'True' ? cur.lastTransitionTime : now, lastHeartbeatTime: now } as NodeCondition;
  }
  // Only a True this controller set is turned back; another network's condition is its own.
  if (cur?.status !== 'True' || cur.reason !== NO_ROUTE) return undefined;
  return { type: NETWORK_UNAVAILABLE, status: 'False', reason: ROUTED, message: "the node's podCIDR no longer overlaps another node's: it is routed", lastTransitionTime: now, lastHeartbeatTime: now } as NodeCondition;
}

/** The node with `cond` in place of its condition of that type. */
export function withCondition(node: Node, cond: NodeCondition): Node {
  const others = (node.status?.conditions ?? []).filter((c) => c.type !== cond.type);
  return { ...node, status: { ...(node.status ?? {}), conditions: [...others, cond] } };
}
