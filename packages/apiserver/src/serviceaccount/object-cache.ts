// What the service account authenticator checks a token against, kept in memory from
// registry watches (kube-apiserver's informer-backed getters): which service accounts, pods,
// secrets and nodes exist, with their uids. Only the few fields the checks read are kept.
import type { KubeObject } from '@k8ts/api';
import type { Logger } from 'pino';
import type { Registry } from '../registry/types.js';
import { RegistryReflector } from '../registry/registry-reflector.js';

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
  private readonly reflector: RegistryReflector;
  private synced = false;

  constructor(
    registry: Registry,
    readonly resource: string,
    logger?: Logger,
  ) {
    this.reflector = new RegistryReflector(
      registry,
      resource,
      {
        replace: (items) => {
          this.items.clear();
          for (const o of items) this.apply('ADDED', o);
          this.synced = true;
        },
        event: (type, obj) => this.apply(type, obj),
      },
      { logger, relistFailed: 'service account cache relist failed; retrying' },
    );
  }

  start(): Promise<void> {
    return this.reflector.start();
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
    this.reflector.close();
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
