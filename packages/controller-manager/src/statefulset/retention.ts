// persistentVolumeClaimRetentionPolicy as owner references on the claims (isClaimOwnerUpToDate,
// updateClaimOwnerRefForSetAndPod): the garbage collector then deletes a claim with its set
// (whenDeleted: Delete: the set is the claim's controller) or with its scaled-down pod
// (whenScaled: Delete: the condemned pod becomes the controller before it is deleted).
import type { KubeObject, OwnerReference, Pod, StatefulSet } from '@k8ts/api';
import { newControllerRef } from '../util/objects.js';
import { inOrdinalRange, type Claim } from './identity.js';

interface Policy {
  whenDeleted: string;
  whenScaled: string;
}

export function retentionPolicy(set: StatefulSet): Policy {
  const p = set.spec?.persistentVolumeClaimRetentionPolicy;
  return { whenDeleted: p?.whenDeleted || 'Retain', whenScaled: p?.whenScaled || 'Retain' };
}

const hasRef = (claim: KubeObject, owner: KubeObject) => !!owner.metadata.uid && (claim.metadata.ownerReferences ?? []).some((r) => r.uid === owner.metadata.uid);
const matchesRef = (r: OwnerReference, owner: KubeObject, kind: string) => r.kind === kind && r.name === owner.metadata.name;

/** A reference to the owner's name and kind but another uid: left by an earlier incarnation. */
export function hasStaleRef(claim: KubeObject, owner: KubeObject, kind: string): boolean {
  const r = (claim.metadata.ownerReferences ?? []).find((x) => matchesRef(x, owner, kind));
  return !!r && r.uid !== owner.metadata.uid;
}

/** Some controller other than this set and pod: refs to them are removed, none added. */
function unexpectedController(claim: Claim, set: StatefulSet, pod: Pod): boolean {
  return (claim.metadata.ownerReferences ?? []).some((r) => r.controller && r.uid !== set.metadata.uid && r.uid !== pod.metadata.uid);
}

function nonControllerOwner(claim: Claim, set: StatefulSet, pod: Pod): boolean {
  return (claim.metadata.ownerReferences ?? []).some((r) => (r.uid === set.metadata.uid || r.uid === pod.metadata.uid) && !r.controller);
}

/** The owners the policy wants on the claim of `pod`: [set?, pod?]. */
function wanted(set: StatefulSet, pod: Pod): { set: boolean; pod: boolean } {
  const p = retentionPolicy(set);
  const scaledDown = !inOrdinalRange(pod, set);
  const onScale = p.whenScaled === 'Delete' && scaledDown;
  return { set: p.whenDeleted === 'Delete' && !onScale, pod: onScale };
}

export function claimOwnerUpToDate(claim: Claim, set: StatefulSet, pod: Pod): boolean {
  if (hasStaleRef(claim, set, 'StatefulSet') || hasStaleRef(claim, pod, 'Pod')) return true;
  if (unexpectedController(claim, set, pod)) return !hasRef(claim, set) && !hasRef(claim, pod);
  if (nonControllerOwner(claim, set, pod)) return false;
  const w = wanted(set, pod);
  return hasRef(claim, set) === w.set && hasRef(claim, pod) === w.pod;
}

/** The claim's ownerReferences as the policy wants them (the claim is changed in place). */
export function updateClaimOwnerRefs(claim: Claim, set: StatefulSet, pod: Pod): void {
  const unexpected = unexpectedController(claim, set, pod);
  const refs = (claim.metadata.ownerReferences ?? []).filter((r) => !matchesRef(r, set, 'StatefulSet') && !matchesRef(r, pod, 'Pod'));
  if (!unexpected) {
    const w = wanted(set, pod);
    if (w.set) refs.push(newControllerRef(set, 'apps/v1', 'StatefulSet'));
    if (w.pod && pod.metadata.uid) refs.push(newControllerRef(pod, 'v1', 'Pod'));
  }
  if (refs.length) claim.metadata.ownerReferences = refs;
  else delete claim.metadata.ownerReferences;
}
