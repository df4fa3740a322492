// controller.ActivePodsWithRanks: which pods a ReplicaSet deletes first when it has too
// many. Earlier in the order is deleted first: unscheduled before scheduled, pending before
// unknown before running, not ready before ready, more pods of the set on the same node
// first, ready for less time first, more restarts first, newer first.
import type { Pod } from '@k8ts/api';
import { creationMs } from '../util/objects.js';
import { isPodReady, podReadyCondition, podRestarts } from '@k8ts/api';

const phaseRank: Record<string, number> = { Pending: 0, Unknown: 1, Running: 2 };

export function rankPodsForDeletion(pods: Pod[], related: Pod[] = pods): Pod[] {
  // Rank = pods of the same owner on the same node: crowded nodes give up pods first.
  const perNode = new Map<string, number>();
  for (const p of related) {
    const n = p.spec?.nodeName;
    if (n && !p.metadata.deletionTimestamp) perNode.set(n, (perNode.get(n) ?? 0) + 1);
  }
  const rank = (p: Pod) => (p.spec?.nodeName ? (perNode.get(p.spec.nodeName) ?? 0) : 0);
  return [...pods].sort((a, b) => {
    const an = a.spec?.nodeName ? 1 : 0;
    const bn = b.spec?.nodeName ? 1 : 0;
    if (an !== bn) return an - bn;
    const ap = phaseRank[a.status?.phase ?? 'Pending'] ?? 0;
    const bp = phaseRank[b.status?.phase ?? 'Pending'] ?? 0;
    if (ap !== bp) return ap - bp;
    const ar = isPodReady(a) ? 1 : 0;
    const br = isPodReady(b) ? 1 : 0;
    if (ar !== br) return ar - br;
    const ak = rank(a);
    const bk = rank(b);
    if (ak !== bk) return bk - ak;
    if (ar && br) {
      const at = Date.parse(podReadyCondition(a)?.lastTransitionTime ?? '') || 0;
      const bt = Date.parse(podReadyCondition(b)?.lastTransitionTime ?? '') || 0;
      if (at !== bt) return bt - at;
    }
    const rs = podRestarts(b) - podRestarts(a);
    if (rs !== 0) return rs;
    return creationMs(b) - creationMs(a);
  });
}
