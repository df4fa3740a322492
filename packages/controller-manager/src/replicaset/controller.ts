// The ReplicaSet controller (pkg/controller/replicaset): keeps spec.replicas active pods
// that match the selector, owned through a controller reference.
import type { KubeObject, Pod, ReplicaSet } from '@k8ts/api';
import { isNotFound } from '@k8ts/client';
import type { ControllerContext, Lister, Queue } from '../framework/types.js';
import { Expectations } from '../framework/expectations.js';
import { deletePods } from '../framework/pod-deletion.js';
import { claimObjects } from '../framework/ref-manager.js';
import { slowStartBatch } from '../framework/slow-start.js';
import { podFromTemplate } from '../framework/pod-template.js';
import { unwrap } from '../framework/tombstone.js';
import { newControllerRef, jsonEqual } from '../util/objects.js';
import { rankPodsForDeletion } from './pod-ranking.js';
import { calculateStatus } from './status.js';
import { controllerRef, deepCopy, isPodActive, isPodReady, labelsMatchSelector, objectKey, splitObjectKey } from '@k8ts/api';

export interface ReplicaSetListers {
  replicasets: Lister<ReplicaSet>;
  pods: Lister<Pod>;
}

export class ReplicaSetController {
  static readonly controllerName = 'replicaset';
  readonly expectations: Expectations;
  private readonly now: () => number;

  constructor(
    private readonly ctx: ControllerContext,
    private readonly listers: ReplicaSetListers,
    private readonly queue: Queue,
  ) {
    this.now = ctx.now ?? Date.now;
    this.expectations = new Expectations(this.now);
  }

  // ---- event handlers ----
  addReplicaSet = (rs: ReplicaSet) => this.queue.add(objectKey(rs));
  updateReplicaSet = (_old: ReplicaSet, cur: ReplicaSet) => this.queue.add(objectKey(cur));
  deleteReplicaSet = (obj: unknown) => {
    const rs = unwrap<ReplicaSet>(obj);
    if (!rs) return;
    this.expectations.delete(objectKey(rs));
    this.queue.add(objectKey(rs));
  };

  addPod = (pod: Pod) => {
    if (pod.metadata.deletionTimestamp) return this.deletePod(pod);
    const ref = controllerRef(pod);
    if (ref) {
      const rs = this.resolveRef(pod.metadata.namespace ?? '', ref);
      if (!rs) return;
      this.expectations.creationObserved(objectKey(rs));
      this.queue.add(objectKey(rs));
      return;
    }
    for (const rs of this.replicaSetsFor(pod)) this.queue.add(objectKey(rs));
  };

  updatePod = (old: Pod, cur: Pod) => {
    if (old.metadata.resourceVersion === cur.metadata.resourceVersion) return;
    const labelsChanged = !jsonEqual(old.metadata.labels, cur.metadata.labels);
    if (cur.metadata.deletionTimestamp) {
      // Graceful deletion started: the pod no longer counts, so tell the owner now
      // instead of when the kubelet finishes it.
      this.deletePod(cur);
      if (labelsChanged) this.deletePod(old);
      return;
    }
    const curRef = controllerRef(cur);
    const oldRef = controllerRef(old);
    if (oldRef && (!curRef || oldRef.uid !== curRef.uid)) {
      const rs = this.resolveRef(old.metadata.namespace ?? '', oldRef);
      if (rs) this.queue.add(objectKey(rs));
    }
    if (curRef) {
      const rs = this.resolveRef(cur.metadata.namespace ?? '', curRef);
      if (!rs) return;
      this.queue.add(objectKey(rs));
      const min = rs.spec?.minReadySeconds ?? 0;
      if (!isPodReady(old) && isPodReady(cur) && min > 0) this.queue.addAfter(objectKey(rs), min * 1000 + 1000);
      return;
    }
    if (labelsChanged || (oldRef && !curRef)) for (const rs of this.replicaSetsFor(cur)) this.queue.add(objectKey(rs));
  };

  deletePod = (obj: unknown) => {
    const pod = unwrap<Pod>(obj);
    if (!pod) return;
    const ref = controllerRef(pod);
    if (!ref) return;
    const rs = this.resolveRef(pod.metadata.namespace ?? '', ref);
    if (!rs) return;
    this.expectations.deletionObserved(objectKey(rs), objectKey(pod));
    this.queue.add(objectKey(rs));
  };

  private resolveRef(namespace: string, ref: { kind: string; name: string; uid: string }): ReplicaSet | undefined {
    if (ref.kind !== 'ReplicaSet') return undefined;
    const rs = this.listers.replicasets.get(namespace, ref.name);
    return rs && rs.metadata.uid === ref.uid ? rs : undefined;
  }

  private replicaSetsFor(pod: Pod): ReplicaSet[] {
    return this.listers.replicasets
      .list(pod.metadata.namespace ?? '')
      .filter((rs) => labelsMatchSelector(pod.metadata.labels, rs.spec?.selector));
  }

  // ---- sync ----
  async sync(key: string): Promise<void> {
    const { namespace, name } = splitObjectKey(key);
    const rs = this.listers.replicasets.get(namespace, name);
    if (!rs) {
      this.expectations.delete(key);
      return;
    }
    const needsSync = this.expectations.satisfied(key) && !rs.metadata.deletionTimestamp;
    const all = this.listers.pods.list(namespace);
    const active = all.filter(isPodActive);
    const pods = await claimObjects<Pod>(active, {
      client: this.ctx.client,
      owner: rs,
      ownerResource: 'replicasets',
      ownerRef: newControllerRef(rs, 'apps/v1', 'ReplicaSet'),
      resource: 'pods',
      match: (p) => labelsMatchSelector(p.metadata.labels, rs.spec?.selector),
    });
    let manageError: unknown;
    if (needsSync) {
      try {
        await this.manageReplicas(pods, rs, key);
      } catch (e) {
        manageError = e;
      }
    }
    const status = calculateStatus(rs, pods, this.now(), manageError && isCreateError(manageError) ? errMessage(manageError) : undefined);
    const updated = await this.updateStatus(rs, status);
    const min = rs.spec?.minReadySeconds ?? 0;
    if (!manageError && min > 0 && updated.readyReplicas === (rs.spec?.replicas ?? 1) && updated.availableReplicas !== updated.readyReplicas)
      this.queue.addAfter(key, min * 1000);
    if (manageError) throw manageError;
  }

  private async manageReplicas(pods: Pod[], rs: ReplicaSet, key: string): Promise<void> {
    const want = rs.spec?.replicas ?? 1;
    const diff = pods.length - want;
    const burst = this.ctx.options.burstReplicas;
    if (diff < 0) {
      const n = Math.min(-diff, burst);
      this.expectations.expectCreations(key, n);
      const ref = newControllerRef(rs, 'apps/v1', 'ReplicaSet');
      const { successes, error } = await slowStartBatch(n, 1, async () => {
        const pod = podFromTemplate(rs.spec!.template!, rs.metadata.namespace!, `${rs.metadata.name}-`, ref);
        try {
          const created = await this.ctx.client.create<Pod>('pods', pod);
          this.ctx.recorder.event(rs, 'Normal', 'SuccessfulCreate', `Created pod: ${created.metadata.name}`);
        } catch (e) {
          this.ctx.recorder.event(rs, 'Warning', 'FailedCreate', `Error creating: ${errMessage(e)}`);
          throw Object.assign(new CreateError(errMessage(e)), { cause: e });
        }
      });
      // Creations never attempted or failed will never be observed.
      if (n - successes > 0) this.expectations.lowerCreations(key, n - successes);
      if (error) throw error;
      return;
    }
    if (diff > 0) {
      const n = Math.min(diff, burst);
      const related = this.relatedPods(rs);
      const victims = rankPodsForDeletion(pods, related).slice(0, n);
      const errors = await deletePods(this.ctx, rs, this.expectations, key, victims);
      if (errors.length) throw errors[0];
    }
  }

  /** Pods of sibling ReplicaSets (same Deployment) too: spreading counts across versions. */
  private relatedPods(rs: ReplicaSet): Pod[] {
    const owner = controllerRef(rs);
    const siblings = owner
      ? this.listers.replicasets.list(rs.metadata.namespace ?? '').filter((x) => controllerRef(x)?.uid === owner.uid)
      : [rs];
    const uids = new Set(siblings.map((x) => x.metadata.uid));
    return this.listers.pods.list(rs.metadata.namespace ?? '').filter((p) => isPodActive(p) && uids.has(controllerRef(p)?.uid));
  }

  private async updateStatus(rs: ReplicaSet, status: NonNullable<ReplicaSet['status']>): Promise<NonNullable<ReplicaSet['status']>> {
    if (jsonEqual(normalize(rs.status), normalize(status))) return status;
    let cur: KubeObject = rs;
    for (let attempt = 0; ; attempt++) {
      const next = deepCopy(cur);
      next.status = status;
      try {
        await this.ctx.client.update('replicasets', next, { subresource: 'status' });
        return status;
      } catch (e) {
        if (attempt >= 1 || isNotFound(e)) throw e;
        cur = await this.ctx.client.get('replicasets', rs.metadata.namespace!, rs.metadata.name!);
      }
    }
  }
}

class CreateError extends Error {}
function isCreateError(e: unknown): boolean {
  return e instanceof CreateError;
}
function errMessage(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}
function normalize(s: NonNullable<ReplicaSet['status']> | undefined) {
  return { replicas: 0, fullyLabeledReplicas: 0, readyReplicas: 0, availableReplicas: 0, ...(s ?? {}) };
}
