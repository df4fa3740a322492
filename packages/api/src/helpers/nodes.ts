// Node conditions as the scheduler, the node lifecycle controller and the tools read them.
import type { Node, NodeCondition } from 'kubernetes-types/core/v1';
import { getCondition } from './conditions.js';

/** The node's Ready condition (absent on a node that has not reported yet). */
export function nodeReadyCondition(node: Node | undefined): NodeCondition | undefined {
  return getCondition(node?.status?.conditions, 'Ready');
}

/** nodeutil.IsNodeReady: the Ready condition is True. */
export function isNodeReady(node: Node | undefined): boolean {
  return nodeReadyCondition(node)?.status === 'True';
}

/** Where each node's Lease lives, named after the node. */
export const NodeLeaseNamespace = 'kube-node-lease';

/**
 * On a node's Lease (kube-node-lease): when the apiserver saw the node agent's own stream
 * (Nodes.Connect) end without a new one, as a MicroTime of the apiserver's clock, the clock
 * the Lease's renewTime has. A k8ts addition: a renewTime older than it means the agent has
 * not been heard from since its connection went, which tells a dead agent from a slow one
 * long before its Lease ages out (the node lifecycle controller's disconnect grace period).
 */
export const AgentDisconnectedAtAnnotation = 'k8ts.io/agent-disconnected-at';
