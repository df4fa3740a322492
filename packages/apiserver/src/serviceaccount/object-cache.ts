// What the service account authenticator checks a token against, kept in memory from
// registry watches (kube-apiserver's informer-backed getters): which service accounts, pods,
// secrets and nodes exist, with their uids. Only the few fields the checks read are kept.
import type { KubeObject, WatchEvent } from '@k8ts/api';
import type { Logger } from 'pino';
import type { Registry, RegistryWatch } from '../registry/types.js';

export interface CachedObject {
  uid: string;
  /** Milliseconds since the epoch, when the object is being deleted. */
  deletionMs?: number;
  /** Pods: spec.nodeName; service accounts: automountServiceAccountToken. */
  nodeName?: string;
  automount?: boolean;
}

function keyOf(ns: string | undefined, name: string): string {
  return `${ns ?? ''}/${name}`;
}

/** One resource's objects by namespace/name, from a list then a watch, relisted when the watch ends. */
export class ObjectCache {
  private readonly items = new Map<string, CachedObject>();
  private watch?: RegistryWatch;
  private closed = false;
  private synced = false;

  constructor(
    private readonly registry: Registry,
    readonly resource: string,
    private readonly logger?: Logger,
  ) {}

  async start(): Promise<void> {
    const list = await this.registry.list(this.resource, {});
    this.items.clear();
    for (const o of list.items) this.apply('ADDED', o);
    this.synced = true;
    this.watch = this.registry.watch(this.resource, { resourceVersion: list.metadata.resourceVersion }, (ev) => this.onEvent(ev));
  }

  get hasSynced(): boolean {
    return this.synced;
  }

  get(namespace: string, name: string): CachedObject | undefined {
    return this.items.get(keyOf(namespace, name));
  }

  /** An object this apiserver just wrote or read: applied at once, ahead of its watch event. */
  observe(obj: KubeObject): void {
    this.apply('MODIFIED', obj);
  }

  private onEvent(ev: WatchEvent): void {
    if (ev.type === 'ERROR') {
      this.watch?.stop();
      if (!this.closed) this.restart();
      return;
    }
    if (ev.type === 'BOOKMARK') return;
    this.apply(ev.type, ev.object);
  }

  private restart(): void {
    this.start().catch((err) => {
      this.logger?.warn({ err: (err as Error).message, resource: this.resource }, 'service account cache relist failed; retrying');
      if (!this.closed) setTimeout(() => this.restart(), 1000).unref();
    });
  }

  private apply(type: string, o: KubeObject): void {
    const m = o.metadata;
    if (!m?.name) return;
    const key = keyOf(m.namespace, m.name);
    if (type === 'DELETED') {
      if (this.items.get(key)?.uid === m.uid) this.items.delete(key);
      return;
    }
    const entry: CachedObject = { uid: m.uid ?? '' };
    if (m.deletionTimestamp) entry.deletionMs = Date.parse(m.deletionTimestamp);
    if (this.resource === 'pods' && o.spec?.nodeName) entry.nodeName = o.spec.nodeName;
    if (this.resource === 'serviceaccounts' && (o as { automountServiceAccountToken?: boolean }).automountServiceAccountToken === false) entry.automount = false;
    this.items.set(key, entry);
  }

  close(): void {
    this.closed = true;
    this.watch?.stop();
  }
}

/** The caches the service account authenticator and admission read. */
export interface ServiceAccountCaches {
  serviceaccounts: ObjectCache;
  pods: ObjectCache;
  secrets: ObjectCache;
  nodes: ObjectCache;
  close(): void;
}

export async function startServiceAccountCaches(registry: Registry, logger?: Logger): Promise<ServiceAccountCaches> {
  const [serviceaccounts, pods, secrets, nodes] = ['serviceaccounts', 'pods', 'secrets', 'nodes'].map((r) => new ObjectCache(registry, r, logger));
  const all = [serviceaccounts, pods, secrets, nodes];
  try {
    await Promise.all(all.map((c) => c.start()));
  } catch (err) {
    for (const c of all) c.close();
    throw err;
  }
  return { serviceaccounts, pods, secrets, nodes, close: () => all.forEach((c) => c.close()) };
}
