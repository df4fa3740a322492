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
