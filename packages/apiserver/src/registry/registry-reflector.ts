// client-go's Reflector over the registry: list a resource and hand the list to the store,
// watch from the list's resourceVersion and hand each event on, and relist when the watch
// ends (its ERROR event: etcd compacted past it, or the watch hub closed). A failed relist is
// retried each second until it succeeds or close(). The apiserver's own in-memory caches
// (namespaces, admission's LimitRanges and quotas, the service account checks) sit on one of
// these and keep only their own indexing.
import type { KubeObject, WatchEvent } from '@k8ts/api';
import type { Logger } from 'pino';
import type { Registry, RegistryWatch } from './types.js';

/** What a reflector fills (client-go's Store, cut to what these caches need). */
export interface ReflectorStore {
  /** A fresh list: from now on the store holds exactly these. */
  replace(items: KubeObject[]): void;
  /** One change from the watch, in order. */
  event(type: 'ADDED' | 'MODIFIED' | 'DELETED', obj: KubeObject): void;
  /**
   * The watch ended and a relist is about to be tried (again, after a failed one): what the
   * store holds may be out of date until the next replace().
   */
  stale?(): void;
}

export interface ReflectorOptions {
  logger?: Logger;
  /** The warning logged when a relist fails. */
  relistFailed?: string;
  /** The wait before a failed relist is tried again (default 1 s). */
  retryMs?: number;
}

export class RegistryReflector {
  private watch?: RegistryWatch;
  private closed = false;

  constructor(
    private readonly registry: Registry,
    readonly resource: string,
    private readonly store: ReflectorStore,
    private readonly opts: ReflectorOptions = {},
  ) {}

  /** Lists, fills the store and starts the watch; rejects when the list fails, without retrying. */
  async start(): Promise<void> {
    const list = await this.registry.list(this.resource, {});
    // Closed while the list was in flight: a watch started now would never be stopped.
    if (this.closed) return;
    this.store.replace(list.items);
    this.watch = this.registry.watch(this.resource, { resourceVersion: list.metadata.resourceVersion }, (ev) => this.onEvent(ev));
  }

  close(): void {
    this.closed = true;
    this.watch?.stop();
  }

  private onEvent(ev: WatchEvent): void {
    if (ev.type === 'ERROR') {
      this.watch?.stop();
      this.relist();
      return;
    }
    if (ev.type === 'BOOKMARK') return;
    this.store.event(ev.type, ev.object);
  }

  private relist(): void {
    if (this.closed) return;
    this.store.stale?.();
    this.start().catch((err) => {
      this.opts.logger?.warn({ err: (err as Error).message, resource: this.resource, reason: 'RelistFailed' }, this.opts.relistFailed ?? 'relist failed; retrying');
      if (!this.closed) setTimeout(() => this.relist(), this.opts.retryMs ?? 1000).unref();
    });
  }
}
