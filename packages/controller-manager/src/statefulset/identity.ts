// A StatefulSet pod's identity and storage (stateful_set_utils.go): the name <set>-<ordinal>,
// the pod-name and pod-index labels, hostname and subdomain for its DNS name under the
// governing Service, and one volume per claim template naming <template>-<set>-<ordinal>.
import type { KubeObject, Pod, StatefulSet, Volume } from '@k8ts/api';
import { deepCopy, isPodReady, isPodAvailable } from '@k8ts/api';
import { podFromTemplate } from '../framework/pod-template.js';
import { newControllerRef } from '../util/objects.js';

export const PodNameLabel = 'statefulset.kubernetes.io/pod-name';
export const PodIndexLabel = 'apps.kubernetes.io/pod-index';
export const RevisionLabel = 'controller-revision-hash';

/** A PersistentVolumeClaim as far as this controller reads it. */
export type Claim = KubeObject & { spec?: Record<string, unknown> };

const ordinalPattern = /^(.*)-([0-9]+)$/;

/** getParentNameAndOrdinal: the set name and ordinal a pod name encodes (ordinal -1 when none). */
export function parentAndOrdinal(pod: KubeObject): { parent: string; ordinal: number } {
  const m = ordinalPattern.exec(pod.metadata.name ?? '');
  if (!m) return { parent: '', ordinal: -1 };
  const n = Number(m[2]);
  return Number.isSafeInteger(n) ? { parent: m[1]!, ordinal: n } : { parent: '', ordinal: -1 };
}

export const ordinalOf = (pod: KubeObject) => parentAndOrdinal(pod).ordinal;
export const podName = (set: StatefulSet, ordinal: number) => `${set.metadata.name}-${ordinal}`;
export const startOrdinal = (set: StatefulSet) => set.spec?.ordinals?.start ?? 0;
export const replicasOf = (set: StatefulSet) => set.spec?.replicas ?? 1;
/** The last ordinal in range (start - 1 when scaled to zero). */
export const endOrdinal = (set: StatefulSet) => startOrdinal(set) + replicasOf(set) - 1;

export function isMemberOf(set: StatefulSet, pod: KubeObject): boolean {
  return parentAndOrdinal(pod).parent === set.metadata.name;
}

export function inOrdinalRange(pod: KubeObject, set: StatefulSet): boolean {
  const o = ordinalOf(pod);
  return o >= startOrdinal(set) && o <= endOrdinal(set);
}

export const claimName = (set: StatefulSet, template: string, ordinal: number) => `${template}-${set.metadata.name}-${ordinal}`;

/** getPersistentVolumeClaims: the claims of `ordinal`, by template name, in template order. */
export function claimsFor(set: StatefulSet, ordinal: number): [string, Claim][] {
  return (set.spec?.volumeClaimTemplates ?? []).map((t) => {
    const c = deepCopy(t) as unknown as Claim;
    const template = t.metadata?.name ?? '';
    delete (c as { status?: unknown }).status;
    c.apiVersion = 'v1';
    c.kind = 'PersistentVolumeClaim';
    c.metadata = { ...(c.metadata ?? {}), name: claimName(set, template, ordinal), namespace: set.metadata.namespace };
    c.metadata.labels = { ...(c.metadata.labels ?? {}), ...(set.spec?.selector?.matchLabels ?? {}) };
    return [template, c];
  });
}

export function identityMatches(set: StatefulSet, pod: Pod): boolean {
  const { parent, ordinal } = parentAndOrdinal(pod);
  return (
    ordinal >= 0 &&
    parent === set.metadata.name &&
    pod.metadata.namespace === set.metadata.namespace &&
    pod.metadata.labels?.[PodNameLabel] === pod.metadata.name &&
    pod.metadata.labels?.[PodIndexLabel] === String(ordinal)
  );
}

export function storageMatches(set: StatefulSet, pod: Pod): boolean {
  const ordinal = ordinalOf(pod);
  if (ordinal < 0) return false;
  const volumes = new Map((pod.spec?.volumes ?? []).map((v) => [v.name, v]));
  return claimsFor(set, ordinal).every(([template, c]) => volumes.get(template)?.persistentVolumeClaim?.claimName === c.metadata.name);
}

export function updateIdentity(set: StatefulSet, pod: Pod): void {
  const ordinal = ordinalOf(pod);
  pod.metadata.name = podName(set, ordinal);
  pod.metadata.namespace = set.metadata.namespace;
  pod.metadata.labels = { ...(pod.metadata.labels ?? {}), [PodNameLabel]: pod.metadata.name, [PodIndexLabel]: String(ordinal) };
}

/** updateStorage: the claim volumes first, then the pod's other volumes (same-named ones replaced). */
export function updateStorage(set: StatefulSet, pod: Pod): void {
  const claims = claimsFor(set, ordinalOf(pod));
  const names = new Set(claims.map(([t]) => t));
  const volumes: Volume[] = claims.map(([t, c]) => ({ name: t, persistentVolumeClaim: { claimName: c.metadata.name! } }));
  for (const v of pod.spec?.volumes ?? []) if (!names.has(v.name)) volumes.push(v);
  if (volumes.length) pod.spec!.volumes = volumes;
}

/** newStatefulSetPod: the template's pod with the ordinal's identity and storage. */
export function newStatefulSetPod(set: StatefulSet, ordinal: number): Pod {
  const pod = podFromTemplate(set.spec!.template, set.metadata.namespace!, '', newControllerRef(set, 'apps/v1', 'StatefulSet'));
  delete pod.metadata.generateName;
  pod.metadata.name = podName(set, ordinal);
  updateIdentity(set, pod);
  // Hostname and subdomain are set at creation only: a pod's are immutable.
  pod.spec!.hostname = pod.metadata.name;
  if (set.spec?.serviceName) pod.spec!.subdomain = set.spec.serviceName;
  updateStorage(set, pod);
  return pod;
}

export const podRevision = (pod: Pod) => pod.metadata.labels?.[RevisionLabel] ?? '';

export function setPodRevision(pod: Pod, revision: string): void {
  pod.metadata.labels = { ...(pod.metadata.labels ?? {}), [RevisionLabel]: revision };
}

export const isRunningAndReady = (pod: Pod) => pod.status?.phase === 'Running' && isPodReady(pod);
export const isRunningAndAvailable = (pod: Pod, minReadySeconds: number, now: number) => isRunningAndReady(pod) && isPodAvailable(pod, minReadySeconds, now);
export const isTerminating = (pod: Pod) => !!pod.metadata.deletionTimestamp;
export const isHealthy = (pod: Pod) => isRunningAndReady(pod) && !isTerminating(pod);
/** Parallel pod management: no waiting for predecessors (allowsBurst). */
export const allowsBurst = (set: StatefulSet) => set.spec?.podManagementPolicy === 'Parallel';
