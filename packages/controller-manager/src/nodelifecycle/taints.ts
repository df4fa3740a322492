// Taints and tolerations as the scheduler and the taint manager read them.
import type { Taint, Toleration } from '@k8ts/api';

export const UnreachableTaintKey = 'node.kubernetes.io/unreachable';
export const NotReadyTaintKey = 'node.kubernetes.io/not-ready';

/** v1.Toleration.ToleratesTaint. */
export function tolerates(t: Toleration, taint: Taint): boolean {
  if (t.effect && t.effect !== taint.effect) return false;
  if (t.key && t.key !== taint.key) return false;
  if (!t.key && t.operator !== 'Exists') return false;
  switch (t.operator ?? 'Equal') {
    case 'Exists':
      return true;
    case 'Equal':
      return (t.value ?? '') === (taint.value ?? '');
    default:
      return false;
  }
}

/**
 * How long a pod may stay on a node with these NoExecute taints: 0 when one is not
 * tolerated, Infinity when every used toleration has no tolerationSeconds, otherwise the
 * smallest tolerationSeconds (in ms).
 */
export function tolerationMs(taints: Taint[], tolerations: Toleration[] = []): number {
  let min = Infinity;
  for (const taint of taints) {
    const used = tolerations.filter((t) => tolerates(t, taint));
    if (used.length === 0) return 0;
    for (const t of used) if (t.tolerationSeconds !== undefined && t.tolerationSeconds !== null) min = Math.min(min, Math.max(0, t.tolerationSeconds) * 1000);
  }
  return min;
}

export function noExecuteTaints(taints: Taint[] | undefined): Taint[] {
  return (taints ?? []).filter((t) => t.effect === 'NoExecute');
}
