// The objects of one resource by namespace, kept in memory from a registry list then watch
// (relisted when the watch ends): what LimitRanger and ResourceQuota read on every create,
// as kube-apiserver's plugins read their informers' listers instead of etcd.
import type { KubeObject } from '@k8ts/api';
import type { Logger } from 'pino';
import type { Registry } from '../registry/types.js';
import { RegistryReflector } from '../registry/registry-reflector.js';

/** How long a live lookup's answer stands in for the cache (upstream LimitRanger's liveTTL). */
const LIVE_TTL_MS = 30_000;
const LIVE_ENTRIES = 4096;

export class NamespacedObjects {
  private readonly byNamespace = new Map<string, Map<string, KubeObject>>();
  private readonly live = new Map<string, { expiry: number; items: KubeObject[] }>();
  private readonly reflector: RegistryReflector;

  constructor(
    private readonly registry: Registry,
    readonly resource: string,
    logger?: Logger,
  ) {
    this.reflector = new RegistryReflector(
      registry,
      resource,
      {
        replace: (items) => {
          this.byNamespace.clear();
          for (const o of items) this.put(o);
        },
        event: (type, obj) => {
          if (type === 'DELETED') this.byNamespace.get(obj.metadata.namespace ?? '')?.delete(obj.metadata.name ?? '');
          else this.putIfNewer(obj);
        },
      },
      { logger, relistFailed: 'admission cache relist failed; retrying' },
    );
  }

  start(): Promise<void> {
    return this.reflector.start();
  }

  /** The namespace's objects (shared: callers must not change them). */
  list(namespace: string): KubeObject[] {
    const m = this.byNamespace.get(namespace);
    return m ? [...m.values()] : [];
  }

  /**
   * The namespace's objects; when the cache holds none, what etcd holds (remembered 30 s), as
   * LimitRanger's live lookup: an object created a moment ago may not have reached the watch.
   */
  async listOrLookup(namespace: string): Promise<KubeObject[]> {
    const cached = this.list(namespace);
    if (cached.length) return cached;
    const now = Date.now();
    const hit = this.live.get(namespace);
    if (hit && hit.expiry > now) return hit.items;
    const items = (await this.registry.list(this.resource, { namespace })).items;
    if (this.live.size >= LIVE_ENTRIES) this.live.delete(this.live.keys().next().value!);
    this.live.set(namespace, { expiry: now + LIVE_TTL_MS, items });
    return items;
  }

  /** An object this apiserver just wrote: applied at once, ahead of its watch event, unless the cache holds a newer one. */
  observe(obj: KubeObject): void {
    this.putIfNewer(obj);
  }

  /** Watch events older than what observe() put in are skipped. */
  private putIfNewer(obj: KubeObject): void {
    const cur = this.byNamespace.get(obj.metadata.namespace ?? '')?.get(obj.metadata.name ?? '');
    if (cur && cur.metadata.uid === obj.metadata.uid && Number(cur.metadata.resourceVersion) > Number(obj.metadata.resourceVersion)) return;
    this.put(obj);
  }

  private put(o: KubeObject): void {
    const ns = o.metadata?.namespace ?? '';
    let m = this.byNamespace.get(ns);
    if (!m) this.byNamespace.set(ns, (m = new Map()));
    m.set(o.metadata.name ?? '', o);
  }

  close(): void {
    this.reflector.close();
  }
}
