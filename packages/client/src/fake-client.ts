// An in-memory Client for unit tests (client-go's fake clientset): one global
// resourceVersion counter, optimistic concurrency, finalizers, the status subresource,
// pods/binding and pods/eviction, selectors, and watches that replay history from a
// resourceVersion (410 Expired once `compact()` dropped it). Every call is recorded in
// `actions`; `prependReactor` lets a test answer or fail a call before the store sees it.
// long: one class, the in-memory apiserver that unit tests stand on; its verbs share the
// store, the history and the watchers, and tests read it as one thing.
import { randomUUID } from 'node:crypto';
import {
  findResource,
  applyPatch,
  PatchError,
  alreadyExists,
  apiError,
  conflict,
  deepCopy,
  expired,
  invalid,
  notFound,
  objectKey,
  rfc3339,
  successStatus,
  type FieldErrorType,
  type KubeObject,
  type KubeList,
  type WatchEvent,
  type DeleteOptions,
} from '@k8ts/api';
import { type ApiError, type Client, type ListOptions, type WatchOptions, type WriteOptions, type PatchType, type WatchHandle } from './types.js';
import { objectMatcher } from './selectors.js';

export type FakeVerb = 'get' | 'list' | 'create' | 'update' | 'patch' | 'delete' | 'watch';

export interface FakeAction {
  verb: FakeVerb;
  resource: string;
  namespace: string;
  name?: string;
  subresource?: string;
  object?: KubeObject;
  patchType?: PatchType;
  patch?: unknown;
  options?: unknown;
}

/** Returns an object to answer the call with, throws to fail it, or returns undefined to let the store handle it. */
export type FakeReactor = (action: FakeAction) => KubeObject | KubeList | undefined | Promise<KubeObject | KubeList | undefined>;

interface FakeWatcher {
  resource: string;
  namespace?: string;
  match: (o: KubeObject) => boolean;
  deliver: (ev: WatchEvent) => void;
  end: () => void;
}

interface HistoryEntry {
  rv: number;
  resource: string;
  type: 'ADDED' | 'MODIFIED' | 'DELETED';
  object: KubeObject;
  /** The object before this change, to tell a watcher with a selector that it left the set. */
  old?: KubeObject;
}

const alphabet = 'bcdfghjklmnpqrstvwxz2456789';
function randomSuffix(): string {
  let s = '';
  for (let i = 0; i < 5; i++) s += alphabet[Math.floor(Math.random() * alphabet.length)];
  return s;
}

export const notFoundError = notFound;
export const alreadyExistsError = alreadyExists;
export const conflictError = conflict;

function invalidError(resource: string, name: string, field: string, message: string, type: FieldErrorType = 'FieldValueRequired'): ApiError {
  return invalid(resource, name, [{ field, type, message }]);
}

function isNamespaced(resource: string): boolean {
  return findResource(resource)?.namespaced ?? true;
}

function hasStatusSubresource(resource: string): boolean {
  return findResource(resource)?.subresources.includes('status') ?? false;
}

const keyOf = (namespace: string, name: string): string => objectKey({ metadata: { namespace, name } });
const clone = deepCopy;

/** kubernetes-types marks metadata read-only; the store is where it is written. */
type MutableMeta = { -readonly [K in keyof KubeObject['metadata']]: KubeObject['metadata'][K] };
const meta = (o: KubeObject): MutableMeta => o.metadata as MutableMeta;

export class FakeClient implements Client {
  readonly actions: FakeAction[] = [];
  private readonly store = new Map<string, Map<string, KubeObject>>();
  private rv = 0;
  private history: HistoryEntry[] = [];
  /** Watches from a resourceVersion at or below this answer 410 Expired. */
  private compactedRv = 0;
  private readonly watchers = new Set<FakeWatcher>();
  private readonly reactors: { verb: FakeVerb | '*'; resource: string; fn: FakeReactor }[] = [];
  private closed = false;

  /** Seeds objects as `[resource, object]` pairs without recording actions. */
  constructor(seed: [string, KubeObject][] = []) {
    for (const [resource, obj] of seed) this.seed(resource, obj);
  }

  /** Stores an object as create does (metadata filled in), without recording an action. */
  seed<T extends KubeObject>(resource: string, obj: T | KubeObject): T {
    return this.doCreate(resource, clone(obj as KubeObject)) as T;
  }

  /** The stored object, or undefined (no action recorded). */
  peek<T extends KubeObject = KubeObject>(resource: string, namespace: string, name: string): T | undefined {
    const o = this.bucket(resource).get(keyOf(isNamespaced(resource) ? namespace : '', name));
    return o ? (clone(o) as T) : undefined;
  }

  /** All stored objects of a resource (no action recorded). */
  objects<T extends KubeObject = KubeObject>(resource: string, namespace?: string): T[] {
    return [...this.bucket(resource).values()].filter((o) => !namespace || o.metadata.namespace === namespace).map((o) => clone(o) as T);
  }

  clearActions(): void {
    this.actions.length = 0;
  }

  /** Actions filtered by verb and (optionally) resource. */
  actionsOf(verb: FakeVerb, resource?: string): FakeAction[] {
    return this.actions.filter((a) => a.verb === verb && (!resource || a.resource === resource));
  }

  /** Reactors run newest first; `verb`/`resource` may be '*'. */
  prependReactor(verb: FakeVerb | '*', resource: string, fn: FakeReactor): void {
    this.reactors.unshift({ verb, resource, fn });
  }

  /** The last resourceVersion handed out. */
  get resourceVersion(): string {
    return String(this.rv);
  }

  /** Forgets watch history: a watch from an older resourceVersion now gets 410 Expired. */
  compact(): void {
    this.compactedRv = this.rv;
    this.history = [];
  }

  /** Ends every open watch, as a broken stream or an apiserver restart would. */
  breakWatches(): void {
    for (const w of [...this.watchers]) w.end();
  }

  /** Sends a 410 ERROR event to every open watch and ends it. */
  expireWatches(): void {
    const status = expired('too old resource version').status;
    for (const w of [...this.watchers]) {
      w.deliver({ type: 'ERROR', object: status as unknown as KubeObject });
      w.end();
    }
  }

  get watcherCount(): number {
    return this.watchers.size;
  }

  private bucket(resource: string): Map<string, KubeObject> {
    let b = this.store.get(resource);
    if (!b) this.store.set(resource, (b = new Map()));
    return b;
  }

  private async react(action: FakeAction): Promise<KubeObject | KubeList | undefined> {
    this.actions.push(action);
    for (const r of this.reactors) {
      if ((r.verb === '*' || r.verb === action.verb) && (r.resource === '*' || r.resource === action.resource)) {
        const res = await r.fn(action);
        if (res !== undefined) return clone(res);
      }
    }
    return undefined;
  }

  private nsFor(resource: string, namespace: string | undefined): string {
    return isNamespaced(resource) ? namespace || 'default' : '';
  }

  private record(resource: string, type: HistoryEntry['type'], obj: KubeObject, old?: KubeObject): void {
    const entry: HistoryEntry = { rv: Number(obj.metadata.resourceVersion), resource, type, object: clone(obj), old: old && clone(old) };
    this.history.push(entry);
    if (this.history.length > 10000) {
      const dropped = this.history.splice(0, this.history.length - 10000);
      this.compactedRv = dropped[dropped.length - 1]!.rv;
    }
    for (const w of this.watchers) this.fanOut(w, entry);
  }

  private fanOut(w: FakeWatcher, e: HistoryEntry): void {
    if (w.resource !== e.resource) return;
    if (w.namespace && e.object.metadata.namespace !== w.namespace) return;
    const now = w.match(e.object);
    const before = e.old ? w.match(e.old) : false;
    if (e.type === 'DELETED') {
      if (now) w.deliver({ type: 'DELETED', object: clone(e.object) });
    } else if (e.type === 'ADDED') {
      if (now) w.deliver({ type: 'ADDED', object: clone(e.object) });
    } else if (now && before) w.deliver({ type: 'MODIFIED', object: clone(e.object) });
    else if (now && !before) w.deliver({ type: 'ADDED', object: clone(e.object) });
    else if (!now && before) w.deliver({ type: 'DELETED', object: clone(e.object) });
  }

  private fill(resource: string, obj: KubeObject): void {
    const info = findResource(resource);
    if (info) {
      obj.apiVersion ??= info.group ? `${info.group}/${info.version}` : info.version;
      obj.kind ??= info.kind;
    }
  }

  private doCreate(resource: string, obj: KubeObject): KubeObject {
    if (!obj || typeof obj !== 'object' || !obj.metadata) obj = { ...(obj ?? {}), metadata: {} } as KubeObject;
    const m = meta(obj);
    const ns = this.nsFor(resource, m.namespace);
    if (ns) m.namespace = ns;
    else delete m.namespace;
    if (!m.name && m.generateName) m.name = m.generateName + randomSuffix();
    if (!m.name) throw invalidError(resource, '', 'metadata.name', 'Required value: name or generateName is required');
    if (m.resourceVersion) throw invalidError(resource, m.name, 'metadata.resourceVersion', 'Invalid value: must be empty on create', 'FieldValueInvalid');
    const b = this.bucket(resource);
    const key = keyOf(ns, m.name);
    if (b.has(key)) throw alreadyExistsError(resource, m.name);
    this.fill(resource, obj);
    m.uid = randomUUID();
    m.creationTimestamp = rfc3339();
    m.resourceVersion = String(++this.rv);
    m.generation = 1;
    delete m.deletionTimestamp;
    b.set(key, clone(obj));
    this.record(resource, 'ADDED', obj);
    return obj;
  }

  private current(resource: string, namespace: string, name: string): KubeObject {
    const o = this.bucket(resource).get(keyOf(this.nsFor(resource, namespace), name));
    if (!o) throw notFoundError(resource, name);
    return o;
  }

  /** Stores `next` as the new state of `old` (bumps resourceVersion and, on spec changes, generation). */
  private commit(resource: string, old: KubeObject, next: KubeObject, markDeleted = false): KubeObject {
    const m = meta(next);
    m.name = old.metadata.name;
    if (old.metadata.namespace) m.namespace = old.metadata.namespace;
    m.uid = old.metadata.uid;
    m.creationTimestamp = old.metadata.creationTimestamp;
    m.generation = old.metadata.generation ?? 1;
    if (old.metadata.deletionTimestamp) m.deletionTimestamp = old.metadata.deletionTimestamp;
    else if (!markDeleted) delete m.deletionTimestamp;
    if (JSON.stringify(old.spec) !== JSON.stringify(next.spec)) m.generation = (old.metadata.generation ?? 1) + 1;
    this.fill(resource, next);
    const key = keyOf(m.namespace ?? '', m.name!);
    // Removing the last finalizer of an object marked for deletion deletes it.
    if (m.deletionTimestamp && !(m.finalizers ?? []).length) {
      m.resourceVersion = String(++this.rv);
      this.bucket(resource).delete(key);
      this.record(resource, 'DELETED', next, old);
      return next;
    }
    // A no-op write leaves resourceVersion unchanged, as the apiserver does.
    const { resourceVersion: _a, ...restOld } = old.metadata;
    const { resourceVersion: _b, ...restNew } = m;
    if (JSON.stringify({ ...old, metadata: restOld }) === JSON.stringify({ ...next, metadata: restNew })) {
      m.resourceVersion = old.metadata.resourceVersion;
      return next;
    }
    m.resourceVersion = String(++this.rv);
    this.bucket(resource).set(key, clone(next));
    this.record(resource, 'MODIFIED', next, old);
    return next;
  }

  private merged(resource: string, old: KubeObject, incoming: KubeObject, subresource?: string): KubeObject {
    if (subresource === 'status') {
      const next = clone(old);
      next.status = clone(incoming.status);
      return next;
    }
    const next = clone(incoming);
    next.metadata = { ...next.metadata };
    if (hasStatusSubresource(resource)) next.status = clone(old.status);
    if (next.status === undefined) delete next.status;
    return next;
  }

  async get<T extends KubeObject = KubeObject>(resource: string, namespace: string, name: string, subresource?: string): Promise<T> {
    const r = await this.react({ verb: 'get', resource, namespace, name, subresource });
    if (r) return r as T;
    return clone(this.current(resource, namespace, name)) as T;
  }

  async list<T extends KubeObject = KubeObject>(resource: string, opts: ListOptions = {}): Promise<KubeList<T>> {
    const r = await this.react({ verb: 'list', resource, namespace: opts.namespace ?? '', options: opts });
    if (r) return r as KubeList<T>;
    const match = objectMatcher(resource, opts.labelSelector, opts.fieldSelector, true);
    let items = [...this.bucket(resource).entries()]
      .filter(([, o]) => !opts.namespace || !isNamespaced(resource) || o.metadata.namespace === opts.namespace)
      .filter(([, o]) => match(o))
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    if (opts.continue) {
      const after = Buffer.from(opts.continue, 'base64url').toString();
      items = items.filter(([k]) => k > after);
    }
    let cont: string | undefined;
    if (opts.limit && opts.limit > 0 && items.length > opts.limit) {
      items = items.slice(0, opts.limit);
      cont = Buffer.from(items[items.length - 1]![0]).toString('base64url');
    }
    const info = findResource(resource);
    return {
      apiVersion: info ? (info.group ? `${info.group}/${info.version}` : info.version) : 'v1',
      kind: info?.listKind ?? 'List',
      metadata: { resourceVersion: String(this.rv), ...(cont ? { continue: cont } : {}) },
      items: items.map(([, o]) => clone(o) as T),
    };
  }

  async create<T extends KubeObject = KubeObject>(resource: string, obj: T | KubeObject, opts: WriteOptions = {}): Promise<T> {
    const o = clone(obj as KubeObject);
    const r = await this.react({ verb: 'create', resource, namespace: this.nsFor(resource, o.metadata?.namespace), name: o.metadata?.name, object: o, subresource: opts.subresource, options: opts });
    if (r) return r as T;
    if (opts.subresource) return this.subresource(resource, this.nsFor(resource, o.metadata?.namespace), o.metadata?.name ?? '', opts.subresource, o) as Promise<T>;
    if (opts.dryRun) {
      const m = o.metadata ?? {};
      if (this.bucket(resource).has(keyOf(this.nsFor(resource, m.namespace), m.name ?? ''))) throw alreadyExistsError(resource, m.name ?? '');
      return o as T;
    }
    return clone(this.doCreate(resource, o)) as T;
  }

  async update<T extends KubeObject = KubeObject>(resource: string, obj: T | KubeObject, opts: WriteOptions = {}): Promise<T> {
    const o = clone(obj as KubeObject);
    const ns = this.nsFor(resource, o.metadata?.namespace);
    const name = o.metadata?.name ?? '';
    const r = await this.react({ verb: 'update', resource, namespace: ns, name, object: o, subresource: opts.subresource, options: opts });
    if (r) return r as T;
    const old = this.current(resource, ns, name);
    const rv = o.metadata.resourceVersion;
    if (rv && rv !== old.metadata.resourceVersion) throw conflictError(resource, name);
    if (o.metadata.uid && o.metadata.uid !== old.metadata.uid) throw conflictError(resource, name, `Precondition failed: UID in precondition: ${o.metadata.uid}, UID in object meta: ${old.metadata.uid}`);
    const next = this.merged(resource, old, o, opts.subresource);
    if (opts.dryRun) return next as T;
    return clone(this.commit(resource, old, next)) as T;
  }

  async patch<T extends KubeObject = KubeObject>(resource: string, namespace: string, name: string, patchType: PatchType, patch: unknown, opts: WriteOptions = {}): Promise<T> {
    const ns = this.nsFor(resource, namespace);
    const r = await this.react({ verb: 'patch', resource, namespace: ns, name, patchType, patch: clone(patch), subresource: opts.subresource, options: opts });
    if (r) return r as T;
    const old = this.current(resource, ns, name);
    const patched = this.applyPatch(resource, old, patchType, patch);
    const prv = patched.metadata?.resourceVersion;
    if (prv && prv !== old.metadata.resourceVersion) throw conflictError(resource, name);
    if (!patched.metadata) patched.metadata = {};
    const next = this.merged(resource, old, patched, opts.subresource);
    if (opts.dryRun) return next as T;
    return clone(this.commit(resource, old, next)) as T;
  }

  private applyPatch(resource: string, old: KubeObject, patchType: PatchType, patch: unknown): KubeObject {
    try {
      return applyPatch(patchType, old, patch as string | object, resource) as KubeObject;
    } catch (e) {
      if (!(e instanceof PatchError)) throw e;
      if (e.message.startsWith('the body of the request was in an unknown format')) throw apiError(415, 'UnsupportedMediaType', e.message);
      throw e;
    }
  }

  async delete(resource: string, namespace: string, name: string, opts: DeleteOptions = {}): Promise<KubeObject> {
    const ns = this.nsFor(resource, namespace);
    const r = await this.react({ verb: 'delete', resource, namespace: ns, name, options: opts });
    if (r) return r as KubeObject;
    return clone(this.doDelete(resource, ns, name, opts));
  }

  private doDelete(resource: string, ns: string, name: string, opts: DeleteOptions = {}): KubeObject {
    const old = this.current(resource, ns, name);
    const pre = opts.preconditions;
    if (pre?.uid && pre.uid !== old.metadata.uid)
      throw conflictError(resource, name, `Precondition failed: UID in precondition: ${pre.uid}, UID in object meta: ${old.metadata.uid}`);
    if (pre?.resourceVersion && pre.resourceVersion !== old.metadata.resourceVersion)
      throw conflictError(resource, name, `Precondition failed: ResourceVersion in precondition: ${pre.resourceVersion}, ResourceVersion in object meta: ${old.metadata.resourceVersion}`);
    if (opts.dryRun?.length) return clone(old);
    const next = clone(old);
    if ((old.metadata.finalizers ?? []).length) {
      if (old.metadata.deletionTimestamp) return next;
      meta(next).deletionTimestamp = rfc3339();
      meta(next).deletionGracePeriodSeconds = 0;
      return this.commit(resource, old, next, true);
    }
    meta(next).resourceVersion = String(++this.rv);
    this.bucket(resource).delete(keyOf(ns, name));
    this.record(resource, 'DELETED', next, old);
    return next;
  }

  async createSubresource<T extends KubeObject = KubeObject>(resource: string, namespace: string, name: string, subresource: string, body: KubeObject): Promise<T> {
    const ns = this.nsFor(resource, namespace);
    const r = await this.react({ verb: 'create', resource, namespace: ns, name, subresource, object: clone(body) });
    if (r) return r as T;
    return this.subresource(resource, ns, name, subresource, body) as Promise<T>;
  }

  private async subresource(resource: string, ns: string, name: string, subresource: string, body: KubeObject): Promise<KubeObject> {
    const success = successStatus(201) as KubeObject;
    if (resource === 'pods' && subresource === 'binding') {
      const old = this.current(resource, ns, name);
      const target = (body as { target?: { name?: string } }).target?.name;
      if (!target) throw invalidError('bindings', name, 'target.name', 'Required value');
      if (old.spec?.nodeName) throw conflictError(resource, name, `pod ${name} is already assigned to node "${old.spec.nodeName}"`);
      if (old.metadata.deletionTimestamp) throw conflictError(resource, name, `pod ${name} is being deleted, cannot be assigned to a host`);
      const next = clone(old);
      next.spec = { ...(next.spec ?? {}), nodeName: target };
      const conds = ((next.status ??= {}).conditions ??= []) as { type: string; status: string; lastTransitionTime?: string }[];
      const i = conds.findIndex((c) => c.type === 'PodScheduled');
      const c = { type: 'PodScheduled', status: 'True', lastProbeTime: null, lastTransitionTime: rfc3339() };
      if (i >= 0) conds[i] = c;
      else conds.push(c);
      this.commit(resource, old, next);
      return success;
    }
    if (resource === 'pods' && subresource === 'eviction') {
      this.doDelete(resource, ns, name, (body as { deleteOptions?: DeleteOptions }).deleteOptions ?? {});
      return success;
    }
    if (subresource === 'status') {
      const old = this.current(resource, ns, name);
      return clone(this.commit(resource, old, this.merged(resource, old, body, 'status')));
    }
    throw apiError(404, 'NotFound', `the server could not find the requested resource (post ${resource}/${subresource})`);
  }

  watch<T extends KubeObject = KubeObject>(resource: string, opts: WatchOptions, onEvent: (ev: WatchEvent<T>) => void): WatchHandle {
    this.actions.push({ verb: 'watch', resource, namespace: opts.namespace ?? '', options: opts });
    let resolveDone!: () => void;
    const done = new Promise<void>((r) => (resolveDone = r));
    let ended = false;
    const queue: WatchEvent[] = [];
    let scheduled = false;
    const flush = () => {
      scheduled = false;
      while (queue.length && !ended) onEvent(queue.shift() as WatchEvent<T>);
      if (endPending && !ended) finish();
    };
    let endPending = false;
    const finish = () => {
      if (ended) return;
      ended = true;
      this.watchers.delete(w);
      resolveDone();
    };
    // Events are delivered asynchronously (a microtask, so before any timer a test waits on) and in order.
    const w: FakeWatcher = {
      resource,
      namespace: isNamespaced(resource) ? opts.namespace : undefined,
      match: () => true,
      deliver: (ev) => {
        if (ended || endPending) return;
        queue.push(ev);
        if (!scheduled) {
          scheduled = true;
          queueMicrotask(flush);
        }
      },
      end: () => {
        this.watchers.delete(w);
        endPending = true;
        if (!scheduled) {
          scheduled = true;
          queueMicrotask(flush);
        }
      },
    };
    const handle: WatchHandle = {
      stop: () => {
        queue.length = 0;
        finish();
      },
      done,
    };
    let match: (o: KubeObject) => boolean;
    try {
      match = objectMatcher(resource, opts.labelSelector, opts.fieldSelector, true);
    } catch (e) {
      w.deliver({ type: 'ERROR', object: (e as ApiError).status as unknown as KubeObject });
      w.end();
      return handle;
    }
    w.match = match;
    if (this.closed) {
      w.end();
      return handle;
    }
    const rv = opts.resourceVersion;
    if (!rv || rv === '0') {
      for (const o of this.bucket(resource).values()) {
        if (w.namespace && o.metadata.namespace !== w.namespace) continue;
        if (match(o)) w.deliver({ type: 'ADDED', object: clone(o) });
      }
    } else {
      const from = Number(rv);
      if (!Number.isFinite(from) || from < this.compactedRv) {
        w.deliver({ type: 'ERROR', object: expired(`too old resource version: ${rv} (${this.compactedRv + 1})`).status as unknown as KubeObject });
        w.end();
        return handle;
      }
      for (const e of this.history) if (e.rv > from) this.fanOut(w, e);
    }
    this.watchers.add(w);
    return handle;
  }

  close(): void {
    this.closed = true;
    this.breakWatches();
  }
}
