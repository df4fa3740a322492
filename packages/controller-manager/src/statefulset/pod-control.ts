// StatefulPodControl: the writes the StatefulSet controller makes for one pod (the pod, its
// claims, their owner references), each recorded as an Event in upstream's words.
import type { Pod, StatefulSet } from '@k8ts/api';
import { deepCopy, objectKey } from '@k8ts/api';
import { isAlreadyExists, isNotFound } from '@k8ts/client';
import type { ControllerContext, Lister } from '../framework/types.js';
import { claimsFor, identityMatches, ordinalOf, storageMatches, updateIdentity, updateStorage, type Claim } from './identity.js';
import { claimOwnerUpToDate, hasStaleRef, retentionPolicy, updateClaimOwnerRefs } from './retention.js';

const msg = (e: unknown) => (e instanceof Error ? e.message : String(e));

export class StatefulPodControl {
  constructor(
    private readonly ctx: ControllerContext,
    private readonly claims: Lister<Claim>,
  ) {}

  event(set: StatefulSet, type: 'Normal' | 'Warning', reason: string, message: string): void {
    this.ctx.recorder.event(set, type, reason, message);
  }

  private podEvent(verb: string, set: StatefulSet, pod: Pod, err?: unknown): void {
    const what = `${verb} Pod ${pod.metadata.name} in StatefulSet ${set.metadata.name}`;
    const reason = `${verb[0]!.toUpperCase()}${verb.slice(1)}`;
    if (err === undefined) this.ctx.recorder.event(set, 'Normal', `Successful${reason}`, `${what} successful`);
    else this.ctx.recorder.event(set, 'Warning', `Failed${reason}`, `${what} failed error: ${msg(err)}`);
  }

  private claimEvent(set: StatefulSet, pod: Pod, claim: Claim, err?: unknown): void {
    const c = claim.metadata.name;
    const where = `Pod ${pod.metadata.name} in StatefulSet ${set.metadata.name}`;
    if (err === undefined) this.ctx.recorder.event(set, 'Normal', 'SuccessfulCreate', `create Claim ${c} ${where} success`);
    else this.ctx.recorder.event(set, 'Warning', 'FailedCreate', `create Claim ${c} for ${where} failed error: ${msg(err)}`);
  }

  /** createPersistentVolumeClaims: each missing claim of the pod's ordinal; one being deleted is an error. */
  async createClaims(set: StatefulSet, pod: Pod): Promise<void> {
    const errors: string[] = [];
    for (const [, claim] of claimsFor(set, ordinalOf(pod))) {
      const existing = this.claims.get(claim.metadata.namespace!, claim.metadata.name!);
      if (existing) {
        if (existing.metadata.deletionTimestamp) errors.push(`pvc ${claim.metadata.name} is being deleted`);
        continue;
      }
      try {
        await this.ctx.client.create('persistentvolumeclaims', claim);
        this.claimEvent(set, pod, claim);
      } catch (e) {
        // Our cache may lag our own create: the claim is there, which is all we want.
        if (isAlreadyExists(e)) continue;
        this.claimEvent(set, pod, claim, e);
        errors.push(`failed to create PVC ${claim.metadata.name}: ${msg(e)}`);
      }
    }
    if (errors.length) throw new Error(errors.join(', '));
  }

  /** CreateStatefulPod: claims first, then the pod, then the claims' owners as far as known. */
  async createPod(set: StatefulSet, pod: Pod): Promise<void> {
    try {
      await this.createClaims(set, pod);
    } catch (e) {
      this.podEvent('create', set, pod, e);
      throw e;
    }
    let created: Pod;
    try {
      created = await this.ctx.client.create<Pod>('pods', pod);
    } catch (e) {
      if (!isAlreadyExists(e)) this.podEvent('create', set, pod, e);
      throw e;
    }
    this.podEvent('create', set, pod);
    this.ctx.logger.info({ object: objectKey(created), statefulset: objectKey(set), reason: 'SuccessfulCreate' }, 'created stateful pod');
    await this.updateClaimsForPolicy(set, created);
  }

  async deletePod(set: StatefulSet, pod: Pod): Promise<void> {
    try {
      await this.ctx.client.delete('pods', pod.metadata.namespace!, pod.metadata.name!, { preconditions: { uid: pod.metadata.uid } });
      this.podEvent('delete', set, pod);
      this.ctx.logger.info({ object: objectKey(pod), statefulset: objectKey(set), reason: 'SuccessfulDelete' }, 'deleted stateful pod');
    } catch (e) {
      if (isNotFound(e)) return;
      this.podEvent('delete', set, pod, e);
      throw e;
    }
  }

  /** PodClaimIsStale: with whenScaled Delete, a claim still owned by an earlier pod of this name waits for the GC. */
  claimIsStale(set: StatefulSet, pod: Pod): boolean {
    if (retentionPolicy(set).whenScaled === 'Retain') return false;
    return claimsFor(set, ordinalOf(pod)).some(([, c]) => {
      const existing = this.claims.get(c.metadata.namespace!, c.metadata.name!);
      return !!existing && hasStaleRef(existing, pod, 'Pod');
    });
  }

  claimsMatchPolicy(set: StatefulSet, pod: Pod): boolean {
    return claimsFor(set, ordinalOf(pod)).every(([, c]) => {
      const existing = this.claims.get(c.metadata.namespace!, c.metadata.name!);
      return !existing || claimOwnerUpToDate(existing, set, pod);
    });
  }

  /** UpdatePodClaimForRetentionPolicy: rewrites the owner references of the pod's existing claims. */
  async updateClaimsForPolicy(set: StatefulSet, pod: Pod): Promise<void> {
    for (const [, c] of claimsFor(set, ordinalOf(pod))) {
      const existing = this.claims.get(c.metadata.namespace!, c.metadata.name!);
      if (!existing || claimOwnerUpToDate(existing, set, pod)) continue;
      const next = deepCopy(existing);
      updateClaimOwnerRefs(next, set, pod);
      try {
        await this.ctx.client.update('persistentvolumeclaims', next);
      } catch (e) {
        if (!isNotFound(e)) throw e;
      }
    }
  }

  /** UpdateStatefulPod: identity labels, claim volumes and claim owners brought back in line. */
  async updatePod(set: StatefulSet, cached: Pod): Promise<void> {
    const pod = deepCopy(cached);
    let consistent = true;
    if (!identityMatches(set, pod)) {
      updateIdentity(set, pod);
      consistent = false;
    }
    if (!storageMatches(set, pod)) {
      updateStorage(set, pod);
      consistent = false;
      await this.createClaims(set, pod);
    }
    if (!this.claimsMatchPolicy(set, pod)) await this.updateClaimsForPolicy(set, pod);
    if (consistent) return;
    try {
      await this.ctx.client.update('pods', pod);
      this.podEvent('update', set, pod);
    } catch (e) {
      this.podEvent('update', set, pod, e);
      throw e;
    }
  }
}
