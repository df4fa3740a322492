// Pod-specific registry behaviour: status on create, graceful deletion, binding.
import { podQOSClass, type KubeObject } from '@k8ts/api';

/** Pod status as it starts: Pending, with its QoS class (PrepareForCreate drops the rest). */
export function initialPodStatus(pod: KubeObject): Record<string, unknown> {
  return { phase: 'Pending', qosClass: podQOSClass(pod) };
}

/**
 * The grace period a pod delete gets: the option, else the pod's own, else 30; 0 for pods
 * that never ran anywhere or have finished (nothing to stop).
 */
export function podGracePeriod(pod: KubeObject, requested: number | undefined): number {
  if (!pod.spec?.nodeName) return 0;
  const phase = pod.status?.phase;
  if (phase === 'Succeeded' || phase === 'Failed') return 0;
  const g = requested ?? pod.spec?.terminationGracePeriodSeconds ?? 30;
  // At most int32 seconds (68 years): a deletionTimestamp past JavaScript's dates is no time at all.
  return Math.min(2 ** 31 - 1, Math.max(0, Math.floor(Number(g) || 0)));
}
