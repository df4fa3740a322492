// Which namespaces exist and are active, kept from a watch, so a create in an active
// namespace needs no extra etcd read. Only a positive answer is trusted: a namespace the
// cache does not know (yet) or believes terminating is checked against etcd, so the cache's
// lag can never refuse a valid create. It also keeps each namespace as last seen, for
// admission that reads a namespace's labels on every pod create (Pod Security, as upstream's
// reads them from a namespace lister).
import type { KubeObject } from '@k8ts/api';
import type { Logger } from 'pino';
import type { Registry } from './types.js';
import { RegistryReflector } from './registry-reflector.js';

export class NamespaceCache {
  private readonly objects = new Map<string, KubeObject>();
  private readonly revisions = new Map<string, number>();
  private readonly reflector: RegistryReflector;

  constructor(registry: Registry, logger?: Logger) {
    this.reflector = new RegistryReflector(
      registry,
      'namespaces',
      {
        replace: (items) => {
          this.objects.clear();
          this.revisions.clear();
          for (const ns of items) this.apply('ADDED', ns);
        },
        event: (type, ns) => this.apply(type, ns),
        // The watch ended (etcd compacted past it): until the relist, creates check etcd.
        stale: () => this.objects.clear(),
      },
      { logger, relistFailed: 'namespace cache restart failed; creates check etcd' },
    );
  }

  start(): Promise<void> {
    return this.reflector.start();
  }

  isActive(name: string): boolean {
    const ns = this.objects.get(name);
    return !!ns && !ns.metadata.deletionTimestamp && ns.status?.phase !== 'Terminating';
  }

  /** The namespace as last seen (shared: never changed), undefined when the cache does not hold it. */
  get(name: string): KubeObject | undefined {
    return this.objects.get(name);
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
    if (type === 'DELETED') this.objects.delete(name);
    else if (type === 'ADDED' || type === 'MODIFIED') this.objects.set(name, ns);
  }

  close(): void {
    this.reflector.close();
  }
}
