// The Deployment controller (pkg/controller/deployment): owns ReplicaSets named after the
// pod template's hash and moves replicas between them per strategy.
// long: the controller's handlers, sync, both strategies and proportional scaling share its
// listers, expectations and writes; the pure parts are in util.ts and status.ts.
import type { Deployment, Pod, ReplicaSet } from '@k8ts/api';
import { isAlreadyExists, isNotFound } from '@k8ts/client';
import type { ControllerContext, Lister, Queue } from '../framework/types.js';
import { claimObjects } from '../framework/ref-manager.js';
import { unwrap } from '../framework/tombstone.js';
import { byCreation, jsonEqual, newControllerRef } from '../util/objects.js';
import { computeHash } from '../util/hash.js';
import * as u from './util.js';
import * as s from './status.js';
import { controllerRef, deepCopy, isEmptyLabelSelector, labelsMatchSelector, objectKey, splitObjectKey } from '@k8ts/api';

export interface DeploymentListers {
  deployments: Lister<Deployment>;
  replicasets: Lister<ReplicaSet>;
  pods: Lister<Pod>;
}

export class DeploymentController {
  static readonly controllerName = 'deployment';
  private readonly now: () => number;

  constructor(
    private readonly ctx: ControllerContext,
    private readonly listers: DeploymentListers,
    private readonly queue: Queue,
  ) {
    this.now = ctx.now ?? Date.now;
  }

  // ---- event handlers ----
  addDeployment = (d: Deployment) => this.queue.add(objectKey(d));
  updateDeployment = (_o: Deployment, d: Deployment) => this.queue.add(objectKey(d));
  deleteDeployment = (obj: unknown) => {
    const d = unwrap<Deployment>(obj);
    if (d) this.queue.add(objectKey(d));
  };

  addReplicaSet = (rs: ReplicaSet) => {
    const ref = controllerRef(rs);
    if (ref) {
      const d = this.resolveRef(rs.metadata.namespace ?? '', ref);
      if (d) this.queue.add(objectKey(d));
      return;
    }
    for (const d of this.deploymentsFor(rs)) this.queue.add(objectKey(d));
  };
  updateReplicaSet = (old: ReplicaSet, cur: ReplicaSet) => {
    if (old.metadata.resourceVersion === cur.metadata.resourceVersion) return;
    const oldRef = controllerRef(old);
    const curRef = controllerRef(cur);
    if (oldRef && oldRef.uid !== curRef?.uid) {
      const d = this.resolveRef(old.metadata.namespace ?? '', oldRef);
      if (d) this.queue.add(objectKey(d));
    }
    if (curRef) {
      const d = this.resolveRef(cur.metadata.namespace ?? '', curRef);
      if (d) this.queue.add(objectKey(d));
      return;
    }
    if (!jsonEqual(old.metadata.labels, cur.metadata.labels) || oldRef) for (const d of this.deploymentsFor(cur)) this.queue.add(objectKey(d));
  };
  deleteReplicaSet = (obj: unknown) => {
    const rs = unwrap<ReplicaSet>(obj);
    const ref = rs && controllerRef(rs);
    const d = ref && this.resolveRef(rs.metadata.namespace ?? '', ref);
    if (d) this.queue.add(objectKey(d));
  };
  /** Recreate waits for old pods to be gone: a pod going away may unblock it. */
  deletePod = (obj: unknown) => {
    const pod = unwrap<Pod>(obj);
    const ref = pod && controllerRef(pod);
    if (!pod || !ref || ref.kind !== 'ReplicaSet') return;
    const rs = this.listers.replicasets.get(pod.metadata.namespace ?? '', ref.name);
    const dref = rs && controllerRef(rs);
    const d = dref && this.resolveRef(rs.metadata.namespace ?? '', dref);
    if (d && d.spec?.strategy?.type === 'Recreate') this.queue.add(objectKey(d));
  };

  private resolveRef(ns: string, ref: { kind: string; name: string; uid: string }): Deployment | undefined {
    if (ref.kind !== 'Deployment') return undefined;
    const d = this.listers.deployments.get(ns, ref.name);
    return d?.metadata.uid === ref.uid ? d : undefined;
  }
  private deploymentsFor(rs: ReplicaSet): Deployment[] {
    return this.listers.deployments.list(rs.metadata.namespace ?? '').filter((d) => !isEmptyLabelSelector(d.spec?.selector) && labelsMatchSelector(rs.metadata.labels, d.spec?.selector));
  }

  // ---- sync ----
  async sync(key: string): Promise<void> {
    const { namespace, name } = splitObjectKey(key);
    const cached = this.listers.deployments.get(namespace, name);
    if (!cached) return;
    let d = deepCopy(cached);
    if (isEmptyLabelSelector(d.spec?.selector)) {
      this.ctx.recorder.event(d, 'Warning', 'SelectingAll', 'This deployment is selecting all pods. A non-empty selector is required.');
      if (d.status?.observedGeneration !== d.metadata.generation) await this.writeStatus(d, { ...(d.status ?? {}), observedGeneration: d.metadata.generation });
      return;
    }
    const rsList = await this.claimReplicaSets(d);
    if (d.metadata.deletionTimestamp) return this.syncStatusOnly(d, rsList);
    d = await this.checkPausedConditions(d);
    if (d.spec?.paused) return this.syncScale(d, rsList);
    if (await this.isScalingEvent(d, rsList)) return this.syncScale(d, rsList);
    if (d.spec?.strategy?.type === 'Recreate') return this.rolloutRecreate(d, rsList);
    return this.rolloutRolling(d, rsList);
  }

  private async claimReplicaSets(d: Deployment): Promise<ReplicaSet[]> {
    return claimObjects<ReplicaSet>(this.listers.replicasets.list(d.metadata.namespace ?? ''), {
      client: this.ctx.client,
      owner: d,
      ownerResource: 'deployments',
      ownerRef: newControllerRef(d, 'apps/v1', 'Deployment'),
      resource: 'replicasets',
      match: (rs) => labelsMatchSelector(rs.metadata.labels, d.spec?.selector),
    });
  }

  /** getAllReplicaSetsAndSyncRevision: new RS (created when asked) and the old ones. */
  private async getAll(d: Deployment, rsList: ReplicaSet[], create: boolean): Promise<{ d: Deployment; newRS?: ReplicaSet; oldRSs: ReplicaSet[] }> {
    const existing = u.findNewReplicaSet(d, rsList);
    const oldRSs = u.findOldReplicaSets(d, rsList, existing);
    const newRevision = u.maxRevision(oldRSs) + 1;
    if (existing) {
      let rs = existing;
      const annotations = u.rsAnnotations(d, newRevision, u.replicasOf(existing), existing.metadata.annotations ?? {});
      // A template rolled back to an old ReplicaSet's makes that one new again: it takes the
      // next revision (the annotation only ever grows) and is scaled up from here on.
      const minReady = d.spec?.minReadySeconds ?? 0;
      if (!jsonEqual(annotations, existing.metadata.annotations ?? {}) || (existing.spec?.minReadySeconds ?? 0) !== minReady) {
        const next = deepCopy(existing);
        next.metadata.annotations = annotations;
        next.spec!.minReadySeconds = minReady;
        rs = await this.ctx.client.update<ReplicaSet>('replicasets', next);
      }
      d = await this.setDeploymentRevision(d, rs.metadata.annotations?.[u.RevisionAnnotation]);
      if (s.hasProgressDeadline(d) && !s.getCondition(d.status, 'Progressing')) {
        const st = deepCopy(d.status ?? {});
        s.setCondition(st, s.newCondition('Progressing', 'True', s.FoundNewRSReason, `Found new replica set "${rs.metadata.name}"`, this.now()));
        d = await this.writeStatus(d, st);
      }
      return { d, newRS: rs, oldRSs };
    }
    if (!create) return { d, oldRSs };

    const template = deepCopy(d.spec!.template!);
    const hash = computeHash(template, d.status?.collisionCount);
    template.metadata = { ...(template.metadata ?? {}), labels: { ...(template.metadata?.labels ?? {}), [u.PodTemplateHashLabel]: hash } };
    const selector = deepCopy(d.spec!.selector!);
    selector.matchLabels = { ...(selector.matchLabels ?? {}), [u.PodTemplateHashLabel]: hash };
    const newRS: ReplicaSet = {
      apiVersion: 'apps/v1',
      kind: 'ReplicaSet',
      metadata: {
        name: `${d.metadata.name}-${hash}`,
        namespace: d.metadata.namespace,
        ownerReferences: [newControllerRef(d, 'apps/v1', 'Deployment')],
        labels: template.metadata.labels,
      },
      spec: { replicas: 0, minReadySeconds: d.spec?.minReadySeconds ?? 0, selector, template },
    };
    const replicas = u.newRSNewReplicas(d, [...oldRSs, newRS], newRS);
    newRS.spec!.replicas = replicas;
    newRS.metadata.annotations = u.rsAnnotations(d, newRevision, replicas);
    let created: ReplicaSet;
    try {
      created = await this.ctx.client.create<ReplicaSet>('replicasets', newRS);
    } catch (e) {
      if (!isAlreadyExists(e)) {
        // Bad template or quota: say so on the Deployment, then retry with backoff.
        const msg = `Failed to create new replica set "${newRS.metadata.name}": ${e instanceof Error ? e.message : String(e)}`;
        this.ctx.recorder.event(d, 'Warning', 'ReplicaSetCreateError', msg);
        if (s.hasProgressDeadline(d)) {
          const st = deepCopy(d.status ?? {});
          s.setCondition(st, s.newCondition('Progressing', 'False', 'ReplicaSetCreateError', msg, this.now()));
          await this.writeStatus(d, st).catch(() => undefined);
        }
        throw e;
      }
      // Our cache may just lag our own create; a different template under this name is a
      // hash collision, resolved by bumping collisionCount (which changes the hash).
      const other = await this.ctx.client.get<ReplicaSet>('replicasets', d.metadata.namespace!, newRS.metadata.name!);
      if (controllerRef(other)?.uid === d.metadata.uid && u.equalIgnoreHash(other.spec?.template, d.spec?.template)) return { d, newRS: other, oldRSs };
      const st = deepCopy(d.status ?? {});
      st.collisionCount = (st.collisionCount ?? 0) + 1;
      await this.writeStatus(d, st);
      throw new Error(`hash collision for ReplicaSet ${newRS.metadata.name}; collisionCount now ${st.collisionCount}`);
    }
    if (replicas > 0) this.ctx.recorder.event(d, 'Normal', 'ScalingReplicaSet', `Scaled up replica set ${created.metadata.name} to ${replicas}`);
    d = await this.setDeploymentRevision(d, String(newRevision));
    if (s.hasProgressDeadline(d)) {
      const st = deepCopy(d.status ?? {});
      s.setCondition(st, s.newCondition('Progressing', 'True', s.NewReplicaSetReason, `Created new replica set "${created.metadata.name}"`, this.now()));
      d = await this.writeStatus(d, st);
    }
    return { d, newRS: created, oldRSs };
  }

  private async setDeploymentRevision(d: Deployment, revision: string | undefined): Promise<Deployment> {
    if (revision === undefined || d.metadata.annotations?.[u.RevisionAnnotation] === revision) return d;
    const next = deepCopy(d);
    next.metadata.annotations = { ...(next.metadata.annotations ?? {}), [u.RevisionAnnotation]: revision };
    const updated = await this.ctx.client.update<Deployment>('deployments', next);
    return { ...updated, status: d.status };
  }

  private async writeStatus(d: Deployment, status: s.DeploymentStatus): Promise<Deployment> {
    const next = deepCopy(d);
    next.status = status;
    const updated = await this.ctx.client.update<Deployment>('deployments', next, { subresource: 'status' });
    return { ...updated, status };
  }

  /** Sets the size of a ReplicaSet and the desired/max annotations; records the event. */
  private async scaleReplicaSet(rs: ReplicaSet, size: number, d: Deployment): Promise<{ scaled: boolean; rs: ReplicaSet }> {
    const old = u.replicasOf(rs);
    const annotations = u.rsAnnotations(d, undefined, size, rs.metadata.annotations ?? {});
    if (old === size && jsonEqual(annotations, rs.metadata.annotations ?? {})) return { scaled: false, rs };
    const next = deepCopy(rs);
    next.spec = { ...next.spec!, replicas: size };
    next.metadata.annotations = annotations;
    const updated = await this.ctx.client.update<ReplicaSet>('replicasets', next);
    if (old !== size) {
      const dir = size > old ? 'up' : 'down';
      this.ctx.recorder.event(d, 'Normal', 'ScalingReplicaSet', `Scaled ${dir} replica set ${rs.metadata.name} to ${size} from ${old}`);
    }
    return { scaled: old !== size, rs: updated };
  }

  // ---- strategies ----
  private async rolloutRolling(d0: Deployment, rsList: ReplicaSet[]): Promise<void> {
    const { d, newRS, oldRSs } = await this.getAll(d0, rsList, true);
    const all = [...oldRSs, newRS!];
    if (await this.reconcileNewReplicaSet(all, newRS!, d)) return this.syncRolloutStatus(all, newRS, d);
    if (await this.reconcileOldReplicaSets(all, u.filterActive(oldRSs), newRS!, d)) return this.syncRolloutStatus(all, newRS, d);
    if (u.deploymentComplete(d, d.status ?? {})) await this.cleanup(oldRSs, d);
    return this.syncRolloutStatus(all, newRS, d);
  }

  private async reconcileNewReplicaSet(all: ReplicaSet[], newRS: ReplicaSet, d: Deployment): Promise<boolean> {
    const want = u.replicasOf(d);
    if (u.replicasOf(newRS) === want) return false;
    if (u.replicasOf(newRS) > want) return (await this.scaleReplicaSet(newRS, want, d)).scaled;
    return (await this.scaleReplicaSet(newRS, u.newRSNewReplicas(d, all, newRS), d)).scaled;
  }

  private async reconcileOldReplicaSets(all: ReplicaSet[], oldRSs: ReplicaSet[], newRS: ReplicaSet, d: Deployment): Promise<boolean> {
    if (u.specReplicas(oldRSs) === 0) return false;
    const allPods = u.specReplicas(all);
    const minAvailable = u.replicasOf(d) - u.maxUnavailable(d);
    const newUnavailable = u.replicasOf(newRS) - (newRS.status?.availableReplicas ?? 0);
    const maxScaledDown = allPods - minAvailable - newUnavailable;
    if (maxScaledDown <= 0) return false;
    // First remove old replicas that are not available anyway: they cost no availability.
    let cleaned = 0;
    const olds = [...oldRSs].sort(byCreation);
    for (let i = 0; i < olds.length; i++) {
      const rs = olds[i]!;
      if (cleaned >= maxScaledDown) break;
      const size = u.replicasOf(rs);
      const avail = rs.status?.availableReplicas ?? 0;
      if (size === 0 || size === avail) continue;
      const down = Math.min(maxScaledDown - cleaned, size - avail);
      const r = await this.scaleReplicaSet(rs, size - down, d);
      olds[i] = r.rs;
      cleaned += down;
    }
    // Then scale down available old replicas while keeping minAvailable.
    const allNow = [...olds, newRS];
    const available = u.availableReplicas(allNow);
    let scaled = 0;
    if (available > minAvailable) {
      const total = available - minAvailable;
      for (const rs of olds) {
        if (scaled >= total) break;
        const size = u.replicasOf(rs);
        if (size === 0) continue;
        const down = Math.min(size, total - scaled);
        await this.scaleReplicaSet(rs, size - down, d);
        scaled += down;
      }
    }
    return cleaned + scaled > 0;
  }

  private async rolloutRecreate(d0: Deployment, rsList: ReplicaSet[]): Promise<void> {
    let { d, newRS, oldRSs } = await this.getAll(d0, rsList, false);
    let all = [...oldRSs, ...(newRS ? [newRS] : [])];
    let scaledDown = false;
    for (const rs of u.filterActive(oldRSs)) if ((await this.scaleReplicaSet(rs, 0, d)).scaled) scaledDown = true;
    if (scaledDown) return this.syncRolloutStatus(all, newRS, d);
    if (this.oldPodsRunning(newRS, oldRSs)) return this.syncRolloutStatus(all, newRS, d);
    if (!newRS) {
      ({ d, newRS, oldRSs } = await this.getAll(d, rsList, true));
      all = [...oldRSs, newRS!];
    }
    await this.scaleReplicaSet(newRS!, u.replicasOf(d), d);
    if (u.deploymentComplete(d, d.status ?? {})) await this.cleanup(oldRSs, d);
    return this.syncRolloutStatus(all, newRS, d);
  }

  private oldPodsRunning(newRS: ReplicaSet | undefined, oldRSs: ReplicaSet[]): boolean {
    if (u.statusReplicas(oldRSs) > 0) return true;
    const uids = new Set(oldRSs.map((r) => r.metadata.uid));
    return this.listers.pods
      .list(oldRSs[0]?.metadata.namespace ?? newRS?.metadata.namespace ?? '')
      .some((p) => uids.has(controllerRef(p)?.uid) && p.status?.phase !== 'Failed' && p.status?.phase !== 'Succeeded');
  }

  // ---- scaling (also while paused) ----
  /** Read-only: the writes getAll would do happen in the sync that follows. */
  private async isScalingEvent(d0: Deployment, rsList: ReplicaSet[]): Promise<boolean> {
    const newRS = u.findNewReplicaSet(d0, rsList);
    const oldRSs = u.findOldReplicaSets(d0, rsList, newRS);
    for (const rs of u.filterActive([newRS, ...oldRSs])) {
      const desired = rs.metadata.annotations?.[u.DesiredReplicasAnnotation];
      if (desired === undefined) continue;
      if (Number(desired) !== u.replicasOf(d0)) return true;
    }
    return false;
  }

  private async syncScale(d0: Deployment, rsList: ReplicaSet[]): Promise<void> {
    const { d, newRS, oldRSs } = await this.getAll(d0, rsList, false);
    await this.scale(d, newRS, oldRSs);
    if (d.spec?.paused) await this.cleanup(oldRSs, d);
    const fresh = this.refreshed([...oldRSs, ...(newRS ? [newRS] : [])]);
    await this.syncDeploymentStatus(fresh, newRS && this.refreshed([newRS])[0], d);
  }

  /** After scaling, our copies may be stale only in spec; status comes from the cache. */
  private refreshed(rss: ReplicaSet[]): ReplicaSet[] {
    return rss.map((rs) => this.listers.replicasets.get(rs.metadata.namespace ?? '', rs.metadata.name!) ?? rs);
  }

  private async scale(d: Deployment, newRS: ReplicaSet | undefined, oldRSs: ReplicaSet[]): Promise<void> {
    const activeOrLatest = findActiveOrLatest(newRS, oldRSs);
    if (activeOrLatest) {
      if (u.replicasOf(activeOrLatest) !== u.replicasOf(d)) await this.scaleReplicaSet(activeOrLatest, u.replicasOf(d), d);
      return;
    }
    if (u.isSaturated(d, newRS)) {
      for (const rs of u.filterActive(oldRSs)) await this.scaleReplicaSet(rs, 0, d);
      return;
    }
    if (!u.isRollingUpdate(d)) return;
    const all = u.filterActive([newRS, ...oldRSs]);
    const allowed = u.replicasOf(d) > 0 ? u.replicasOf(d) + u.maxSurge(d) : 0;
    const toAdd = allowed - u.specReplicas(all);
    // Larger first; on scale up newer first, on scale down older first.
    all.sort((a, b) => u.replicasOf(b) - u.replicasOf(a) || (toAdd > 0 ? -byCreation(a, b) : byCreation(a, b)));
    const sizes = new Map<string, number>();
    let added = 0;
    for (const rs of all) {
      if (toAdd !== 0) {
        const p = proportion(rs, d, toAdd, added);
        sizes.set(rs.metadata.uid!, u.replicasOf(rs) + p);
        added += p;
      } else sizes.set(rs.metadata.uid!, u.replicasOf(rs));
    }
    if (all.length) {
      const first = all[0]!.metadata.uid!;
      sizes.set(first, Math.max(0, sizes.get(first)! + toAdd - added));
    }
    for (const rs of all) await this.scaleReplicaSet(rs, sizes.get(rs.metadata.uid!)!, d);
  }

  // ---- cleanup and status ----
  private async cleanup(oldRSs: ReplicaSet[], d: Deployment): Promise<void> {
    const limit = d.spec?.revisionHistoryLimit ?? 10;
    const alive = oldRSs.filter((rs) => !rs.metadata.deletionTimestamp);
    const diff = alive.length - limit;
    if (diff <= 0) return;
    alive.sort((a, b) => u.revisionOf(a) - u.revisionOf(b) || byCreation(a, b));
    for (const rs of alive.slice(0, diff)) {
      if ((rs.status?.replicas ?? 0) !== 0 || u.replicasOf(rs) !== 0 || (rs.metadata.generation ?? 0) > (rs.status?.observedGeneration ?? 0)) continue;
      try {
        await this.ctx.client.delete('replicasets', rs.metadata.namespace!, rs.metadata.name!);
      } catch (e) {
        if (!isNotFound(e)) throw e;
      }
    }
  }

  private async syncStatusOnly(d0: Deployment, rsList: ReplicaSet[]): Promise<void> {
    const { d, newRS, oldRSs } = await this.getAll(d0, rsList, false);
    return this.syncDeploymentStatus([...oldRSs, ...(newRS ? [newRS] : [])], newRS, d);
  }

  private async syncDeploymentStatus(all: ReplicaSet[], newRS: ReplicaSet | undefined, d: Deployment): Promise<void> {
    const st = s.calculateStatus(all, newRS, d, this.now());
    if (s.statusEqual(d.status, st)) return;
    await this.writeStatus(d, st);
  }

  private async checkPausedConditions(d: Deployment): Promise<Deployment> {
    if (!s.hasProgressDeadline(d)) return d;
    const c = s.getCondition(d.status, 'Progressing');
    if (c?.reason === s.TimedOutReason) return d;
    const pausedExists = c?.reason === s.PausedReason;
    const st = deepCopy(d.status ?? {});
    if (d.spec?.paused && !pausedExists) s.setCondition(st, s.newCondition('Progressing', 'Unknown', s.PausedReason, 'Deployment is paused', this.now()));
    else if (!d.spec?.paused && pausedExists) s.setCondition(st, s.newCondition('Progressing', 'Unknown', s.ResumedReason, 'Deployment is resumed', this.now()));
    else return d;
    return this.writeStatus(d, st);
  }

  /** syncRolloutStatus: status plus the Progressing condition and the progress deadline. */
  private async syncRolloutStatus(all0: ReplicaSet[], newRS0: ReplicaSet | undefined, d: Deployment): Promise<void> {
    const all = this.refreshed(all0);
    const newRS = newRS0 && this.refreshed([newRS0])[0];
    const now = this.now();
    const st = s.calculateStatus(all, newRS, d, now);
    if (!s.hasProgressDeadline(d)) s.removeCondition(st, 'Progressing');
    const cur = s.getCondition(st, 'Progressing');
    const complete = st.replicas === st.updatedReplicas && cur?.reason === s.NewRSAvailableReason;
    if (s.hasProgressDeadline(d) && !complete && !d.spec?.paused) {
      const rsName = newRS?.metadata.name ?? '';
      if (u.deploymentComplete(d, st)) {
        s.setCondition(st, s.newCondition('Progressing', 'True', s.NewRSAvailableReason, `ReplicaSet "${rsName}" has successfully progressed.`, now));
      } else if (u.deploymentProgressing(d, st)) {
        const c = s.newCondition('Progressing', 'True', s.RSUpdatedReason, `ReplicaSet "${rsName}" is progressing.`, now);
        if (cur?.status === 'True') c.lastTransitionTime = cur.lastTransitionTime;
        s.removeCondition(st, 'Progressing');
        s.setCondition(st, c);
      } else if (s.deploymentTimedOut(d, st, now)) {
        s.setCondition(st, s.newCondition('Progressing', 'False', s.TimedOutReason, `ReplicaSet "${rsName}" has timed out progressing.`, now));
      }
    }
    if (s.statusEqual(d.status, st)) {
      this.requeueStuck(d, st, now);
      return;
    }
    await this.writeStatus(d, st);
  }

  /** Comes back when the progress deadline would pass, to flip Progressing to False. */
  private requeueStuck(d: Deployment, st: s.DeploymentStatus, now: number): void {
    const c = s.getCondition(st, 'Progressing');
    if (!s.hasProgressDeadline(d) || !c || c.status !== 'True' || c.reason === s.NewRSAvailableReason || u.deploymentComplete(d, st)) return;
    const from = Date.parse(c.lastUpdateTime ?? '');
    if (Number.isNaN(from)) return;
    const after = from + s.progressDeadlineSeconds(d) * 1000 - now;
    if (after < 1000) this.queue.add(objectKey(d));
    else this.queue.addAfter(objectKey(d), after);
  }
}

function findActiveOrLatest(newRS: ReplicaSet | undefined, oldRSs: ReplicaSet[]): ReplicaSet | undefined {
  if (!newRS && oldRSs.length === 0) return undefined;
  const olds = [...oldRSs].sort((a, b) => -byCreation(a, b));
  const active = u.filterActive([newRS, ...olds]);
  if (active.length === 0) return newRS ?? olds[0];
  if (active.length === 1) return active[0];
  return undefined;
}

function proportion(rs: ReplicaSet, d: Deployment, toAdd: number, added: number): number {
  if (u.replicasOf(rs) === 0 || toAdd === 0 || toAdd === added) return 0;
  const fraction = replicaSetFraction(rs, d);
  const allowed = toAdd - added;
  return toAdd > 0 ? Math.min(fraction, allowed) : Math.max(fraction, allowed);
}

function replicaSetFraction(rs: ReplicaSet, d: Deployment): number {
  if (u.replicasOf(d) === 0) return -u.replicasOf(rs);
  const deploymentReplicas = u.replicasOf(d) + u.maxSurge(d);
  const ann = Number(rs.metadata.annotations?.[u.MaxReplicasAnnotation]);
  const annotated = Number.isFinite(ann) && ann > 0 ? ann : (d.status?.replicas ?? 0);
  if (!annotated) return 0;
  return Math.round((u.replicasOf(rs) * deploymentReplicas) / annotated) - u.replicasOf(rs);
}
