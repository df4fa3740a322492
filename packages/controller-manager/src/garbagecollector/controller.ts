// The garbage collector (pkg/controller/garbagecollector), without the full dependency
// graph: an index from owner uid to dependents built from the informers of every resource
// that can be owned. Deleting an owner makes its dependents re-check their owners against
// the API; a dependent whose owners are all gone is deleted (background), one whose owners
// wait for it (foregroundDeletion) is deleted in the foreground, and an owner with the
// `orphan` finalizer has its references removed from its dependents before it goes.
import type { KubeObject, OwnerReference } from '@k8ts/api';
import { deepCopy, findResource, resourceForKind } from '@k8ts/api';
import { isNotFound, isConflict } from '@k8ts/client';
import type { ControllerContext, Lister, Queue } from '../framework/types.js';
import { unwrap } from '../framework/tombstone.js';

export const ForegroundFinalizer = 'foregroundDeletion';
export const OrphanFinalizer = 'orphan';

/** Resources whose objects may carry owner references (and be owners). */
export const GCResources = ['pods', 'replicasets', 'deployments', 'daemonsets', 'statefulsets', 'persistentvolumeclaims', 'jobs', 'cronjobs', 'endpoints', 'endpointslices', 'controllerrevisions', 'services', 'configmaps', 'secrets', 'serviceaccounts', 'leases', 'nodes'];

interface Ref {
  resource: string;
  namespace: string;
  name: string;
}
const refKey = (r: Ref) => `${r.resource}|${r.namespace}|${r.name}`;
function parseRefKey(k: string): Ref {
  const [resource, namespace, name] = k.split('|');
  return { resource: resource!, namespace: namespace!, name: name! };
}

export class GarbageCollector {
  static readonly controllerName = 'garbagecollector';
  /** owner uid → dependents (ref keys). */
  private readonly dependents = new Map<string, Set<string>>();
  /** dependent ref key → owner uids it lists (to update the index on change). */
  private readonly ownersOf = new Map<string, string[]>();
  private readonly byUid = new Map<string, Ref>();

  constructor(
    private readonly ctx: ControllerContext,
    private readonly listers: Record<string, Lister>,
    private readonly queue: Queue,
  ) {}

  // ---- informer handlers (one set per resource) ----
  handlersFor(resource: string) {
    return {
      add: (obj: KubeObject) => this.observe(resource, obj, undefined),
      update: (old: KubeObject, cur: KubeObject) => this.observe(resource, cur, old),
      delete: (obj: unknown) => {
        const o = unwrap<KubeObject>(obj);
        if (o) this.observeDelete(resource, o);
      },
    };
  }

  private refOf(resource: string, obj: KubeObject): Ref {
    return { resource, namespace: obj.metadata.namespace ?? '', name: obj.metadata.name! };
  }

  private index(resource: string, obj: KubeObject): void {
    const ref = this.refOf(resource, obj);
    const k = refKey(ref);
    if (obj.metadata.uid) this.byUid.set(obj.metadata.uid, ref);
    for (const uid of this.ownersOf.get(k) ?? []) this.dependents.get(uid)?.delete(k);
    const owners = (obj.metadata.ownerReferences ?? []).map((r) => r.uid);
    this.ownersOf.set(k, owners);
    for (const uid of owners) {
      let s = this.dependents.get(uid);
      if (!s) this.dependents.set(uid, (s = new Set()));
      s.add(k);
    }
  }

  private observe(resource: string, obj: KubeObject, old: KubeObject | undefined): void {
    this.index(resource, obj);
    const k = refKey(this.refOf(resource, obj));
    // Owner references to owners we have never seen (or changed ones): verify.
    const refs = obj.metadata.ownerReferences ?? [];
    if (refs.some((r) => !this.byUid.has(r.uid)) || (old && JSON.stringify(old.metadata.ownerReferences) !== JSON.stringify(refs))) this.queue.add(`check:${k}`);
    if (obj.metadata.deletionTimestamp) {
      const f = obj.metadata.finalizers ?? [];
      if (f.includes(OrphanFinalizer)) this.queue.add(`orphan:${k}`);
      if (f.includes(ForegroundFinalizer)) this.queue.add(`foreground:${k}`);
    }
  }

  private observeDelete(resource: string, obj: KubeObject): void {
    const ref = this.refOf(resource, obj);
    const k = refKey(ref);
    const uid = obj.metadata.uid;
    if (uid && this.byUid.get(uid) && refKey(this.byUid.get(uid)!) === k) this.byUid.delete(uid);
    for (const o of this.ownersOf.get(k) ?? []) this.dependents.get(o)?.delete(k);
    this.ownersOf.delete(k);
    // Owners waiting for this dependent may now finish.
    for (const r of obj.metadata.ownerReferences ?? []) {
      const owner = this.byUid.get(r.uid);
      if (owner) this.queue.add(`foreground:${refKey(owner)}`);
    }
    if (uid) for (const d of this.dependents.get(uid) ?? []) this.queue.add(`check:${d}`);
  }

  /** Dependents of an owner uid, from the index (cache objects). */
  dependentsOf(uid: string): { ref: Ref; obj: KubeObject }[] {
    const out: { ref: Ref; obj: KubeObject }[] = [];
    for (const k of this.dependents.get(uid) ?? []) {
      const ref = parseRefKey(k);
      const obj = this.listers[ref.resource]?.get(ref.namespace, ref.name);
      if (obj && obj.metadata.ownerReferences?.some((r) => r.uid === uid)) out.push({ ref, obj });
    }
    return out;
  }

  /** Rebuilds the index from the caches (after they sync) and checks every dependent once. */
  resync(): void {
    for (const [resource, l] of Object.entries(this.listers)) for (const o of l.list()) this.observe(resource, o, undefined);
    for (const [resource, l] of Object.entries(this.listers))
      for (const o of l.list()) if (o.metadata.ownerReferences?.length) this.queue.add(`check:${refKey(this.refOf(resource, o))}`);
  }

  async sync(item: string): Promise<void> {
    const i = item.indexOf(':');
    const verb = item.slice(0, i);
    const ref = parseRefKey(item.slice(i + 1));
    const obj = this.listers[ref.resource]?.get(ref.namespace, ref.name);
    if (!obj) return;
    if (verb === 'check') return this.attemptToDelete(ref, obj);
    if (verb === 'orphan') return this.orphanDependents(ref, obj);
    if (verb === 'foreground') return this.processForeground(ref, obj);
  }

  // ---- owners ----
  /** 'solid' | 'dangling' | 'waiting' (being deleted in the foreground). */
  private async ownerState(dep: Ref, r: OwnerReference): Promise<'solid' | 'dangling' | 'waiting'> {
    const info = resourceForKind(r.kind) ?? findResource(r.kind);
    if (!info) return 'solid'; // unknown kinds are never collected
    const ns = info.namespaced ? dep.namespace : '';
    let owner: KubeObject | undefined = this.listers[info.resource]?.get(ns, r.name);
    if (!owner || owner.metadata.uid !== r.uid) {
      // The cache may lag a just-created owner: only the API says an owner is gone.
      try {
        owner = await this.ctx.client.get(info.resource, ns, r.name);
      } catch (e) {
        if (isNotFound(e)) return 'dangling';
        throw e;
      }
      if (owner.metadata.uid !== r.uid) return 'dangling';
    }
    if (owner.metadata.deletionTimestamp && (owner.metadata.finalizers ?? []).includes(ForegroundFinalizer)) return 'waiting';
    return 'solid';
  }

  private async attemptToDelete(ref: Ref, obj: KubeObject): Promise<void> {
    if (obj.metadata.deletionTimestamp && !(obj.metadata.finalizers ?? []).includes(ForegroundFinalizer)) return;
    if ((obj.metadata.finalizers ?? []).includes(ForegroundFinalizer) && obj.metadata.deletionTimestamp) await this.processForeground(ref, obj);
    const refs = obj.metadata.ownerReferences ?? [];
    if (!refs.length) return;
    const states = await Promise.all(refs.map((r) => this.ownerState(ref, r)));
    const solid = refs.filter((_, i) => states[i] === 'solid');
    const dangling = refs.filter((_, i) => states[i] === 'dangling');
    const waiting = refs.filter((_, i) => states[i] === 'waiting');
    if (solid.length) {
      if (!dangling.length && !waiting.length) return;
      // Some owner remains: only drop the references to the gone (or going) ones.
      const drop = new Set([...dangling, ...waiting].map((r) => r.uid));
      await this.updateRefs(ref, obj, (refs) => refs.filter((r) => !drop.has(r.uid)));
      return;
    }
    if (obj.metadata.deletionTimestamp) return;
    let policy: 'Background' | 'Foreground' | 'Orphan' = 'Background';
    if (waiting.length && !dangling.length && waiting.some((r) => r.blockOwnerDeletion)) policy = 'Foreground';
    if ((obj.metadata.finalizers ?? []).includes(OrphanFinalizer)) policy = 'Orphan';
    try {
      await this.ctx.client.delete(ref.resource, ref.namespace, ref.name, { propagationPolicy: policy, preconditions: { uid: obj.metadata.uid } });
      this.ctx.logger.info({ object: `${ref.resource}/${ref.namespace}/${ref.name}`, policy, reason: 'OwnerGone' }, 'deleted dependent');
    } catch (e) {
      if (!isNotFound(e) && !isConflict(e)) throw e;
    }
  }

  private async updateRefs(ref: Ref, obj: KubeObject, f: (refs: OwnerReference[]) => OwnerReference[]): Promise<void> {
    await this.updateOnConflict(ref, obj, 'update owner references of', (next) => {
      next.metadata.ownerReferences = f(next.metadata.ownerReferences ?? []);
      return true;
    });
  }

  private async removeFinalizer(ref: Ref, obj: KubeObject, finalizer: string): Promise<void> {
    await this.updateOnConflict(ref, obj, `remove finalizer ${finalizer} from`, (next) => {
      const finalizers = next.metadata.finalizers ?? [];
      if (!finalizers.includes(finalizer)) return false;
      next.metadata.finalizers = finalizers.filter((f) => f !== finalizer);
      return true;
    });
  }

  /**
   * Writes `change` (false: nothing left to do) to a copy of obj, reading the object again
   * after a conflict (retry.RetryOnConflict, three tries). A deleted object needs nothing.
   */
  private async updateOnConflict(ref: Ref, obj: KubeObject, what: string, change: (next: KubeObject) => boolean): Promise<void> {
    let cur = obj;
    for (let attempt = 0; attempt < 3; attempt++) {
      const next = deepCopy(cur);
      if (!change(next)) return;
      try {
        await this.ctx.client.update(ref.resource, next);
        return;
      } catch (e) {
        if (isNotFound(e)) return;
        if (!isConflict(e)) throw e;
        cur = await this.ctx.client.get(ref.resource, ref.namespace, ref.name);
      }
    }
    throw new Error(`could not ${what} ${ref.resource} ${ref.namespace}/${ref.name}`);
  }

  private async orphanDependents(ref: Ref, owner: KubeObject): Promise<void> {
    if (!owner.metadata.deletionTimestamp || !(owner.metadata.finalizers ?? []).includes(OrphanFinalizer)) return;
    const uid = owner.metadata.uid!;
    for (const d of this.dependentsOf(uid)) await this.updateRefs(d.ref, d.obj, (refs) => refs.filter((r) => r.uid !== uid));
    await this.removeFinalizer(ref, owner, OrphanFinalizer);
  }

  private async processForeground(ref: Ref, owner: KubeObject): Promise<void> {
    if (!owner.metadata.deletionTimestamp || !(owner.metadata.finalizers ?? []).includes(ForegroundFinalizer)) return;
    const uid = owner.metadata.uid!;
    const deps = this.dependentsOf(uid);
    const blocking = deps.filter((d) => d.obj.metadata.ownerReferences?.some((r) => r.uid === uid && r.blockOwnerDeletion));
    if (!blocking.length) {
      await this.removeFinalizer(ref, owner, ForegroundFinalizer);
      return;
    }
    for (const d of deps) if (!d.obj.metadata.deletionTimestamp) this.queue.add(`check:${refKey(d.ref)}`);
  }
}
