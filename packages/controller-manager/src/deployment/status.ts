// Deployment status and its Available/Progressing conditions (deployment/progress.go, sync.go).
import type { Deployment, ReplicaSet } from '@k8ts/api';
import { rfc3339 } from '@k8ts/api';
import { availableReplicas, maxUnavailable, readyReplicas, replicasOf, specReplicas, statusReplicas } from './util.js';

export type DeploymentStatus = NonNullable<Deployment['status']>;
export type DeploymentCondition = NonNullable<DeploymentStatus['conditions']>[number];

export const NewRSAvailableReason = 'NewReplicaSetAvailable';
export const TimedOutReason = 'ProgressDeadlineExceeded';
export const RSUpdatedReason = 'ReplicaSetUpdated';
export const FoundNewRSReason = 'FoundNewReplicaSet';
export const NewReplicaSetReason = 'NewReplicaSetCreated';
export const PausedReason = 'DeploymentPaused';
export const ResumedReason = 'DeploymentResumed';

export function newCondition(type: string, status: string, reason: string, message: string, now: number): DeploymentCondition {
  const t = rfc3339(now);
  return { type, status, reason, message, lastUpdateTime: t, lastTransitionTime: t };
}

export function getCondition(st: DeploymentStatus | undefined, type: string): DeploymentCondition | undefined {
  return st?.conditions?.find((c) => c.type === type);
}

/** SetDeploymentCondition: no change for the same status and reason; transition time kept on the same status. */
export function setCondition(st: DeploymentStatus, cond: DeploymentCondition): void {
  const cur = getCondition(st, cond.type);
  if (cur && cur.status === cond.status && cur.reason === cond.reason) return;
  if (cur && cur.status === cond.status) cond = { ...cond, lastTransitionTime: cur.lastTransitionTime };
  st.conditions = [...(st.conditions ?? []).filter((c) => c.type !== cond.type), cond];
}

export function removeCondition(st: DeploymentStatus, type: string): void {
  st.conditions = (st.conditions ?? []).filter((c) => c.type !== type);
  if (st.conditions.length === 0) delete st.conditions;
}

export function hasProgressDeadline(d: Deployment): boolean {
  const p = d.spec?.progressDeadlineSeconds;
  return p !== undefined && p !== null && p !== 2147483647;
}

export function progressDeadlineSeconds(d: Deployment): number {
  return d.spec?.progressDeadlineSeconds ?? 600;
}

export function calculateStatus(allRSs: ReplicaSet[], newRS: ReplicaSet | undefined, d: Deployment, now: number): DeploymentStatus {
  const available = availableReplicas(allRSs);
  const total = specReplicas(allRSs);
  const st: DeploymentStatus = {
    observedGeneration: d.metadata.generation,
    replicas: statusReplicas(allRSs),
    updatedReplicas: statusReplicas([newRS]),
    readyReplicas: readyReplicas(allRSs),
    availableReplicas: available,
    unavailableReplicas: Math.max(0, total - available),
  };
  if (d.status?.collisionCount !== undefined) st.collisionCount = d.status.collisionCount;
  if (d.status?.conditions?.length) st.conditions = structuredClone(d.status.conditions);
  if (available >= replicasOf(d) - maxUnavailable(d))
    setCondition(st, newCondition('Available', 'True', 'MinimumReplicasAvailable', 'Deployment has minimum availability.', now));
  else setCondition(st, newCondition('Available', 'False', 'MinimumReplicasUnavailable', 'Deployment does not have minimum availability.', now));
  return st;
}

export function deploymentTimedOut(d: Deployment, st: DeploymentStatus, now: number): boolean {
  if (!hasProgressDeadline(d)) return false;
  const c = getCondition(st, 'Progressing');
  if (!c || c.reason === NewRSAvailableReason) return false;
  if (c.reason === TimedOutReason) return true;
  const from = Date.parse(c.lastUpdateTime ?? c.lastTransitionTime ?? '');
  return !Number.isNaN(from) && from + progressDeadlineSeconds(d) * 1000 < now;
}

/** Stable comparison of two statuses, ignoring condition order. */
export function statusEqual(a: DeploymentStatus | undefined, b: DeploymentStatus): boolean {
  const norm = (s: DeploymentStatus | undefined) =>
    JSON.stringify({
      observedGeneration: s?.observedGeneration ?? 0,
      replicas: s?.replicas ?? 0,
      updatedReplicas: s?.updatedReplicas ?? 0,
      readyReplicas: s?.readyReplicas ?? 0,
      availableReplicas: s?.availableReplicas ?? 0,
      unavailableReplicas: s?.unavailableReplicas ?? 0,
      collisionCount: s?.collisionCount ?? null,
      conditions: [...(s?.conditions ?? [])].sort((x, y) => (x.type < y.type ? -1 : 1)).map((c) => [c.type, c.status, c.reason, c.message, c.lastUpdateTime, c.lastTransitionTime]),
    });
  return norm(a) === norm(b);
}
