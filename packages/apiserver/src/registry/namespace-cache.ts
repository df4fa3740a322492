// Which namespaces exist and are active, kept from a watch, so a create in an active
// namespace needs no extra etcd read. Only a positive answer is trusted: a namespace the
// cache does not know (yet) or believes terminating is checked against etcd, so the cache's
// lag can never refuse a valid create.
import type { KubeObject, WatchEvent } from '@k8ts/api';
import type { Logger } from 'pino';
import type { Registry, RegistryWatch } from './types.js';

export class NamespaceCache {
  private readonly active = new Set<string>();
  private readonly revisions = new Map<string, number>();
  private watch?: RegistryWatch;
  private closed = false;

  constructor(
    private readonly registry: Registry,
    private readonly logger?: Logger,
  ) {}

  async start(): Promise<void> {
    const list = await this.registry.list('namespaces', {});
    this.active.clear();
    this.revisions.clear();
    for (const ns of list.items) this.apply('ADDED', ns);
    this.watch = this.registry.watch('namespaces', { resourceVersion: list.metadata.resourceVersion }, (ev) => this.onEvent(ev));
  }

  isActive(name: string): boolean {
    return this.active.has(name);
  }

  private onEvent(ev: WatchEvent): void {
    if (ev.type === 'ERROR') {
      // The watch ended (etcd compacted past it): start over from a fresh list.
      this.active.clear();
      if (!this.closed) {
        this.start().catch((err) => {
          this.logger?.warn({ err: (err as Error).message }, 'namespace cache restart failed; creates check etcd');
          setTimeout(() => void this.onEvent(ev), 1000).unref();
        });
      }
      return;
    }
    this.apply(ev.type, ev.object);
  }

  /**
   * A namespace this apiserver has just written: applied at once, so a create right after a
   * namespace delete cannot slip through before the watch event arrives.
   */
  observe(ns: KubeObject, deleted = false): void {
    this.apply(deleted ? 'DELETED' : 'MODIFIED', ns);
  }

  private apply(type: string, ns: KubeObject): void {
    const name = ns.metadata?.name;
    if (!name) return;
    // The watch and the registry's own writes may arrive in either order: keep the newest.
    const rv = Number(ns.metadata.resourceVersion ?? 0);
    if (rv && rv < (this.revisions.get(name) ?? 0)) return;
    if (rv) this.revisions.set(name, rv);
    if (type === 'DELETED' || ns.metadata.deletionTimestamp || ns.status?.phase === 'Terminating') this.active.delete(name);
    else if (type === 'ADDED' || type === 'MODIFIED') this.active.add(name);
  }

  close(): void {
    this.closed = true;
    this.watch?.stop();
  }
}
