// One etcd watch per resource, shared by every watcher of that resource. It starts with the
// first list or watch of the resource and keeps a ring of recent events, so a watch from a
// resourceVersion a list just returned starts from memory without a new etcd watch.
import type { KubeObject, ResourceInfo } from '@k8ts/api';
import type { Logger } from 'pino';
import { hubEvent, type HubEvent } from './watch-event.js';
import type { RegistryWatcher } from '../../registry/watcher.js';
import { listPrefix } from '../keys.js';
import type { Storage, StorageEvent, StorageWatch } from '../storage.js';
import type { SharedWatchHandle } from '../recent-writes.js';
import { expired } from '../../registry/errors.js';
import { deliverSafely, FanOut } from './fan-out.js';

export interface HubOptions {
  ringSize: number;
  logger?: Logger;
  /** Longest run of deliveries between two turns of the event loop, ms (see ./fan-out.ts). */
  fanOutSliceMs?: number;
}

export class ResourceHub {
  /** Every event with a revision above floor is in the ring (or still on its way). */
  floor = 0;
  lastRevision = 0;
  private ring: HubEvent[] = [];
  /** The newest event of each key in the ring, for the state before the next one. */
  private readonly newest = new Map<string, HubEvent>();
  private readonly subs = new Set<RegistryWatcher>();
  private readonly fanOut: FanOut<HubEvent>;
  private watcher?: StorageWatch;
  /** The store's remembering of this resource's writes for the watch (see ../recent-writes.ts). */
  private writes?: SharedWatchHandle;
  private starting?: Promise<void>;
  private readonly prefix: string;
  private closed = false;

  constructor(
    private readonly store: Storage,
    private readonly info: ResourceInfo,
    private readonly opts: HubOptions,
  ) {
    this.prefix = listPrefix(info.resource);
    this.fanOut = new FanOut({ maxMs: opts.fanOutSliceMs, logger: opts.logger });
  }

  /**
   * The newest state of `key` the shared watch has delivered, while its event is in the ring;
   * shared: not to be changed. It may be behind etcd: a write that starts from it compares the
   * mod revision, as GuaranteedUpdate does with the watch cache's object upstream.
   */
  latest(key: string): KubeObject | undefined {
    const ev = this.newest.get(key);
    return ev && ev.type !== 'DELETED' ? ev.object : undefined;
  }

  get watcherCount(): number {
    return this.subs.size;
  }

  ensureStarted(): Promise<void> {
    this.starting ??= this.start().catch((err) => {
      this.starting = undefined;
      throw err;
    });
    return this.starting;
  }

  private async start(): Promise<void> {
    const rev = Number(await this.store.currentRevision());
    const w = await this.store.watch(this.prefix, rev + 1);
    if (this.closed) {
      void w.cancel();
      return;
    }
    this.watcher = w;
    this.writes = this.store.recent.watch(this.prefix);
    this.floor = this.lastRevision = Math.max(this.lastRevision, rev);
    w.on('data', (events) => this.onData(events));
    w.on('error', (err) => this.onError(err));
  }

  private onData(events: StorageEvent[]): void {
    const batch: HubEvent[] = [];
    for (const raw of events) {
      const ev = hubEvent(raw, this.prefix.length, this.info.namespaced, this.store.recent, this.opts.logger);
      if (!ev) continue;
      if (ev.revision < this.lastRevision) continue; // a resumed stream may repeat (one txn may hold several keys: same revision)
      this.lastRevision = ev.revision;
      ev.reusePrevious(this.newest.get(ev.key));
      this.newest.set(ev.key, ev);
      this.ring.push(ev);
      batch.push(ev);
    }
    this.writes?.seen(this.lastRevision);
    // One hand-out per watcher for the whole response: a REST watch writes it at once.
    this.fanOut.pushAll(batch, this.subs);
    const cap = this.opts.ringSize;
    if (this.ring.length > cap * 2) {
      const dropped = this.ring.splice(0, this.ring.length - cap);
      for (const d of dropped) if (this.newest.get(d.key) === d) this.newest.delete(d.key);
      this.floor = dropped[dropped.length - 1].revision;
    }
  }

  private onError(err: Error): void {
    // The shared watch is gone (etcd compacted past it while disconnected): every watcher
    // must relist, as after a watch cache restart in Kubernetes.
    this.opts.logger?.warn({ resource: this.info.resource, err: err.message }, 'shared etcd watch ended');
    this.watcher = undefined;
    this.starting = undefined;
    this.writes?.end();
    this.ring = [];
    this.newest.clear();
    const status = expired(`too old resource version: the watch of ${this.info.resource} restarted`).status;
    for (const sub of [...this.subs]) sub.fail(status);
    this.subs.clear();
  }

  /**
   * Sends w every retained event after `since`, then the live ones. Returns false when the
   * ring no longer reaches back to `since` (the caller opens a dedicated etcd watch).
   */
  subscribe(w: RegistryWatcher, since: number): boolean {
    if (!this.watcher || since < this.floor) return false;
    w.sinceRevision = Math.max(w.sinceRevision, since);
    for (const ev of this.ring) if (ev.revision > since) deliverSafely(w, ev, this.opts.logger);
    return this.subscribeLive(w);
  }

  /** Sends w the events from now on; false when the shared watch is not running. */
  subscribeLive(w: RegistryWatcher): boolean {
    if (!this.watcher) return false;
    if (w.stopped) return true;
    this.subs.add(w);
    w.addStopHook(() => this.subs.delete(w));
    return true;
  }

  async close(): Promise<void> {
    this.closed = true;
    for (const sub of [...this.subs]) sub.stop();
    const w = this.watcher;
    this.watcher = undefined;
    this.writes?.end();
    if (w) await w.cancel().catch(() => {});
  }
}
