// Starts client watches: the initial state for resourceVersion ""/"0", the shared hub for
// recent revisions, a dedicated etcd watch for older ones, 410 for compacted ones, and
// periodic bookmarks.
import { apiVersionOf, type KubeObject, type ResourceInfo, type WatchEvent } from '@k8ts/api';
import type { Logger } from 'pino';
import type { WatchOptions } from '@k8ts/client';
import { compileFilter } from './api-calls.js';
import { parseResourceVersion } from './list-options.js';
import { ResourceHub } from '../storage/watch-cache/watch-hub.js';
import { RegistryWatcher } from './watcher.js';
import { hubEvent } from '../storage/watch-cache/watch-event.js';
import { deliverSafely } from '../storage/watch-cache/fan-out.js';
import { toApiError, tooOldResourceVersion } from './errors.js';
import { listPrefix } from '../storage/keys.js';
import type { Storage } from '../storage/storage.js';

export interface WatchServiceOptions {
  ringSize?: number;
  /** Most watches from before the shared ring served by an etcd watch of their own (default 64). */
  maxDedicated?: number;
  bookmarkIntervalMs?: number;
  logger?: Logger;
  onWatchCount?: (resource: string, delta: number) => void;
}

export class WatchService {
  private readonly hubs = new Map<string, ResourceHub>();
  private dedicatedCount = 0;

  constructor(
    private readonly store: Storage,
    private readonly opts: WatchServiceOptions = {},
  ) {}

  hub(info: ResourceInfo): ResourceHub {
    let h = this.hubs.get(info.resource);
    if (!h) {
      h = new ResourceHub(this.store, info, { ringSize: this.opts.ringSize ?? 1024, logger: this.opts.logger });
      this.hubs.set(info.resource, h);
    }
    return h;
  }

  /** The shared watch's newest state of `key` of `resource`, if one runs and still holds it (see ResourceHub.latest). */
  latest(resource: string, key: string): KubeObject | undefined {
    return this.hubs.get(resource)?.latest(key);
  }

  watch(info: ResourceInfo, namespace: string, opts: WatchOptions, onEvent: (ev: WatchEvent) => void): RegistryWatcher {
    // Selector errors surface synchronously as a thrown ApiError (400), before any event.
    const filter = compileFilter(info.resource, opts.labelSelector, opts.fieldSelector, this.opts.logger);
    const rv = opts.resourceVersion ?? '';
    if (rv !== '' && rv !== '0') parseResourceVersion(rv);
    const w = new RegistryWatcher(namespace, filter, onEvent);
    this.opts.onWatchCount?.(info.resource, 1);
    w.addStopHook(() => this.opts.onWatchCount?.(info.resource, -1));
    if (opts.allowBookmarks) {
      const interval = setInterval(() => w.bookmark(0, apiVersionOf(info), info.kind), this.opts.bookmarkIntervalMs ?? 5000);
      interval.unref();
      w.addStopHook(() => clearInterval(interval));
    }
    this.begin(info, namespace, rv, w).catch((err) => w.fail(toApiError(err).status));
    return w;
  }

  private async begin(info: ResourceInfo, namespace: string, rv: string, w: RegistryWatcher): Promise<void> {
    const hub = this.hub(info);
    await hub.ensureStarted();
    if (w.stopped) return;
    if (rv === '' || rv === '0') {
      // Live from before the list (see RegistryWatcher.hold): no etcd watch of its own needed.
      w.hold();
      const live = hub.subscribeLive(w);
      const page = await this.store.list(listPrefix(info.resource, namespace));
      if (w.stopped) return;
      const at = Number(page.revision);
      w.replay(page.items, at);
      w.release();
      if (!live && !hub.subscribe(w, at)) await this.dedicated(info, w, at);
      return;
    }
    const since = Number(rv);
    if (!hub.subscribe(w, since)) await this.dedicated(info, w, since);
  }

  /**
   * A watch of its own from an older revision than the shared ring holds, while fewer than
   * maxDedicated run: beyond that 410 Expired, as kube-apiserver answers any watch from before
   * its watch cache, and the client relists. Each one is a watch at etcd: a storm of watches
   * from old revisions must not become a storm of etcd watches.
   */
  private async dedicated(info: ResourceInfo, w: RegistryWatcher, since: number): Promise<void> {
    const prefix = listPrefix(info.resource);
    if (this.dedicatedCount >= (this.opts.maxDedicated ?? 64)) {
      w.fail(tooOldResourceVersion(String(since), String(this.hub(info).floor + 1)).status);
      return;
    }
    this.dedicatedCount++;
    w.addStopHook(() => this.dedicatedCount--);
    if (await this.isCompacted(since + 1)) {
      w.fail(tooOldResourceVersion(String(since), await this.oldestRevision(since)).status);
      return;
    }
    const watcher = await this.store.watch(prefix, since + 1, { dedicated: true });
    w.addStopHook(() => void watcher.cancel().catch(() => {}));
    watcher.on('data', (events) => {
      for (const raw of events) {
        const ev = hubEvent(raw, prefix.length, info.namespaced, undefined, this.opts.logger);
        if (ev) deliverSafely(w, ev, this.opts.logger);
      }
    });
    watcher.on('error', async () => {
      const seen = Math.max(w.sinceRevision, w.lastRevision);
      const oldest = await this.oldestRevision(seen).catch(() => '0');
      w.fail(tooOldResourceVersion(String(seen), oldest).status);
    });
  }

  private isCompacted(revision: number): Promise<boolean> {
    return this.store.isCompacted(revision);
  }

  /** etcd does not say where it compacted to: find the oldest readable revision by bisection. */
  private async oldestRevision(atLeast: number): Promise<string> {
    let lo = Math.max(1, atLeast);
    let hi = Number(await this.store.currentRevision());
    while (lo < hi) {
      const mid = Math.floor((lo + hi) / 2);
      if (await this.isCompacted(mid)) lo = mid + 1;
      else hi = mid;
    }
    return String(lo);
  }

  watcherCount(): number {
    let n = 0;
    for (const h of this.hubs.values()) n += h.watcherCount;
    return n;
  }

  async close(): Promise<void> {
    await Promise.all([...this.hubs.values()].map((h) => h.close()));
    this.hubs.clear();
  }
}
