// The registry over etcd: Kubernetes' generic store plus the strategies of the resources
// k8ts serves. Both faces (REST and gRPC) call this one object. Objects passed in belong to
// the registry afterwards (it fills in server fields); objects handed out in watch events
// are shared between watchers and must not be changed.
import { randomUUID } from 'node:crypto';
import { apiVersionOf, findResource, type DeleteOptions, type KubeList, type KubeObject, type ResourceInfo, type WatchEvent } from '@k8ts/api';
import { ApiError, type ListOptions, type PatchType, type WatchOptions } from '@k8ts/client';
import type { Logger } from 'pino';
import type { DeleteResult, PatchOpts, Registry, RegistryWatch, ResourceHooks, WriteOpts } from './types.js';
import { isFutureRevisionError } from '../storage/store.js';
import type { Storage } from '../storage/storage.js';
import { CorruptObjectError } from '../storage/codec.js';
import { LIST_TOO_OLD, planListRead, tooLargeResourceVersion, type RegistryListOptions } from './list-options.js';
import { listPrefix, objectKey } from '../storage/keys.js';
import * as errs from './errors.js';
import { meta } from './meta.js';
import { clone, deepEqual } from './object-utils.js';
import { nowTime } from './time.js';
import { generateName } from './names.js';
import { hasStatusSubresource, prepareForCreate, readyToDelete } from './strategy.js';
import { podGracePeriod } from './pods.js';
import { checkNamespaceAdmits, SYSTEM_NAMESPACES } from './namespaces.js';
import { scaleOf } from './scale.js';
import { applyDefaults, applyPatch, compileFilter, defaultPodTolerations, validate } from './api-calls.js';
import { WatchService, type WatchServiceOptions } from './watch-service.js';
import { NamespaceCache } from './namespace-cache.js';
import { decodeSubresourceWrite, decodeWrite } from './decode.js';
import { PodBinder } from './binding.js';
import { applyPatchServerSide, appliedManagers, checkFieldManager, checkPatchOptions, isApplied, recordWrite, settleManagedFields } from './managed-fields.js';

export interface EtcdRegistryOptions {
  store: Storage;
  /** tolerationSeconds of the default not-ready/unreachable tolerations every pod gets. */
  defaultTolerationSeconds?: number;
  logger?: Logger;
  watch?: WatchServiceOptions;
}

const MAX_RETRIES = 8;
const APPLY: PatchType = 'application/apply-patch+yaml';

export class EtcdRegistry implements Registry {
  readonly store: Storage;
  readonly watches: WatchService;
  private readonly hooks = new Map<string, ResourceHooks[]>();
  private readonly tolerationSeconds: number;
  private readonly logger?: Logger;
  private namespaces?: NamespaceCache;
  private readonly binder: PodBinder;

  constructor(opts: EtcdRegistryOptions) {
    this.store = opts.store;
    this.binder = new PodBinder(opts.store);
    this.tolerationSeconds = opts.defaultTolerationSeconds ?? 2;
    this.logger = opts.logger;
    this.watches = new WatchService(opts.store, { logger: opts.logger, ...opts.watch });
  }

  // --- lookups ---------------------------------------------------------------------------

  resourceInfo(resource: string): ResourceInfo {
    const info = findResource(resource);
    if (!info || info.resource !== resource) throw errs.statusError(404, 'NotFound', 'the server could not find the requested resource');
    return info;
  }

  private scope(info: ResourceInfo, namespace: string): string {
    if (!info.namespaced) return '';
    if (!namespace) throw errs.badRequest(`a namespace is required for ${info.resource}`);
    return namespace;
  }

  private hooksOf(resource: string): ResourceHooks[] {
    return this.hooks.get(resource) ?? [];
  }

  registerHooks(resource: string, hooks: ResourceHooks): void {
    const list = this.hooks.get(resource) ?? [];
    list.push(hooks);
    this.hooks.set(resource, list);
  }

  async currentRevision(): Promise<string> {
    return this.store.currentRevision();
  }

  // --- reads -----------------------------------------------------------------------------

  async get(resource: string, namespace: string, name: string): Promise<KubeObject> {
    const info = this.resourceInfo(resource);
    const ns = this.scope(info, namespace);
    const obj = await this.store.get(objectKey(resource, ns, name));
    if (!obj) throw errs.notFound(resource, name);
    return obj;
  }

  async list(resource: string, opts: RegistryListOptions): Promise<KubeList> {
    const info = this.resourceInfo(resource);
    const read = planListRead(opts);
    const filter = compileFilter(resource, opts.labelSelector, opts.fieldSelector, this.logger);
    // The shared watch starts before the read, so a watch from this list's revision is
    // served from memory.
    await this.watches.hub(info).ensureStarted();
    const prefix = listPrefix(resource, info.namespaced ? opts.namespace : undefined);
    const limit = opts.limit && opts.limit > 0 ? opts.limit : 0;
    const items: KubeObject[] = [];
    let cont = opts.continue;
    let revision = read.revision;
    let next: string | undefined;
    let remaining: number | undefined;
    // With a selector a page may filter down to fewer than `limit`: read on at the same
    // revision until the page is full or the range is done, as the etcd3 store does.
    for (;;) {
      const want = limit ? limit - items.length : 0;
      let page;
      try {
        page = await this.store.list(prefix, { limit: want, continue: cont, revision, compactedMessage: LIST_TOO_OLD });
      } catch (err) {
        if (isFutureRevisionError(err)) throw tooLargeResourceVersion(Number(revision), Number(await this.store.currentRevision()));
        throw err;
      }
      if (read.minimum !== undefined && Number(page.revision) < read.minimum) throw tooLargeResourceVersion(read.minimum, Number(page.revision));
      revision = page.revision;
      for (const it of page.items) if (filter.matches(it)) items.push(it);
      next = page.continue;
      remaining = page.remainingItemCount;
      if (!next || !limit || items.length >= limit) break;
      cont = next;
    }
    const listMeta: Record<string, unknown> = { resourceVersion: revision };
    if (next) {
      listMeta.continue = next;
      if (filter.everything && remaining !== undefined) listMeta.remainingItemCount = remaining;
    }
    return { apiVersion: apiVersionOf(info), kind: info.listKind, metadata: listMeta, items };
  }

  watch(resource: string, opts: WatchOptions, onEvent: (ev: WatchEvent) => void): RegistryWatch {
    const info = this.resourceInfo(resource);
    return this.watches.watch(info, info.namespaced ? opts.namespace ?? '' : '', opts, onEvent);
  }

  // --- create ----------------------------------------------------------------------------

  async create(resource: string, namespace: string, obj: KubeObject, opts: WriteOpts = {}): Promise<KubeObject> {
    const info = this.resourceInfo(resource);
    checkFieldManager(opts.fieldManager, 'CreateOptions');
    if (!obj || typeof obj !== 'object' || Array.isArray(obj)) throw errs.badRequest('the request body must be an object');
    decodeWrite(info, obj, opts);
    const m = meta(obj);
    let ns = '';
    if (info.namespaced) {
      if (m.namespace && namespace && m.namespace !== namespace) {
        throw errs.badRequest('the namespace of the provided object does not match the namespace sent on the request');
      }
      ns = namespace || m.namespace || 'default';
      m.namespace = ns;
    } else {
      delete m.namespace;
    }
    this.checkKind(info, obj);
    obj.apiVersion = apiVersionOf(info);
    obj.kind = info.kind;
    delete m.resourceVersion;
    delete m.deletionTimestamp;
    delete m.deletionGracePeriodSeconds;
    delete m.selfLink;
    m.uid = randomUUID();
    m.creationTimestamp = nowTime();
    m.generation = 1;
    const generated = !m.name && !!m.generateName;
    if (generated) m.name = generateName(m.generateName!);
    if (!m.name) {
      throw errs.invalid(info.kind, '', [{ field: 'metadata.name', message: 'Required value: name or generateName is required', type: 'FieldValueRequired' }], info.group || undefined);
    }
    prepareForCreate(info, obj);
    applyDefaults(resource, obj);
    if (resource === 'pods') {
      defaultPodTolerations(obj, this.tolerationSeconds);
      prepareForCreate(info, obj); // the QoS class reads the defaulted resources
    }
    validate(resource, obj);
    if (info.namespaced) await this.admitNamespace(ns, resource, m.name);
    for (const h of this.hooksOf(resource)) await h.beforeCreate?.(obj);
    if (!isApplied(obj)) recordWrite(info, undefined, obj, '', opts);
    if (opts.dryRun) return obj;
    for (let attempt = 0; ; attempt++) {
      const r = await this.store.create(objectKey(resource, ns, m.name), obj);
      if (r.ok) return r.object;
      if (!generated || attempt >= 5) throw errs.alreadyExists(resource, m.name);
      m.name = generateName(m.generateName!);
    }
  }

  private checkKind(info: ResourceInfo, obj: KubeObject): void {
    if (obj.kind && obj.kind !== info.kind) {
      throw errs.badRequest(`the kind of the provided object (${obj.kind}) does not match the resource ${info.resource} (${info.kind})`);
    }
  }

  private async admitNamespace(namespace: string, resource: string, name: string): Promise<void> {
    if (this.namespaces?.isActive(namespace)) return;
    const ns = await this.store.get(objectKey('namespaces', '', namespace));
    checkNamespaceAdmits(ns, namespace, resource, name);
  }

  /** Starts the namespace cache that spares creates an etcd read (optional; without it every create reads its namespace). */
  async startNamespaceCache(): Promise<void> {
    const cache = new NamespaceCache(this, this.logger);
    await cache.start();
    this.namespaces = cache;
  }

  /** Creates the namespaces every cluster has, when missing. */
  async ensureSystemNamespaces(): Promise<void> {
    for (const name of SYSTEM_NAMESPACES) {
      try {
        await this.create('namespaces', '', { apiVersion: 'v1', kind: 'Namespace', metadata: { name } });
      } catch (err) {
        if (!(err instanceof ApiError && err.code === 409)) throw err;
      }
    }
  }

  // --- update ----------------------------------------------------------------------------

  async update(resource: string, namespace: string, name: string, obj: KubeObject, opts: WriteOpts & { subresource?: string } = {}): Promise<KubeObject> {
    const info = this.resourceInfo(resource);
    const ns = this.scope(info, namespace);
    const sub = opts.subresource ?? '';
    checkFieldManager(opts.fieldManager, 'UpdateOptions');
    if (sub === 'scale') return this.putScale(info, ns, name, obj, opts);
    if (sub !== '' && sub !== 'status' && !(sub === 'finalize' && resource === 'namespaces')) {
      throw errs.methodNotAllowed(`the server does not allow this method on the requested resource: ${resource}/${sub}`);
    }
    if (!sub || sub === 'status') {
      if (!hasStatusSubresource(info) && sub === 'status') throw errs.notFound(`${resource}/status`, name);
    }
    if (!obj || typeof obj !== 'object') throw errs.badRequest('the request body must be an object');
    decodeWrite(info, obj, opts);
    if (obj.metadata?.name && obj.metadata.name !== name) {
      throw errs.badRequest(`the name of the object (${obj.metadata.name}) does not match the name on the URL (${name})`);
    }
    if (info.namespaced && obj.metadata?.namespace && obj.metadata.namespace !== ns) {
      throw errs.badRequest('the namespace of the provided object does not match the namespace sent on the request');
    }
    this.checkKind(info, obj);
    const key = objectKey(resource, ns, name);
    const wantRv = obj.metadata?.resourceVersion;
    for (let attempt = 0; ; attempt++) {
      const cur = await this.store.get(key);
      if (!cur) throw errs.notFound(resource, name);
      if (wantRv && wantRv !== cur.metadata.resourceVersion) throw errs.conflict(resource, name);
      const input = attempt === 0 ? obj : clone(obj);
      const result = await this.tryUpdate(info, key, cur, input, sub, opts);
      if (result) return result;
      if (wantRv || attempt >= MAX_RETRIES) throw errs.conflict(resource, name);
    }
  }

  /** One compare-and-swap attempt of an update; undefined when `cur` is no longer current. */
  private async tryUpdate(info: ResourceInfo, key: string, cur: KubeObject, input: KubeObject, sub: string, opts: WriteOpts): Promise<KubeObject | undefined> {
    const r = await this.casUpdate(info, key, cur, input, sub, opts);
    return r.ok ? r.object : undefined;
  }

  /**
   * One compare-and-swap attempt; on a lost race, what etcd holds now (the failed
   * transaction reads it). `noop` says nothing was written because nothing changed.
   */
  private async casUpdate(info: ResourceInfo, key: string, cur: KubeObject, input: KubeObject, sub: string, opts: WriteOpts): Promise<{ ok: true; object: KubeObject; noop?: boolean } | { ok: false; current?: KubeObject }> {
    const applied = appliedManagers(input);
    const next = await this.buildUpdate(info, cur, input, sub);
    settleManagedFields(info, cur, next, sub, opts, applied);
    const curRv = cur.metadata.resourceVersion!;
    meta(next).resourceVersion = curRv;
    if (deepEqual(next, cur)) return { ok: true, object: cur, noop: true }; // no-op updates write nothing, as in Kubernetes
    if (readyToDelete(next)) {
      if (opts.dryRun) return { ok: true, object: next };
      const r = await this.store.delete(key, next, curRv);
      if (!r.ok) return r;
      this.noteNamespace(info, r.object, true);
      await this.afterDelete(info, r.object);
      return r;
    }
    if (opts.dryRun) return { ok: true, object: next };
    const r = await this.store.update(key, next, curRv);
    if (r.ok) this.noteNamespace(info, r.object);
    return r;
  }

  /**
   * Kubernetes' GuaranteedUpdate: `mutate` gets a copy of the current object and returns the
   * object to write (validated, defaulted and hooked as any update). It starts from `hint`, a
   * state the caller remembers (the apiserver's cached origState in Kubernetes), so a caller
   * that writes the same object again and again costs etcd one transaction, not a read and a
   * transaction; a stale hint only loses the compare-and-swap, whose failed transaction reads
   * the current state to retry on.
   */
  async guaranteedUpdate(resource: string, namespace: string, name: string, mutate: (cur: KubeObject) => KubeObject, opts: WriteOpts & { hint?: KubeObject } = {}): Promise<KubeObject> {
    const info = this.resourceInfo(resource);
    const ns = this.scope(info, namespace);
    const key = objectKey(resource, ns, name);
    let cur = opts.hint;
    let fresh = !cur;
    if (!cur) cur = await this.store.get(key);
    for (let attempt = 0; ; attempt++) {
      if (!cur) throw errs.notFound(resource, name);
      const r = await this.casUpdate(info, key, cur, mutate(clone(cur)), '', opts);
      if (r.ok && !(r.noop && !fresh)) return r.object;
      if (attempt >= MAX_RETRIES) throw errs.conflict(resource, name);
      // A no-op against a remembered state proves nothing: read what etcd holds.
      cur = r.ok ? await this.store.get(key) : r.current;
      fresh = true;
    }
  }

  private async buildUpdate(info: ResourceInfo, cur: KubeObject, input: KubeObject, sub: string): Promise<KubeObject> {
    if (sub === 'status') {
      const next = clone(cur);
      if (input.status === undefined) delete next.status;
      else next.status = input.status;
      validate(info.resource, next, cur, 'status');
      return next;
    }
    if (sub === 'finalize') {
      const next = clone(cur);
      next.spec = { ...(next.spec ?? {}), finalizers: input.spec?.finalizers ?? [] };
      return next;
    }
    const next = input;
    const m = meta(next);
    const c = cur.metadata;
    next.apiVersion = apiVersionOf(info);
    next.kind = info.kind;
    m.name = c.name;
    if (info.namespaced) m.namespace = c.namespace;
    else delete m.namespace;
    m.uid = c.uid;
    m.creationTimestamp = c.creationTimestamp;
    m.generation = c.generation;
    setOrDelete(m, 'deletionTimestamp', c.deletionTimestamp);
    setOrDelete(m, 'deletionGracePeriodSeconds', c.deletionGracePeriodSeconds);
    delete m.selfLink;
    if (hasStatusSubresource(info)) {
      if (cur.status === undefined) delete next.status;
      else next.status = clone(cur.status);
    }
    if (info.resource === 'namespaces') next.spec = { ...(next.spec ?? {}), finalizers: cur.spec?.finalizers ?? [] };
    applyDefaults(info.resource, next);
    if (c.deletionTimestamp) {
      const had = new Set(c.finalizers ?? []);
      const added = (m.finalizers ?? []).filter((f) => !had.has(f));
      if (added.length) {
        throw errs.invalid(info.kind, c.name!, [{ field: 'metadata.finalizers', message: `Forbidden: no new finalizers can be added if the object is being deleted, found new finalizers ${JSON.stringify(added)}`, type: 'FieldValueForbidden' }], info.group || undefined);
      }
    }
    if (!deepEqual(next.spec, cur.spec)) m.generation = (c.generation ?? 1) + 1;
    validate(info.resource, next, cur);
    for (const h of this.hooksOf(info.resource)) await h.beforeUpdate?.(next, cur);
    return next;
  }

  // --- patch -----------------------------------------------------------------------------

  async patch(resource: string, namespace: string, name: string, patchType: PatchType, patch: string, opts: PatchOpts = {}): Promise<{ object: KubeObject; created: boolean }> {
    const info = this.resourceInfo(resource);
    const ns = this.scope(info, namespace);
    const sub = opts.subresource ?? '';
    checkPatchOptions(patchType === APPLY, opts);
    const key = objectKey(resource, ns, name);
    for (let attempt = 0; ; attempt++) {
      const cur = await this.store.get(key);
      if (!cur) {
        if (patchType !== APPLY || sub) throw errs.notFound(resource, name);
        const obj = applyPatchServerSide(info, undefined, patch, opts);
        meta(obj).name = name;
        try {
          return { object: await this.create(resource, ns, obj, opts), created: true };
        } catch (err) {
          if (err instanceof ApiError && err.reason === 'AlreadyExists' && attempt < MAX_RETRIES) continue;
          throw err;
        }
      }
      if (sub === 'scale') {
        // The patched Scale carries the current resourceVersion unless the patch set one,
        // so only a resourceVersion from the patch can differ from the state it was applied
        // to; a lost compare-and-swap re-applies the patch to the newer state.
        const patched = applyPatch('scale', scaleOf(cur), patchType, patch);
        const pinned = patched.metadata?.resourceVersion;
        if (pinned && pinned !== cur.metadata.resourceVersion) throw errs.conflict(info.resource, name);
        const result = await this.tryScale(info, key, cur, checkedReplicas(name, patched), opts);
        if (result) return { object: result, created: false };
        continue; // as GuaranteedUpdate: every lost race is another writer's progress
      }
      const curRv = cur.metadata.resourceVersion!;
      const found = { duplicates: [] as string[] };
      const raw = patchType === APPLY ? applyPatchServerSide(info, cur, patch, opts) : applyPatch(resource, cur, patchType, patch, found);
      const patched = decodeWrite(info, raw, opts, found.duplicates);
      const pinned = patched.metadata?.resourceVersion;
      // A resourceVersion in the patch itself is a precondition; otherwise retry conflicts.
      if (pinned && pinned !== curRv) throw errs.conflict(resource, name);
      if (patched.metadata?.name && patched.metadata.name !== name) {
        throw errs.badRequest(`the name of the object (${patched.metadata.name}) does not match the name on the URL (${name})`);
      }
      const result = await this.tryUpdate(info, key, cur, patched, sub, opts);
      if (result) return { object: result, created: false };
      if (attempt >= MAX_RETRIES) throw errs.conflict(resource, name);
    }
  }

  // --- delete ----------------------------------------------------------------------------

  async delete(resource: string, namespace: string, name: string, opts: DeleteOptions & WriteOpts = {}): Promise<DeleteResult> {
    const info = this.resourceInfo(resource);
    const ns = this.scope(info, namespace);
    const key = objectKey(resource, ns, name);
    for (let attempt = 0; attempt <= MAX_RETRIES; attempt++) {
      const cur = await this.readForDelete(key, opts);
      if (cur === 'removed') return { object: removedObject(info, ns, name), finished: true };
      if (!cur) throw errs.notFound(resource, name);
      checkPreconditions(resource, name, cur, opts);
      const result = await this.tryDelete(info, key, cur, opts);
      if (result) return result;
    }
    throw errs.conflict(resource, name);
  }

  /**
   * The object to delete; for a value no read can decode, the 500 of the read (naming the
   * option), or, with DeleteOptions.ignoreStoreReadErrorWithClusterBreakingPotential, its
   * removal without finalizers, preconditions or hooks, as kube-apiserver's unsafe delete.
   */
  private async readForDelete(key: string, opts: DeleteOptions & WriteOpts): Promise<KubeObject | undefined | 'removed'> {
    try {
      return await this.store.get(key);
    } catch (err) {
      if (!(err instanceof CorruptObjectError) || (opts as UnsafeDelete).ignoreStoreReadErrorWithClusterBreakingPotential !== true) throw err;
      if (opts.dryRun) return 'removed';
      const r = await this.store.deleteCorrupt(key);
      // Not deleted: the value changed meanwhile and may decode now; take the normal path.
      return r.deleted ? 'removed' : this.store.get(key);
    }
  }

  private async tryDelete(info: ResourceInfo, key: string, cur: KubeObject, opts: DeleteOptions & WriteOpts): Promise<DeleteResult | undefined> {
    const curRv = cur.metadata.resourceVersion!;
    const next = clone(cur);
    const m = meta(next);
    // Finalizers for the garbage collector's propagation policies.
    const policy = opts.propagationPolicy ?? (opts.orphanDependents === true ? 'Orphan' : undefined);
    const finalizers = [...(m.finalizers ?? [])];
    if (policy === 'Foreground' && !finalizers.includes('foregroundDeletion')) finalizers.push('foregroundDeletion');
    if (policy === 'Orphan' && !finalizers.includes('orphan')) finalizers.push('orphan');
    if (finalizers.length) m.finalizers = finalizers;

    if (info.resource === 'namespaces') {
      if (!m.deletionTimestamp) {
        m.deletionTimestamp = nowTime();
        m.deletionGracePeriodSeconds = 0;
        next.status = { ...(next.status ?? {}), phase: 'Terminating' };
      }
    } else if (info.resource === 'pods') {
      const grace = podGracePeriod(cur, opts.gracePeriodSeconds ?? undefined);
      const curGrace = cur.metadata.deletionGracePeriodSeconds;
      // A second delete may only shorten the grace period.
      if (!(m.deletionTimestamp && curGrace !== undefined && curGrace <= grace)) {
        m.deletionTimestamp = nowTime(grace);
        m.deletionGracePeriodSeconds = grace;
      }
    } else if (m.finalizers?.length && !m.deletionTimestamp) {
      m.deletionTimestamp = nowTime();
      m.deletionGracePeriodSeconds = 0;
    }

    if (!m.deletionTimestamp) m.deletionTimestamp = nowTime();
    if (m.deletionGracePeriodSeconds === undefined) m.deletionGracePeriodSeconds = 0;
    if (readyToDelete(next)) {
      if (opts.dryRun) return { object: cur, finished: true };
      const r = await this.store.delete(key, cur, curRv);
      if (!r.ok) return undefined;
      this.noteNamespace(info, r.object, true);
      await this.afterDelete(info, r.object);
      return { object: r.object, finished: true };
    }
    if (deepEqual(next, cur)) return { object: cur, finished: false };
    if (opts.dryRun) return { object: next, finished: false };
    const r = await this.store.update(key, next, curRv);
    if (r.ok) this.noteNamespace(info, r.object);
    return r.ok ? { object: r.object, finished: false } : undefined;
  }

  /** Namespaces this apiserver writes reach its namespace cache before their watch event does. */
  private noteNamespace(info: ResourceInfo, obj: KubeObject, deleted = false): void {
    if (info.resource === 'namespaces') this.namespaces?.observe(obj, deleted);
  }

  private async afterDelete(info: ResourceInfo, obj: KubeObject): Promise<void> {
    for (const h of this.hooksOf(info.resource)) {
      try {
        await h.afterDelete?.(obj);
      } catch (err) {
        this.logger?.warn({ resource: info.resource, object: `${obj.metadata.namespace ?? ''}/${obj.metadata.name}`, err: (err as Error).message }, 'afterDelete hook failed');
      }
    }
  }

  async deleteCollection(resource: string, namespace: string, listOpts: ListOptions, opts: DeleteOptions & WriteOpts = {}): Promise<KubeList> {
    const list = await this.list(resource, { ...listOpts, namespace });
    const items: KubeObject[] = [];
    for (const it of list.items) {
      try {
        items.push((await this.delete(resource, it.metadata.namespace ?? '', it.metadata.name!, opts)).object);
      } catch (err) {
        if (!(err instanceof ApiError && err.code === 404)) throw err;
      }
    }
    return { ...list, items };
  }

  // --- subresources ----------------------------------------------------------------------

  async getSubresource(resource: string, namespace: string, name: string, subresource: string): Promise<KubeObject> {
    const info = this.resourceInfo(resource);
    if (subresource === 'status' && hasStatusSubresource(info)) return this.get(resource, namespace, name);
    if (subresource === 'scale' && info.subresources.includes('scale')) return scaleOf(await this.get(resource, namespace, name));
    throw errs.notFound(`${resource}/${subresource}`, name);
  }

  async createSubresource(resource: string, namespace: string, name: string, subresource: string, body: KubeObject, opts: WriteOpts = {}): Promise<KubeObject> {
    const info = this.resourceInfo(resource);
    const ns = this.scope(info, namespace);
    if (resource === 'pods') decodeSubresourceWrite(info, subresource, body, opts);
    if (resource === 'pods' && subresource === 'binding') return this.binder.bind(ns, name, body, opts);
    if (resource === 'pods' && subresource === 'eviction') {
      const res = await this.delete('pods', ns, name, { ...((body as any)?.deleteOptions ?? {}), dryRun: opts.dryRun });
      void res;
      return errs.successStatus(201) as unknown as KubeObject;
    }
    if (subresource === 'scale' && info.subresources.includes('scale')) return this.putScale(info, ns, name, body, opts);
    if (subresource === 'status' || (subresource === 'finalize' && resource === 'namespaces')) {
      return this.update(resource, ns, name, body, { ...opts, subresource });
    }
    throw errs.notFound(`${resource}/${subresource}`, name);
  }

  /** PUT of a Scale: a resourceVersion in the body is a precondition; without one, lost races are retried. */
  private async putScale(info: ResourceInfo, ns: string, name: string, body: KubeObject, opts: WriteOpts): Promise<KubeObject> {
    const replicas = checkedReplicas(name, body);
    const key = objectKey(info.resource, ns, name);
    const wantRv = body?.metadata?.resourceVersion;
    // Retried until it lands, as GuaranteedUpdate does: every lost race is another writer's progress.
    for (;;) {
      const cur = await this.store.get(key);
      if (!cur) throw errs.notFound(info.resource, name);
      if (wantRv && wantRv !== cur.metadata.resourceVersion) throw errs.conflict(info.resource, name);
      const result = await this.tryScale(info, key, cur, replicas, opts);
      if (result) return result;
      if (wantRv) throw errs.conflict(info.resource, name);
    }
  }

  /** One compare-and-swap of spec.replicas against `cur`; undefined when `cur` is no longer current. */
  private async tryScale(info: ResourceInfo, key: string, cur: KubeObject, replicas: number, opts: WriteOpts): Promise<KubeObject | undefined> {
    const next = clone(cur);
    next.spec = { ...(next.spec ?? {}), replicas };
    const result = await this.tryUpdate(info, key, cur, next, '', opts);
    return result ? scaleOf(result) : undefined;
  }

  async close(): Promise<void> {
    this.namespaces?.close();
    await this.watches.close();
  }
}

type UnsafeDelete = { ignoreStoreReadErrorWithClusterBreakingPotential?: boolean };

/** What a delete of an undecodable value answers with: all its key tells. */
function removedObject(info: ResourceInfo, namespace: string, name: string): KubeObject {
  return { apiVersion: apiVersionOf(info), kind: info.kind, metadata: namespace ? { name, namespace } : { name } };
}

function setOrDelete(m: Record<string, unknown>, k: string, v: unknown): void {
  if (v === undefined) delete m[k];
  else m[k] = v;
}

/** spec.replicas of a Scale body (absent: 0), or 422 as Kubernetes words it. */
function checkedReplicas(name: string, body: KubeObject): number {
  const spec = (body as KubeObject | undefined)?.spec;
  if (spec !== undefined && spec !== null && (typeof spec !== 'object' || Array.isArray(spec))) {
    throw errs.invalid('Scale', name, [{ field: 'spec', message: `Invalid value: ${JSON.stringify(spec)}: must be an object` }], 'autoscaling');
  }
  const replicas = spec?.replicas;
  if (replicas !== undefined && (!Number.isSafeInteger(replicas) || replicas < 0 || replicas > 2147483647)) {
    throw errs.invalid('Scale', name, [{ field: 'spec.replicas', message: `Invalid value: ${JSON.stringify(replicas)}: must be greater than or equal to 0` }], 'autoscaling');
  }
  return replicas ?? 0;
}

function checkPreconditions(resource: string, name: string, cur: KubeObject, opts: DeleteOptions): void {
  const p = opts.preconditions;
  if (!p) return;
  if (p.uid && p.uid !== cur.metadata.uid) {
    throw errs.conflict(resource, name, `Precondition failed: UID in precondition: ${p.uid}, UID in object meta: ${cur.metadata.uid}`);
  }
  if (p.resourceVersion && p.resourceVersion !== cur.metadata.resourceVersion) {
    throw errs.conflict(resource, name, `Precondition failed: ResourceVersion in precondition: ${p.resourceVersion}, ResourceVersion in object meta: ${cur.metadata.resourceVersion}`);
  }
}
