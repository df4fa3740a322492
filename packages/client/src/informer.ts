// Informers as in client-go: list, then watch from the list's resourceVersion, keeping a
// local indexed store and telling handlers about adds, updates and deletes. When the watch
// ends (410 Expired, a broken stream, an apiserver restart) the informer lists again and
// delivers only the differences, so handlers see a consistent sequence either way.
import { type KubeObject, type WatchEvent, type Status } from '@k8ts/api';
import type { Logger } from 'pino';
import type { Client } from './types.js';
import { createLogger } from './ops.js';
import { abortableSleep } from './abortable-sleep.js';

export type IndexFunc<T> = (obj: T) => string[];

export interface EventHandlers<T> {
  onAdd?(obj: T): void;
  onUpdate?(oldObj: T, newObj: T): void;
  onDelete?(obj: T): void;
}

export interface InformerOptions<T extends KubeObject = KubeObject> {
  resource: string;
  /** Omitted: all namespaces. */
  namespace?: string;
  labelSelector?: string;
  fieldSelector?: string;
  /** Every period, onUpdate(obj, obj) for every cached object (0/undefined: never). */
  resyncPeriodMs?: number;
  logger?: Pick<Logger, 'debug' | 'info' | 'warn' | 'error'>;
  /** First and longest wait between failed relists (defaults 200 ms and 10 s). */
  minBackoffMs?: number;
  maxBackoffMs?: number;
  /**
   * Watches in a row that end at once with no event (an apiserver that is down) before the
   * informer lists again instead of rewatching from its resourceVersion (default 8).
   */
  relistAfterQuickEnds?: number;
  /**
   * What the cache keeps of each object listed or watched (client-go's TransformFunc); the
   * default drops metadata.managedFields (stripManagedFields). `null`: objects as received.
   */
  transform?: ((obj: T) => T) | null;
}

import { stripManagedFields, NAMESPACE_INDEX, keyOf } from './cache-keys.js';
export { stripManagedFields, NAMESPACE_INDEX, keyOf, splitKey } from './cache-keys.js';

/**
 * A cache of one resource (optionally one namespace and selector) kept current by
 * list+watch. Objects handed out are the cached ones: treat them as read-only (copy with
 * structuredClone before changing one).
 */
export class Informer<T extends KubeObject = KubeObject> {
  readonly resource: string;
  private readonly items = new Map<string, T>();
  private readonly indexers = new Map<string, IndexFunc<T>>();
  private readonly indices = new Map<string, Map<string, Set<string>>>();
  private readonly handlers: EventHandlers<T>[] = [];
  private readonly log: Pick<Logger, 'debug' | 'info' | 'warn' | 'error'>;
  private readonly abort = new AbortController();
  private readonly transform: (obj: T) => T;
  private synced = false;
  private syncWaiters: (() => void)[] = [];
  private started = false;
  private rv = '';
  private watch: { stop(): void } | undefined;
  private resyncTimer: NodeJS.Timeout | undefined;
  private loop: Promise<void> | undefined;
  /** Lists done so far (1 after the first sync; grows on each relist). */
  listCount = 0;
  /** Watches opened so far. */
  watchCount = 0;
  /** Watches that ended with 410 Expired. */
  expiredCount = 0;

  constructor(
    private readonly client: Client,
    private readonly opts: InformerOptions<T>,
  ) {
    this.resource = opts.resource;
    this.transform = opts.transform === null ? (o) => o : (opts.transform ?? stripManagedFields);
    this.log = opts.logger ?? createLogger('informer', { resource: opts.resource });
    this.addIndexer(NAMESPACE_INDEX, (o) => [o.metadata?.namespace ?? '']);
  }

  // --- handlers ------------------------------------------------------------------------

  /** Registers handlers; if the cache already holds objects, onAdd is called for each (as client-go does). */
  addEventHandler(h: EventHandlers<T>): this {
    this.handlers.push(h);
    if (h.onAdd) for (const o of this.items.values()) this.call(() => h.onAdd!(o));
    return this;
  }
  onAdd(fn: (obj: T) => void): this {
    return this.addEventHandler({ onAdd: fn });
  }
  onUpdate(fn: (oldObj: T, newObj: T) => void): this {
    return this.addEventHandler({ onUpdate: fn });
  }
  onDelete(fn: (obj: T) => void): this {
    return this.addEventHandler({ onDelete: fn });
  }

  private call(fn: () => void): void {
    try {
      fn();
    } catch (err) {
      this.log.error({ err, resource: this.resource }, 'informer event handler threw');
    }
  }

  // --- store ---------------------------------------------------------------------------

  /** Adds an index; `fn` returns the index values of an object. Existing objects are indexed at once. */
  addIndexer(name: string, fn: IndexFunc<T>): this {
    this.indexers.set(name, fn);
    const idx = new Map<string, Set<string>>();
    this.indices.set(name, idx);
    for (const [key, o] of this.items) this.indexOne(name, fn, key, o);
    return this;
  }

  get(key: string): T | undefined {
    return this.items.get(key);
  }

  /** By namespace and name (namespace "" for cluster-scoped objects). */
  getByName(namespace: string, name: string): T | undefined {
    return this.items.get(namespace ? `${namespace}/${name}` : name);
  }

  list(namespace?: string): T[] {
    if (namespace) return this.byIndex(NAMESPACE_INDEX, namespace);
    return [...this.items.values()];
  }

  listKeys(): string[] {
    return [...this.items.keys()];
  }

  byIndex(indexName: string, value: string): T[] {
    const idx = this.indices.get(indexName);
    if (!idx) throw new Error(`informer ${this.resource}: no index named ${indexName}`);
    const keys = idx.get(value);
    if (!keys) return [];
    return [...keys].map((k) => this.items.get(k)!).filter(Boolean);
  }

  get size(): number {
    return this.items.size;
  }

  /** resourceVersion of the last list or watch event seen. */
  get lastSyncResourceVersion(): string {
    return this.rv;
  }

  private indexOne(name: string, fn: IndexFunc<T>, key: string, o: T): void {
    const idx = this.indices.get(name)!;
    let values: string[];
    try {
      values = fn(o);
    } catch (err) {
      this.log.error({ err, index: name, object: key }, 'index function threw');
      return;
    }
    for (const v of values) {
      let s = idx.get(v);
      if (!s) idx.set(v, (s = new Set()));
      s.add(key);
    }
  }

  private unindex(key: string, o: T): void {
    for (const [name, fn] of this.indexers) {
      const idx = this.indices.get(name)!;
      let values: string[];
      try {
        values = fn(o);
      } catch {
        values = [...idx.keys()];
      }
      for (const v of values) {
        const s = idx.get(v);
        if (!s) continue;
        s.delete(key);
        if (s.size === 0) idx.delete(v);
      }
    }
  }

  private put(o: T): void {
    const key = keyOf(o);
    const old = this.items.get(key);
    if (old) this.unindex(key, old);
    this.items.set(key, o);
    for (const [name, fn] of this.indexers) this.indexOne(name, fn, key, o);
    if (old) for (const h of this.handlers) h.onUpdate && this.call(() => h.onUpdate!(old, o));
    else for (const h of this.handlers) h.onAdd && this.call(() => h.onAdd!(o));
  }

  private remove(key: string, last?: T): void {
    const old = this.items.get(key);
    if (!old) return;
    this.unindex(key, old);
    this.items.delete(key);
    const gone = last ?? old;
    for (const h of this.handlers) h.onDelete && this.call(() => h.onDelete!(gone));
  }

  /** Makes the store equal to a fresh list, delivering only the differences. */
  private replace(items: T[]): void {
    const seen = new Set<string>();
    for (const o of items) {
      const key = keyOf(o);
      seen.add(key);
      const old = this.items.get(key);
      if (old && old.metadata.resourceVersion === o.metadata.resourceVersion) {
        if (old.metadata.uid === o.metadata.uid) continue;
      }
      if (old && old.metadata.uid !== o.metadata.uid) this.remove(key); // deleted and recreated while we were away
      this.put(o);
    }
    for (const key of [...this.items.keys()]) if (!seen.has(key)) this.remove(key);
  }

  // --- lifecycle -----------------------------------------------------------------------

  hasSynced(): boolean {
    return this.synced;
  }

  /** Resolves true once the first list is in the store; false on timeout or stop. */
  waitForSync(timeoutMs?: number): Promise<boolean> {
    if (this.synced) return Promise.resolve(true);
    if (this.abort.signal.aborted) return Promise.resolve(false);
    return new Promise((resolve) => {
      let timer: NodeJS.Timeout | undefined;
      const onDone = () => {
        if (timer) clearTimeout(timer);
        resolve(this.synced);
      };
      this.syncWaiters.push(onDone);
      if (timeoutMs !== undefined) timer = setTimeout(onDone, timeoutMs);
    });
  }

  /** Starts list+watch in the background (idempotent). */
  start(): this {
    if (this.started || this.abort.signal.aborted) return this;
    this.started = true;
    this.loop = this.run();
    if (this.opts.resyncPeriodMs && this.opts.resyncPeriodMs > 0) {
      this.resyncTimer = setInterval(() => this.resync(), this.opts.resyncPeriodMs);
    }
    return this;
  }

  stop(): Promise<void> {
    if (!this.abort.signal.aborted) {
      this.abort.abort();
      if (this.resyncTimer) clearInterval(this.resyncTimer);
      this.watch?.stop();
      for (const w of this.syncWaiters.splice(0)) w();
    }
    return this.loop ?? Promise.resolve();
  }

  get stopped(): boolean {
    return this.abort.signal.aborted;
  }

  private resync(): void {
    for (const o of this.items.values()) for (const h of this.handlers) h.onUpdate && this.call(() => h.onUpdate!(o, o));
  }

  // As client-go's Reflector: a watch that ends (broken stream, apiserver restart) is
  // reopened from the last resourceVersion seen, so nothing is missed and nothing is listed
  // again; a 410 Expired (history compacted) or any other ERROR leads to a relist, whose
  // differences are delivered as adds, updates and deletes.
  private async run(): Promise<void> {
    const minB = this.opts.minBackoffMs ?? 200;
    const maxB = this.opts.maxBackoffMs ?? 10_000;
    const grow = (b: number) => Math.min(Math.max(b * 2, minB), maxB);
    let backoff = 0;
    let needList = true;
    let quickEnds = 0;
    const signal = this.abort.signal;
    while (!signal.aborted) {
      if (backoff > 0) await abortableSleep(backoff, signal);
      if (signal.aborted) break;
      if (needList) {
        let list;
        try {
          list = await this.client.list<T>(this.resource, {
            namespace: this.opts.namespace,
            labelSelector: this.opts.labelSelector,
            fieldSelector: this.opts.fieldSelector,
          });
        } catch (err) {
          backoff = grow(backoff);
          this.log.warn({ err, resource: this.resource, retryInMs: backoff }, 'informer list failed');
          continue;
        }
        if (signal.aborted) break;
        this.listCount++;
        this.rv = list.metadata.resourceVersion ?? '';
        this.replace(list.items.map(this.transform));
        needList = false;
        if (!this.synced) {
          this.synced = true;
          for (const w of this.syncWaiters.splice(0)) w();
        }
      }
      const started = Date.now();
      this.watchCount++;
      const { outcome, events } = await this.watchUntilEnd();
      if (signal.aborted) break;
      const quick = Date.now() - started < 1000 && events === 0;
      if (outcome === 'expired') {
        this.expiredCount++;
        needList = true;
        backoff = quick && backoff > 0 ? grow(backoff) : 0;
        this.log.info({ resource: this.resource, resourceVersion: this.rv }, 'watch expired (410), relisting');
      } else if (outcome.startsWith('error')) {
        needList = true;
        backoff = grow(backoff);
        this.log.warn({ resource: this.resource, outcome, retryInMs: backoff }, 'watch failed, relisting');
      } else {
        // Ended: rewatch from this.rv; back off while it keeps ending at once (apiserver
        // down), and relist if that goes on, in case the stream drops events silently.
        quickEnds = quick ? quickEnds + 1 : 0;
        backoff = quick ? grow(backoff) : 0;
        if (quickEnds >= (this.opts.relistAfterQuickEnds ?? 8)) {
          needList = true;
          quickEnds = 0;
        }
        this.log.debug({ resource: this.resource, outcome, retryInMs: backoff }, 'watch ended, rewatching');
      }
    }
  }

  /** Watches from the last resourceVersion until the stream ends; says why it ended. */
  private watchUntilEnd(): Promise<{ outcome: string; events: number }> {
    return new Promise((resolve) => {
      let settled = false;
      let events = 0;
      const finish = (why: string) => {
        if (settled) return;
        settled = true;
        this.abort.signal.removeEventListener('abort', onAbort);
        handle.stop();
        resolve({ outcome: why, events });
      };
      const onAbort = () => finish('stopped');
      const handle = this.client.watch<T>(
        this.resource,
        {
          namespace: this.opts.namespace,
          labelSelector: this.opts.labelSelector,
          fieldSelector: this.opts.fieldSelector,
          resourceVersion: this.rv,
          allowBookmarks: true,
        },
        (ev) => {
          if (settled) return;
          if (ev.type !== 'ERROR') events++;
          this.handleEvent(ev, finish);
        },
      );
      this.watch = handle;
      this.abort.signal.addEventListener('abort', onAbort, { once: true });
      handle.done.then(
        () => finish('ended'),
        () => finish('failed'),
      );
    });
  }

  private handleEvent(ev: WatchEvent<T>, finish: (why: string) => void): void {
    const o = ev.type === 'ERROR' || ev.type === 'BOOKMARK' ? ev.object : this.transform(ev.object);
    switch (ev.type) {
      case 'ADDED':
      case 'MODIFIED':
        this.put(o);
        break;
      case 'DELETED':
        this.remove(keyOf(o), o);
        break;
      case 'BOOKMARK':
        break;
      case 'ERROR': {
        const s = o as unknown as Status;
        finish(s.code === 410 ? 'expired' : `error ${s.code ?? ''} ${s.message ?? ''}`.trim());
        return;
      }
    }
    if (o?.metadata?.resourceVersion) this.rv = o.metadata.resourceVersion;
  }
}
