// The StatefulSet controller (pkg/controller/statefulset): pods with stable names, claims
// and DNS identities, created, replaced and removed in ordinal order, with the set's
// history kept as ControllerRevisions. The per-pass logic is control.ts; the writes for one
// pod are pod-control.ts.
import type { ControllerRevision, Pod, StatefulSet, StatefulSetStatus } from '@k8ts/api';
import { controllerRef, deepCopy, isEmptyLabelSelector, labelsMatchSelector, objectKey, splitObjectKey } from '@k8ts/api';
import { isAlreadyExists, isConflict, isNotFound } from '@k8ts/client';
import type { ControllerContext, Lister, Queue } from '../framework/types.js';
import { claimObjects } from '../framework/ref-manager.js';
import { unwrap } from '../framework/tombstone.js';
import { jsonEqual, newControllerRef } from '../util/objects.js';
import { isMemberOf, podRevision, replicasOf, type Claim } from './identity.js';
import { StatefulPodControl } from './pod-control.js';
import { updateStatefulSet, type Revisions } from './control.js';
import { completeRollingUpdate } from './status.js';
import { applyRevision, equalRevision, newRevision, nextRevision, sortRevisions } from './revision.js';

export interface StatefulSetListers {
  statefulsets: Lister<StatefulSet>;
  pods: Lister<Pod>;
  controllerrevisions: Lister<ControllerRevision>;
  persistentvolumeclaims: Lister<Claim>;
}

const statusFields = ['observedGeneration', 'replicas', 'readyReplicas', 'availableReplicas', 'currentReplicas', 'updatedReplicas', 'currentRevision', 'updateRevision', 'collisionCount'] as const;

/** inconsistentStatus: absent counts as zero, as the Go struct reads it. */
function statusChanged(old: StatefulSetStatus | undefined, st: StatefulSetStatus): boolean {
  const norm = (v: unknown) => v ?? (typeof v === 'string' ? '' : 0);
  return statusFields.some((f) => {
    const a = old?.[f];
    const b = st[f];
    if (typeof a === 'string' || typeof b === 'string') return (a ?? '') !== (b ?? '');
    return norm(a) !== norm(b);
  });
}

export class StatefulSetController {
  static readonly controllerName = 'statefulset';
  private readonly control: StatefulPodControl;
  private readonly now: () => number;

  constructor(
    private readonly ctx: ControllerContext,
    private readonly listers: StatefulSetListers,
    private readonly queue: Queue,
  ) {
    this.control = new StatefulPodControl(ctx, listers.persistentvolumeclaims);
    this.now = ctx.now ?? Date.now;
  }

  // ---- event handlers ----
  onStatefulSet = (set: StatefulSet) => this.queue.add(objectKey(set));
  updateStatefulSet = (_o: StatefulSet, set: StatefulSet) => this.queue.add(objectKey(set));
  deleteStatefulSet = (obj: unknown) => {
    const set = unwrap<StatefulSet>(obj);
    if (set) this.queue.add(objectKey(set));
  };
  addPod = (pod: Pod) => {
    if (pod.metadata.deletionTimestamp) return this.deletePod(pod);
    const owner = this.owner(pod);
    if (owner) return this.queue.add(objectKey(owner));
    if (!controllerRef(pod)) for (const s of this.setsFor(pod)) this.queue.add(objectKey(s));
  };
  updatePod = (old: Pod, cur: Pod) => {
    if (old.metadata.resourceVersion === cur.metadata.resourceVersion) return;
    const oldRef = controllerRef(old);
    const curRef = controllerRef(cur);
    if (oldRef && oldRef.uid !== curRef?.uid) {
      const prev = this.owner(old);
      if (prev) this.queue.add(objectKey(prev));
    }
    const owner = this.owner(cur);
    if (owner) {
      this.queue.add(objectKey(owner));
      // A pod turning ready counts as available only minReadySeconds later.
      const minReady = owner.spec?.minReadySeconds ?? 0;
      if (minReady > 0) this.queue.addAfter(objectKey(owner), minReady * 1000);
      return;
    }
    if (!curRef && (!jsonEqual(old.metadata.labels, cur.metadata.labels) || oldRef)) for (const s of this.setsFor(cur)) this.queue.add(objectKey(s));
  };
  deletePod = (obj: unknown) => {
    const pod = unwrap<Pod>(obj);
    const owner = pod && this.owner(pod);
    if (owner) this.queue.add(objectKey(owner));
  };

  private owner(pod: Pod): StatefulSet | undefined {
    const ref = controllerRef(pod);
    if (ref?.kind !== 'StatefulSet') return undefined;
    const set = this.listers.statefulsets.get(pod.metadata.namespace ?? '', ref.name);
    return set?.metadata.uid === ref.uid ? set : undefined;
  }
  private setsFor(pod: Pod): StatefulSet[] {
    return this.listers.statefulsets.list(pod.metadata.namespace ?? '').filter((s) => !isEmptyLabelSelector(s.spec?.selector) && labelsMatchSelector(pod.metadata.labels, s.spec?.selector));
  }

  // ---- sync ----
  async sync(key: string): Promise<void> {
    const { namespace, name } = splitObjectKey(key);
    const set = this.listers.statefulsets.get(namespace, name);
    if (!set) return;
    if (isEmptyLabelSelector(set.spec?.selector)) {
      this.ctx.recorder.event(set, 'Warning', 'SelectingAll', 'This statefulset is selecting all pods. A non-empty selector is required.');
      return;
    }
    const ownerRef = newControllerRef(set, 'apps/v1', 'StatefulSet');
    const selects = (o: { metadata: { labels?: Record<string, string> } }) => labelsMatchSelector(o.metadata.labels, set.spec?.selector);
    const claim = { client: this.ctx.client, owner: set, ownerResource: 'statefulsets', ownerRef };
    const revisions = await claimObjects<ControllerRevision>(this.listers.controllerrevisions.list(namespace), { ...claim, resource: 'controllerrevisions', match: selects });
    const pods = await claimObjects<Pod>(this.listers.pods.list(namespace), { ...claim, resource: 'pods', match: (p) => isMemberOf(set, p) && selects(p) });

    const r = await this.revisions(set, revisions);
    const status = await updateStatefulSet(set, r, pods, this.control, this.now());
    completeRollingUpdate(set, status);
    if (statusChanged(set.status, status)) await this.writeStatus(set, status);
    await this.truncateHistory(set, pods, revisions, r);
    const minReady = set.spec?.minReadySeconds ?? 0;
    if (minReady > 0 && (status.availableReplicas ?? 0) !== replicasOf(set)) this.queue.addAfter(key, minReady * 1000);
  }

  /** UpdateStatefulSetStatus: a conflict (our cache behind our own last write) retries on the fresh object. */
  private async writeStatus(set: StatefulSet, status: StatefulSetStatus): Promise<void> {
    let next = deepCopy(set);
    for (let attempt = 0; ; attempt++) {
      next.status = status;
      try {
        await this.ctx.client.update('statefulsets', next, { subresource: 'status' });
        return;
      } catch (e) {
        if (isNotFound(e)) return;
        if (!isConflict(e) || attempt >= 4) throw e;
      }
      next = await this.ctx.client.get<StatefulSet>('statefulsets', set.metadata.namespace!, set.metadata.name!);
      if (next.metadata.uid !== set.metadata.uid) return;
    }
  }

  /** getStatefulSetRevisions: the current and update revisions, creating or re-numbering as needed. */
  private async revisions(set: StatefulSet, claimed: ControllerRevision[]): Promise<Revisions> {
    const sorted = sortRevisions(claimed);
    let collisionCount = set.status?.collisionCount ?? 0;
    const next = nextRevision(sorted);
    let update = newRevision(set, next, collisionCount);
    const equal = sorted.filter((x) => equalRevision(x, update));
    const latest = sorted[sorted.length - 1];
    if (latest && equalRevision(latest, update)) update = latest;
    else if (equal.length) {
      // Back to an earlier template (a rollback): that revision becomes the newest.
      const again = deepCopy(equal[equal.length - 1]!);
      again.revision = next;
      update = await this.ctx.client.update<ControllerRevision>('controllerrevisions', again);
    } else ({ rev: update, collisionCount } = await this.createRevision(set, next, collisionCount));
    const current = sorted.find((x) => x.metadata.name === set.status?.currentRevision) ?? update;
    return { current, update, currentSet: applyRevision(set, current), updateSet: applyRevision(set, update), collisionCount };
  }

  /** CreateControllerRevision: a name taken by another template bumps collisionCount and tries again. */
  private async createRevision(set: StatefulSet, revision: number, collisionCount: number): Promise<{ rev: ControllerRevision; collisionCount: number }> {
    for (let n = collisionCount; ; n++) {
      const cr = newRevision(set, revision, n);
      try {
        return { rev: await this.ctx.client.create<ControllerRevision>('controllerrevisions', cr), collisionCount: n };
      } catch (e) {
        if (!isAlreadyExists(e)) throw e;
        const existing = await this.ctx.client.get<ControllerRevision>('controllerrevisions', set.metadata.namespace!, cr.metadata.name!);
        if (equalRevision(existing, cr)) return { rev: existing, collisionCount: n };
      }
    }
  }

  /** truncateHistory: revisions no pod, current or update uses, beyond revisionHistoryLimit, oldest first. */
  private async truncateHistory(set: StatefulSet, pods: Pod[], revisions: ControllerRevision[], r: Revisions): Promise<void> {
    const live = new Set([r.current.metadata.name, r.update.metadata.name, ...pods.map(podRevision)]);
    const history = sortRevisions(revisions).filter((x) => !live.has(x.metadata.name));
    const limit = set.spec?.revisionHistoryLimit ?? 10;
    for (const old of history.slice(0, Math.max(0, history.length - limit))) {
      try {
        await this.ctx.client.delete('controllerrevisions', old.metadata.namespace!, old.metadata.name!);
      } catch (e) {
        if (!isNotFound(e)) throw e;
      }
    }
  }
}
