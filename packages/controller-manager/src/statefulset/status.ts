// The StatefulSet's status from its pods (updateStatus / computeReplicaStatus, completeRollingUpdate).
import type { Pod, StatefulSet, StatefulSetStatus } from '@k8ts/api';
import { isRunningAndAvailable, isRunningAndReady, isTerminating, podRevision } from './identity.js';
import type { Revisions } from './control.js';

export function computeStatus(set: StatefulSet, r: Revisions, replicas: Pod[], condemned: Pod[], now: number): StatefulSetStatus {
  const st: StatefulSetStatus = {
    ...(set.status?.conditions ? { conditions: set.status.conditions } : {}),
    observedGeneration: set.metadata.generation,
    replicas: 0,
    readyReplicas: 0,
    availableReplicas: 0,
    currentReplicas: 0,
    updatedReplicas: 0,
    currentRevision: r.current.metadata.name,
    updateRevision: r.update.metadata.name,
    collisionCount: r.collisionCount,
  };
  const minReady = set.spec?.minReadySeconds ?? 0;
  for (const pod of [...replicas, ...condemned]) {
    st.replicas!++;
    if (isRunningAndReady(pod)) {
      st.readyReplicas!++;
      if (isRunningAndAvailable(pod, minReady, now)) st.availableReplicas!++;
    }
    if (isTerminating(pod)) continue;
    if (podRevision(pod) === r.current.metadata.name) st.currentReplicas!++;
    if (podRevision(pod) === r.update.metadata.name) st.updatedReplicas!++;
  }
  return st;
}

/** completeRollingUpdate: once every pod is updated and ready, the update revision becomes current. */
export function completeRollingUpdate(set: StatefulSet, st: StatefulSetStatus): void {
  if ((set.spec?.updateStrategy?.type ?? 'RollingUpdate') === 'RollingUpdate' && st.updatedReplicas === st.replicas && st.readyReplicas === st.replicas) {
    st.currentReplicas = st.updatedReplicas;
    st.currentRevision = st.updateRevision;
  }
}
