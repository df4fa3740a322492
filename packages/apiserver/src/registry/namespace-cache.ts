// Which namespaces exist and are active, kept from a watch, so a create in an active
// namespace needs no extra etcd read. Only a positive answer is trusted: a namespace the
// cache does not know (yet) or believes terminating is checked against etcd, so the cache's
// lag can never refuse a valid create.
import type { KubeObject, WatchEvent } from '@k8ts/api';
import type { Logger } from 'pino';
import type { Registry, RegistryWatch } from './types.js';

export class NamespaceCache {
  private readonly active = new Set<string>();
  private watch?: RegistryWatch;
  private closed = false;

  constructor(
    private readonly registry: Registry,
    private readonly logger?: Logger,
  ) {}

  async start(): Promise<void> {
    const list = await this.registry.list('namespaces', {});
    this.active.clear();
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

  private apply(type: string, ns: KubeObject): void {
    const name = ns.metadata?.name;
    if (!name) return;
    if (type === 'DELETED' || ns.metadata.deletionTimestamp || ns.status?.phase === 'Terminating') this.active.delete(name);
    else if (type === 'ADDED' || type === 'MODIFIED') this.active.add(name);
  }

  close(): void {
    this.closed = true;
    this.watch?.stop();
  }
}
