// One client watch: filters the shared event stream by namespace and selectors and turns
// selector transitions into ADDED/DELETED as Kubernetes' watch cache does.
import type { KubeObject, WatchEvent } from '@k8ts/api';
import type { ObjectFilter } from './api-calls.js';
import type { HubEvent } from '../storage/watch-cache/watch-event.js';
import type { RegistryWatch } from './types.js';

/** Longest run of held events sent in one turn of the event loop (see release). */
const RELEASE_SLICE_MS = 5;

export class RegistryWatcher implements RegistryWatch {
  /** Events at or below this revision were already sent (or replayed as the initial list). */
  sinceRevision = 0;
  /** The newest revision this watch has seen (several keys of one etcd txn share one). */
  lastRevision = 0;
  stopped = false;
  private onStop: (() => void)[] = [];
  /** Live events kept while the initial list is read (see hold). */
  private held?: HubEvent[];

  constructor(
    readonly namespace: string,
    readonly filter: ObjectFilter,
    private readonly send: (ev: WatchEvent) => void,
  ) {}

  deliver(ev: HubEvent): void {
    if (this.held) {
      this.held.push(ev);
      return;
    }
    this.deliverNow(ev);
  }

  private deliverNow(ev: HubEvent): void {
    if (this.stopped || ev.revision <= this.sinceRevision) return;
    // Every event seen moves the watcher on, filtered or not, so bookmarks stay current.
    this.lastRevision = ev.revision;
    if (this.namespace && ev.namespace !== this.namespace) return;
    if (this.filter.everything) return this.emit(ev.asWatchEvent());
    const now = this.filter.matches(ev.object);
    if (ev.type === 'ADDED') {
      if (now) this.emit(ev.asWatchEvent());
    } else if (ev.type === 'DELETED') {
      if (now) this.emit(ev.asWatchEvent());
    } else {
      const prev = ev.previous;
      const before = prev ? this.filter.matches(prev) : false;
      if (now && before) this.emit(ev.asWatchEvent());
      else if (now) this.emit(ev.withType('ADDED'));
      else if (before) this.emit(ev.withType('DELETED'));
    }
  }

  /** The initial state, for watches from resourceVersion "" or "0". */
  replay(objects: KubeObject[], revision: number): void {
    for (const obj of objects) {
      if (this.stopped) return;
      if (this.namespace && obj.metadata?.namespace !== this.namespace) continue;
      if (this.filter.matches(obj)) this.emit({ type: 'ADDED', object: obj });
    }
    this.sinceRevision = Math.max(this.sinceRevision, revision);
  }

  /**
   * Keeps live events instead of sending them, until release: a watch from resourceVersion
   * ""/"0" subscribes before it lists, so that every event after the list's revision reaches
   * it however far the shared ring has moved on while the list was read.
   */
  hold(): void {
    this.held ??= [];
  }

  /**
   * Sends what was held that is newer than the initial list, then the live events. A list
   * read under a heavy write load leaves thousands held: they go RELEASE_SLICE_MS at a time
   * (new live events queue behind them meanwhile), or a storm of such watches would hold the
   * event loop for seconds (a soak saw 2 s, and a node Lease seen late).
   */
  release(): void {
    const held = this.held;
    if (!held) return;
    const deadline = performance.now() + RELEASE_SLICE_MS;
    let n = 0;
    while (n < held.length && !this.stopped) {
      this.deliverNow(held[n++]!);
      if ((n & 31) === 0 && performance.now() > deadline) break;
    }
    if (n >= held.length || this.stopped) {
      this.held = undefined;
      return;
    }
    held.splice(0, n);
    setImmediate(() => this.release());
  }

  bookmark(revision: number, apiVersion: string, kind: string): void {
    if (this.stopped) return;
    const rv = Math.max(revision, this.sinceRevision, this.lastRevision);
    this.emit({ type: 'BOOKMARK', object: { apiVersion, kind, metadata: { resourceVersion: String(rv) } } });
  }

  /** Ends the watch with an ERROR event carrying a Status (410 Expired means: relist). */
  fail(status: object): void {
    if (this.stopped) return;
    this.emit({ type: 'ERROR', object: status as KubeObject });
    this.stop();
  }

  addStopHook(fn: () => void): void {
    if (this.stopped) fn();
    else this.onStop.push(fn);
  }

  stop(): void {
    if (this.stopped) return;
    this.stopped = true;
    for (const fn of this.onStop.splice(0)) fn();
  }

  private emit(ev: WatchEvent): void {
    try {
      this.send(ev);
    } catch {
      // A face that cannot write any more ends the watch; the others go on.
      this.stop();
    }
  }
}
