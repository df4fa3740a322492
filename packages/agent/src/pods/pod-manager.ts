// The pod sync loop: desired state (pods bound to this node, from the client's Informer on
// `spec.nodeName`) against observed state (the runtime's containers carrying this node's
// label). Pods are keyed by uid in a WorkQueue, so one pod is never synced twice at once;
// any event (watch, runtime event, relist, timer) only asks for a sync. A sync reads
// everything it needs again (pod-sync.ts), so the loop is safe to stop and restart at any
// moment: a new agent adopts what runs and rebuilds its memory from labels.
import type { KubeObject, Pod, Service } from '@k8ts/api';
import { Informer, ItemExponentialFailureRateLimiter, WorkQueue, isNotFound, runWorkers, type Client, type Logger } from '@k8ts/client';
import type { ContainerRuntime, ObservedContainer } from '../runtime/container-runtime.js';
import type { ObjectLookup } from '../runtime/config-error.js';
import { Backoff } from './backoff.js';
import { sameStatus } from './status.js';
import { EventRecorder } from './events.js';
import { newPodMemory, type PodMemory, type SyncDeps } from './pod-memory.js';
import { stopProbes } from './probe-manager.js';
import { syncPod } from './pod-sync.js';

export interface PodManagerOptions {
  client: Client;
  runtime: ContainerRuntime;
  nodeName: string;
  hostIP: () => string;
  stateDir: string;
  backoffBaseMs?: number;
  backoffMaxMs?: number;
  relistMs?: number;
  /** Pods synced at once (default 256: a pod waiting out its grace period holds one). */
  workers?: number;
  log: Logger;
  /** Called after each sync with its duration (metrics). */
  onSync?: (ms: number, ok: boolean) => void;
}

const UID_INDEX = 'uid';

function lookupFor(client: Client): ObjectLookup {
  const get = async <T>(resource: string, ns: string, name: string): Promise<T | undefined> => {
    try {
      return (await client.get(resource, ns, name)) as T;
    } catch (e) {
      if (isNotFound(e)) return undefined;
      throw e;
    }
  };
  let api: { at: number; value: Promise<{ host: string; port: number } | undefined> } | undefined;
  return {
    configMap: (ns, name) => get('configmaps', ns, name),
    secret: (ns, name) => get('secrets', ns, name),
    persistentVolumeClaim: (ns, name) => get('persistentvolumeclaims', ns, name),
    persistentVolume: (name) => get('persistentvolumes', '', name),
    async serviceAccountToken(ns, sa, spec) {
      const res = await client.createSubresource('serviceaccounts', ns, sa, 'token', { apiVersion: 'authentication.k8s.io/v1', kind: 'TokenRequest', metadata: { name: sa, namespace: ns }, spec } as KubeObject);
      const status = (res as { status?: { token?: string; expirationTimestamp?: string } }).status;
      if (!status?.token) throw new Error('the TokenRequest came back without a token');
      return { token: status.token, expirationTimestamp: status.expirationTimestamp ?? '' };
    },
    // Read again at most every 30 s: the Service rarely changes, and every container start asks.
    kubernetesService() {
      if (!api || Date.now() - api.at > 30_000) {
        const value = get<Service>('services', 'default', 'kubernetes').then((svc) => {
          const ip = svc?.spec?.clusterIP;
          const port = svc?.spec?.ports?.find((p) => p.name === 'https')?.port ?? svc?.spec?.ports?.[0]?.port;
          return ip && ip !== 'None' && port ? { host: ip, port } : undefined;
        }, () => undefined);
        api = { at: Date.now(), value };
      }
      return api.value;
    },
  };
}

export class PodManager {
  readonly informer: Informer<Pod & { metadata: NonNullable<Pod['metadata']> }>;
  readonly queue: WorkQueue<string>;
  private readonly memory = new Map<string, PodMemory>();
  private readonly deps: SyncDeps;
  private relistTimer: NodeJS.Timeout | undefined;
  private runtimeEvents: { stop(): void } | undefined;
  private workers: Promise<void> | undefined;
  private stopped = false;
  private readonly lastFingerprint = new Map<string, string>();
  private readonly log: Logger;

  constructor(private readonly o: PodManagerOptions) {
    this.log = o.log;
    // A failed sync (runtime or API unreachable) is retried from 1 s, backing off to 10 s.
    this.queue = new WorkQueue<string>({ name: 'pods', rateLimiter: new ItemExponentialFailureRateLimiter<string>(1000, 10_000) });
    this.deps = {
      client: o.client,
      runtime: o.runtime,
      nodeName: o.nodeName,
      hostIP: o.hostIP,
      stateDir: o.stateDir,
      log: o.log,
      events: new EventRecorder(o.client, o.nodeName, o.log),
      lookup: lookupFor(o.client),
      backoff: new Backoff(o.backoffBaseMs ?? 10_000, o.backoffMaxMs ?? 300_000),
      pullBackoff: new Backoff(o.backoffBaseMs ?? 10_000, o.backoffMaxMs ?? 300_000),
      pullFailedAt: new Map(),
      enqueue: (uid, delayMs) => this.enqueue(uid, delayMs),
      podOf: (uid) => this.podOf(uid),
      forget: (uid) => this.forget(uid),
    };
    this.informer = new Informer(o.client, { resource: 'pods', fieldSelector: `spec.nodeName=${o.nodeName}`, logger: o.log });
    this.informer.addIndexer(UID_INDEX, (p) => [p.metadata?.uid ?? '']);
    this.informer.addEventHandler({
      onAdd: (pod) => this.seen(pod, undefined),
      onUpdate: (old, pod) => this.seen(pod, old),
      onDelete: (pod) => this.enqueue(pod.metadata?.uid ?? ''),
    });
  }

  private seen(pod: Pod, old: Pod | undefined): void {
    const uid = pod.metadata?.uid ?? '';
    if (!uid) return;
    let mem = this.memory.get(uid);
    if (!mem) this.memory.set(uid, (mem = newPodMemory()));
    mem.pod = pod;
    // Our own status writes come back as updates: no need to sync for them.
    const onlyOurStatus = old && JSON.stringify(old.spec) === JSON.stringify(pod.spec) && !pod.metadata?.deletionTimestamp && mem.lastStatus && sameStatus(mem.lastStatus, pod.status);
    if (!onlyOurStatus) this.enqueue(uid);
  }

  start(): void {
    this.informer.start();
    void this.informer.waitForSync().then((ok) => (ok ? this.relist() : undefined));
    this.workers = runWorkers(this.queue, this.o.workers ?? 256, (uid) => this.syncOne(uid), this.log);
    this.runtimeEvents = this.o.runtime.watchEvents(
      (ev) => ev.podUid && this.enqueue(ev.podUid),
      (e) => this.log.warn({ err: e.message }, 'runtime events stream failed; reconnecting'),
    );
    const every = this.o.relistMs ?? 5000;
    const loop = async () => {
      await this.relist();
      if (!this.stopped) this.relistTimer = setTimeout(() => void loop(), every);
    };
    this.relistTimer = setTimeout(() => void loop(), every);
  }

  /** Stops watching and syncing; containers keep running (pods outlive their agent). */
  async stop(): Promise<void> {
    this.stopped = true;
    void this.informer.stop();
    this.runtimeEvents?.stop();
    if (this.relistTimer) clearTimeout(this.relistTimer);
    for (const m of this.memory.values()) stopProbes(m);
    // let in-flight syncs finish so no runtime call is left half done
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([this.queue.shutDownWithDrain(), new Promise((r) => (timer = setTimeout(r, 5000)))]);
    clearTimeout(timer);
  }

  /** Pods this agent runs (desired), by uid, for the node's status and the streams. */
  get pods(): Map<string, Pod> {
    return new Map(this.informer.list().map((p) => [p.metadata.uid ?? '', p]));
  }

  podOf(uid: string): Pod | undefined {
    const p = this.informer.byIndex(UID_INDEX, uid)[0];
    return p && p.spec?.nodeName === this.o.nodeName ? p : undefined;
  }

  /** Asks for a sync of the pod now or after `delayMs` (the earliest request wins). */
  enqueue(uid: string, delayMs = 0): void {
    if (!uid || this.stopped) return;
    this.queue.addAfter(uid, delayMs);
  }

  private forget(uid: string): void {
    stopProbes(this.memory.get(uid));
    this.memory.delete(uid);
    this.lastFingerprint.delete(uid);
  }

  private async syncOne(uid: string): Promise<void> {
    const t0 = Date.now();
    let ok = false;
    try {
      const pod = this.podOf(uid);
      let mem = this.memory.get(uid);
      if (pod && !mem) this.memory.set(uid, (mem = newPodMemory()));
      await syncPod(this.deps, uid, pod, mem, this.informer.hasSynced());
      ok = true;
    } finally {
      this.o.onSync?.(Date.now() - t0, ok);
    }
  }

  /** Compares the runtime with the cache and asks for syncs where they differ (kubelet's PLEG relist). */
  async relist(): Promise<void> {
    if (this.stopped) return;
    let all: ObservedContainer[];
    try {
      all = await this.o.runtime.list();
    } catch (e) {
      this.log.debug({ err: (e as Error).message }, 'relist: runtime unreachable');
      return;
    }
    const byUid = new Map<string, ObservedContainer[]>();
    for (const c of all) (byUid.get(c.podUid) ?? byUid.set(c.podUid, []).get(c.podUid)!).push(c);
    const desired = this.pods;
    const synced = this.informer.hasSynced();
    const uids = new Set([...byUid.keys(), ...desired.keys()]);
    for (const uid of uids) {
      const fp = (byUid.get(uid) ?? []).map((c) => `${c.id}:${c.state}`).sort().join(',');
      const known = desired.has(uid);
      // Orphans are removed only once the informer has listed: an agent that just started
      // must not remove the containers it is about to adopt.
      if (!known && !synced) continue;
      if (this.lastFingerprint.get(uid) !== fp || !known) this.enqueue(uid);
      this.lastFingerprint.set(uid, fp);
    }
    for (const uid of this.lastFingerprint.keys()) if (!uids.has(uid)) this.lastFingerprint.delete(uid);
    this.o.runtime.retain(new Set(all.map((c) => c.id)));
  }
}
