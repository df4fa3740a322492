// Taints and tolerations, read once for the scheduler, the DaemonSet controller and the
// taint manager (node lifecycle): v1.Toleration.ToleratesTaint and v1helper's friends.
import type { Taint, Toleration } from '../types.js';

export const TaintNodeNotReady = 'node.kubernetes.io/not-ready';
export const TaintNodeUnreachable = 'node.kubernetes.io/unreachable';
export const TaintNodeUnschedulable = 'node.kubernetes.io/unschedulable';

/**
 * v1.Toleration.ToleratesTaint, as upstream: an empty effect matches every effect, an empty
 * key every key; operator Exists matches any value, "" or Equal needs the values equal (so
 * an empty key with Equal matches any taint with that value; validation forbids writing
 * one, but pods stored before would still be read so). Any other operator matches nothing.
 */
export function toleratesTaint(t: Toleration, taint: Taint): boolean {
  if (t.effect && t.effect !== taint.effect) return false;
  if (t.key && t.key !== taint.key) return false;
  switch (t.operator ?? '') {
    case '':
    case 'Equal':
      return (t.value ?? '') === (taint.value ?? '');
    case 'Exists':
      return true;
    default:
      return false;
  }
}

export function tolerationsTolerateTaint(tolerations: readonly Toleration[] | undefined | null, taint: Taint): boolean {
  if (!tolerations) return false;
  for (const t of tolerations) if (toleratesTaint(t, taint)) return true;
  return false;
}

/** FindMatchingUntoleratedTaint for the effects that keep pods off a node. */
export function findUntoleratedTaint(
  taints: readonly Taint[] | undefined | null,
  tolerations: readonly Toleration[] | undefined | null,
  effects: readonly string[] = ['NoSchedule', 'NoExecute'],
): Taint | undefined {
  for (const taint of taints ?? []) {
    if (!effects.includes(taint.effect)) continue;
    if (!tolerationsTolerateTaint(tolerations, taint)) return taint;
  }
  return undefined;
}

export function noExecuteTaints(taints: readonly Taint[] | undefined | null): Taint[] {
  return (taints ?? []).filter((t) => t.effect === 'NoExecute');
}

/**
 * The taint manager's getMinTolerationTime, in ms: how long a pod may stay on a node with
 * these NoExecute taints. 0 when one is not tolerated, Infinity when every toleration used
 * has no tolerationSeconds, otherwise the smallest tolerationSeconds.
 */
export function tolerationMs(taints: readonly Taint[], tolerations: readonly Toleration[] = []): number {
  let min = Infinity;
  for (const taint of taints) {
    const used = tolerations.filter((t) => toleratesTaint(t, taint));
    if (used.length === 0) return 0;
    for (const t of used) if (t.tolerationSeconds !== undefined && t.tolerationSeconds !== null) min = Math.min(min, Math.max(0, t.tolerationSeconds) * 1000);
  }
  return min;
}
