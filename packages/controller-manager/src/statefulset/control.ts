// defaultStatefulSetControl.updateStatefulSet: one pass over a set's pods. Missing ordinals
// are created, failed ones recreated, ordinals beyond replicas deleted highest first, then
// pods of an old revision replaced from the highest ordinal down to the partition. Under
// OrderedReady (monotonic) every step waits for its predecessors to be Running and Ready;
// Parallel creates and deletes without waiting. Updates go one pod at a time either way.
import type { ControllerRevision, Pod, StatefulSet, StatefulSetStatus } from '@k8ts/api';
import { slowStartBatch } from '../framework/slow-start.js';
import {
  allowsBurst,
  endOrdinal,
  identityMatches,
  inOrdinalRange,
  isHealthy,
  isRunningAndAvailable,
  isRunningAndReady,
  isTerminating,
  newStatefulSetPod,
  ordinalOf,
  podRevision,
  replicasOf,
  setPodRevision,
  startOrdinal,
  storageMatches,
} from './identity.js';
import type { StatefulPodControl } from './pod-control.js';
import { computeStatus } from './status.js';

export interface Revisions {
  currentSet: StatefulSet;
  updateSet: StatefulSet;
  current: ControllerRevision;
  update: ControllerRevision;
  collisionCount: number;
}

/** A slot: a pod from the cache (created) or one this pass means to create. */
interface Slot {
  pod: Pod;
  created: boolean;
}

/** newVersionedStatefulSetPod: ordinals below the partition keep the current revision. */
function versionedPod(r: Revisions, ordinal: number): Pod {
  const cs = r.currentSet;
  const ru = cs.spec?.updateStrategy?.rollingUpdate;
  const rolling = (cs.spec?.updateStrategy?.type ?? 'RollingUpdate') === 'RollingUpdate';
  const keepCurrent = rolling && (ru ? ordinal < startOrdinal(cs) + (ru.partition ?? 0) : ordinal < startOrdinal(cs) + (cs.status?.currentReplicas ?? 0));
  const pod = newStatefulSetPod(keepCurrent ? cs : r.updateSet, ordinal);
  setPodRevision(pod, keepCurrent ? r.current.metadata.name! : r.update.metadata.name!);
  return pod;
}

/** runForAll: in order, stopping at the first step that blocks; or all at once in slow-start batches. */
async function runForAll(n: number, fn: (i: number) => Promise<boolean>, monotonic: boolean): Promise<boolean> {
  if (monotonic) {
    for (let i = 0; i < n; i++) if (await fn(i)) return true;
    return false;
  }
  let next = 0;
  const { error } = await slowStartBatch(n, 1, async () => void (await fn(next++)));
  if (error) throw error;
  return false;
}

export async function updateStatefulSet(set: StatefulSet, r: Revisions, pods: Pod[], control: StatefulPodControl, now: number): Promise<StatefulSetStatus> {
  const start = startOrdinal(set);
  const replicas: Slot[] = new Array(Math.max(0, replicasOf(set)));
  const condemned: Pod[] = [];
  for (const pod of pods) {
    if (inOrdinalRange(pod, set)) replicas[ordinalOf(pod) - start] = { pod, created: true };
    else if (ordinalOf(pod) >= 0) condemned.push(pod);
  }
  for (let ord = start; ord <= endOrdinal(set); ord++) replicas[ord - start] ??= { pod: versionedPod(r, ord), created: false };
  condemned.sort((a, b) => ordinalOf(b) - ordinalOf(a));

  let firstUnhealthy: Pod | undefined;
  for (const s of replicas) if (!isHealthy(s.pod)) firstUnhealthy ??= s.pod;
  for (let i = condemned.length - 1; i >= 0; i--) if (!isHealthy(condemned[i]!)) firstUnhealthy ??= condemned[i];

  const status = () => computeStatus(set, r, replicas.filter((s) => s.created).map((s) => s.pod), condemned, now);
  if (set.metadata.deletionTimestamp) return status();

  const monotonic = !allowsBurst(set);
  const minReady = set.spec?.minReadySeconds ?? 0;

  // processReplica: returns true when the pass must stop here.
  const processReplica = async (i: number): Promise<boolean> => {
    const slot = replicas[i]!;
    const phase = slot.pod.status?.phase;
    if (slot.created && (phase === 'Failed' || phase === 'Succeeded')) {
      if (phase === 'Failed') control.event(set, 'Warning', 'RecreatingFailedPod', `StatefulSet ${set.metadata.namespace}/${set.metadata.name} is recreating failed Pod ${slot.pod.metadata.name}`);
      else control.event(set, 'Normal', 'RecreatingTerminatedPod', `StatefulSet ${set.metadata.namespace}/${set.metadata.name} is recreating terminated Pod ${slot.pod.metadata.name}`);
      await control.deletePod(set, slot.pod);
      replicas[i] = { pod: versionedPod(r, i + start), created: false };
    }
    const cur = replicas[i]!;
    if (!cur.created) {
      if (control.claimIsStale(set, cur.pod)) return true;
      await control.createPod(set, cur.pod);
      cur.created = true;
      cur.pod.status = { phase: 'Pending' };
      return monotonic;
    }
    if (cur.pod.status?.phase === 'Pending') await control.createClaims(set, cur.pod);
    if (isTerminating(cur.pod) && monotonic) return true;
    if (!isRunningAndReady(cur.pod) && monotonic) return true;
    if (!isRunningAndAvailable(cur.pod, minReady, now) && monotonic) return true;
    if (identityMatches(set, cur.pod) && storageMatches(set, cur.pod) && control.claimsMatchPolicy(r.updateSet, cur.pod)) return false;
    await control.updatePod(r.updateSet, cur.pod);
    return false;
  };
  if (await runForAll(replicas.length, processReplica, monotonic)) return status();

  // Condemned pods' claims take the pod as owner first when whenScaled is Delete.
  const fixClaims = async (i: number) => {
    if (!control.claimsMatchPolicy(r.updateSet, condemned[i]!)) await control.updateClaimsForPolicy(r.updateSet, condemned[i]!);
    return false;
  };
  if (await runForAll(condemned.length, fixClaims, monotonic)) return status();

  // processCondemned: scale down from the highest ordinal, each after its predecessors are healthy.
  const processCondemned = async (i: number): Promise<boolean> => {
    const pod = condemned[i]!;
    if (isTerminating(pod)) return monotonic;
    if (!isRunningAndReady(pod) && monotonic && pod !== firstUnhealthy) return true;
    if (!isRunningAndAvailable(pod, minReady, now) && monotonic && pod !== firstUnhealthy) return true;
    await control.deletePod(set, pod);
    return monotonic;
  };
  if (await runForAll(condemned.length, processCondemned, monotonic)) return status();

  const st = status();
  if (set.spec?.updateStrategy?.type !== 'OnDelete') await rollingUpdate(set, r, replicas, control, st);
  return st;
}

/**
 * The highest ordinal not at the update revision is deleted (and recreated at it by a later
 * pass), one at a time, down to the partition; an unhealthy updated pod holds the rest.
 */
async function rollingUpdate(set: StatefulSet, r: Revisions, replicas: Slot[], control: StatefulPodControl, st: StatefulSetStatus): Promise<void> {
  const updateMin = set.spec?.updateStrategy?.rollingUpdate?.partition ?? 0;
  for (let target = replicas.length - 1; target >= updateMin; target--) {
    const slot = replicas[target]!;
    if (podRevision(slot.pod) !== r.update.metadata.name && !isTerminating(slot.pod)) {
      await control.deletePod(set, slot.pod);
      st.currentReplicas = Math.max(0, (st.currentReplicas ?? 0) - 1);
      return;
    }
    if (!isHealthy(slot.pod)) return;
  }
}
