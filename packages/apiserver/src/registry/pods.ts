// Pod-specific registry behaviour: status on create, graceful deletion, binding.
import type { KubeObject } from '@k8ts/api';

/** The QoS class Kubernetes computes from the containers' requests and limits. */
export function qosClass(pod: KubeObject): string {
  const containers: any[] = [...(pod.spec?.initContainers ?? []), ...(pod.spec?.containers ?? [])];
  let any = false;
  let guaranteed = true;
  for (const c of containers) {
    const req = c.resources?.requests ?? {};
    const lim = c.resources?.limits ?? {};
    for (const r of ['cpu', 'memory']) {
      if (req[r] !== undefined || lim[r] !== undefined) any = true;
      const q = req[r] ?? lim[r];
      if (lim[r] === undefined || q === undefined || String(q) !== String(lim[r])) guaranteed = false;
    }
  }
  if (!any) return 'BestEffort';
  return guaranteed ? 'Guaranteed' : 'Burstable';
}

/** Pod status as it starts: Pending, with its QoS class (PrepareForCreate drops the rest). */
export function initialPodStatus(pod: KubeObject): Record<string, unknown> {
  return { phase: 'Pending', qosClass: qosClass(pod) };
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
  return Math.max(0, Math.floor(Number(g) || 0));
}
