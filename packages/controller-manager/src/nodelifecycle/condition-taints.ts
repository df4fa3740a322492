// TaintNodesByCondition (the node lifecycle controller's doNoScheduleTaintingPass): a node whose
// condition says it cannot take pods gets that condition's NoSchedule taint, and loses it when
// the condition clears, so the scheduler's TaintToleration keeps new pods off it (DaemonSet
// pods tolerate these, see daemonset/placement.ts). Ready's taints (not-ready, unreachable)
// are the health pass's own, with their NoExecute twins; these are the others of upstream's map.
import type { Node, Taint } from '@k8ts/api';

const CONDITION_TAINTS: Readonly<Record<string, string>> = {
  MemoryPressure: 'node.kubernetes.io/memory-pressure',
  DiskPressure: 'node.kubernetes.io/disk-pressure',
  PIDPressure: 'node.kubernetes.io/pid-pressure',
  NetworkUnavailable: 'node.kubernetes.io/network-unavailable',
};
const KEYS = new Set(Object.values(CONDITION_TAINTS));

/** The NoSchedule taint keys the node's True conditions call for. */
export function conditionTaintKeys(node: Node): string[] {
  return (node.status?.conditions ?? []).filter((c) => c.status === 'True' && CONDITION_TAINTS[c.type]).map((c) => CONDITION_TAINTS[c.type]!);
}

/** A NoSchedule taint this pass owns (added and removed by conditions). */
export const isConditionTaint = (t: Taint): boolean => t.effect === 'NoSchedule' && KEYS.has(t.key);
