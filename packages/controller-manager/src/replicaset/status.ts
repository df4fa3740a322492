// calculateStatus: counts over the pods a ReplicaSet owns (terminating ones excluded).
import type { Pod, ReplicaSet } from '@k8ts/api';
import { isPodAvailable, isPodReady, labelsMatchSelector, rfc3339 } from '@k8ts/api';

export function calculateStatus(rs: ReplicaSet, pods: Pod[], now: number, manageError?: string): NonNullable<ReplicaSet['status']> {
  const templateLabels = rs.spec?.template?.metadata?.labels ?? {};
  const minReady = rs.spec?.minReadySeconds ?? 0;
  let fully = 0;
  let ready = 0;
  let available = 0;
  for (const p of pods) {
    const labels = p.metadata.labels ?? {};
    if (Object.entries(templateLabels).every(([k, v]) => labels[k] === v)) fully++;
    if (isPodReady(p)) {
      ready++;
      if (isPodAvailable(p, minReady, now)) available++;
    }
  }
  const status: NonNullable<ReplicaSet['status']> = {
    replicas: pods.length,
    fullyLabeledReplicas: fully,
    readyReplicas: ready,
    availableReplicas: available,
    observedGeneration: rs.metadata.generation ?? rs.status?.observedGeneration,
  };
  let conditions = (rs.status?.conditions ?? []).filter((c) => c.type !== 'ReplicaFailure');
  if (manageError) {
    const old = rs.status?.conditions?.find((c) => c.type === 'ReplicaFailure');
    conditions = [
      ...conditions,
      {
        type: 'ReplicaFailure',
        status: 'True',
        reason: 'FailedCreate',
        message: manageError,
        lastTransitionTime: old?.lastTransitionTime ?? rfc3339(now),
      },
    ];
  }
  if (conditions.length) status.conditions = conditions;
  return status;
}

export function podsMatching(rs: ReplicaSet, pods: Pod[]): Pod[] {
  return pods.filter((p) => labelsMatchSelector(p.metadata.labels, rs.spec?.selector));
}
