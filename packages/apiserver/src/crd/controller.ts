// The apiserver's CustomResourceDefinition loop (apiextensions-apiserver's naming,
// establishing and finalizer controllers in one): a reflector over the CRDs; each change
// recomputes every CRD's status (NamesAccepted, Established, Terminating, storedVersions)
// and writes what differs, serves the Established CRDs' resources (setCustomResources), and
// for a CRD being deleted deletes its objects before it drops the
// customresourcecleanup.apiextensions.k8s.io finalizer. Every apiserver runs it; their
// writes converge, since the status is computed from the CRDs alone.
import { ApiError, notFound, CRD_CLEANUP_FINALIZER, customResourceInfos, customResourceKey, setCustomResources, type CustomResourceDefinition, type KubeObject } from '@k8ts/api';
import type { Logger } from 'pino';
import type { Registry } from '../registry/types.js';
import { RegistryReflector } from '../registry/registry-reflector.js';
import { desiredStatuses } from './status.js';

const CRDS = 'customresourcedefinitions';

function same(a: unknown, b: unknown): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

export class CrdController {
  private readonly crds = new Map<string, CustomResourceDefinition>();
  private readonly reflector: RegistryReflector;
  private running?: Promise<void>;
  private again = false;
  private served = '';
  private readonly cleaning = new Set<string>();
  private stopped = false;

  constructor(
    private readonly registry: Registry,
    private readonly logger?: Logger,
    private readonly retryMs = 1000,
  ) {
    this.reflector = new RegistryReflector(registry, CRDS, {
      replace: (items) => {
        this.crds.clear();
        for (const o of items) this.crds.set(o.metadata.name!, o as unknown as CustomResourceDefinition);
        this.schedule();
      },
      event: (type, o) => {
        if (type === 'DELETED') this.crds.delete(o.metadata.name!);
        else this.crds.set(o.metadata.name!, o as unknown as CustomResourceDefinition);
        this.schedule();
      },
    }, { logger, relistFailed: 'CRD relist failed; retrying' });
    // The finalizer every CRD carries, so its objects go before it does.
    registry.registerHooks(CRDS, {
      beforeCreate: async (obj) => {
        const fin = obj.metadata.finalizers ?? [];
        if (!fin.includes(CRD_CLEANUP_FINALIZER)) obj.metadata.finalizers = [...fin, CRD_CLEANUP_FINALIZER];
      },
    });
  }

  async start(): Promise<void> {
    await this.reflector.start();
    await this.idle();
  }

  stop(): void {
    this.stopped = true;
    this.reflector.close();
  }

  /** Resolves once every change seen so far is handled (tests, start). */
  async idle(): Promise<void> {
    while (this.running) await this.running;
  }

  private schedule(): void {
    if (this.stopped) return;
    if (this.running) {
      this.again = true;
      return;
    }
    this.running = (async () => {
      do {
        this.again = false;
        try {
          await this.sync();
        } catch (err) {
          this.logger?.warn({ err: (err as Error).message, reason: 'CRDSyncFailed' }, 'CRD sync failed');
        }
      } while (this.again && !this.stopped);
      this.running = undefined;
    })();
  }

  private serve(): void {
    const infos = [...this.crds.values()].sort((a, b) => String(a.metadata.name).localeCompare(String(b.metadata.name))).flatMap((c) => customResourceInfos(c, { includeTerminating: true }));
    const signature = JSON.stringify(infos);
    if (signature === this.served) return;
    this.served = signature;
    setCustomResources(infos);
    this.logger?.info({ resources: infos.filter((i) => !i.viewOf).map((i) => i.resource), reason: 'CustomResourcesServed' }, 'custom resources served');
  }

  private async sync(): Promise<void> {
    this.serve();
    const desired = desiredStatuses([...this.crds.values()], new Date().toISOString().slice(0, 19) + 'Z');
    for (const [name, status] of desired) {
      const crd = this.crds.get(name);
      if (!crd || same(crd.status, status)) continue;
      try {
        const written = await this.registry.update(CRDS, '', name, { ...(crd as unknown as KubeObject), status }, { subresource: 'status' });
        // Served at once, not when the watch brings the write back: a client waiting for
        // Established may create an object as soon as it sees it.
        if (this.crds.get(name)?.metadata.uid === written.metadata.uid) this.crds.set(name, written as unknown as CustomResourceDefinition);
      } catch (err) {
        if (!(err instanceof ApiError && (err.code === 409 || err.code === 404))) throw err;
      }
    }
    this.serve();
    for (const crd of this.crds.values()) {
      if (crd.metadata.deletionTimestamp && crd.metadata.finalizers?.includes(CRD_CLEANUP_FINALIZER) && !this.cleaning.has(crd.metadata.uid!)) {
        this.cleaning.add(crd.metadata.uid!);
        void this.cleanup(crd).finally(() => this.cleaning.delete(crd.metadata.uid!));
      }
    }
  }

  /** Deletes every object of the CRD, waits until none is left, then drops the finalizer. */
  private async cleanup(crd: CustomResourceDefinition): Promise<void> {
    const name = crd.metadata.name!;
    const key = customResourceKey(crd.spec.names.plural, crd.spec.group);
    while (!this.stopped) {
      try {
        const left = await this.deleteAll(key);
        if (left === 0) {
          await this.registry.guaranteedUpdate(CRDS, '', name, (cur) => {
            if (cur.metadata.uid !== crd.metadata.uid) throw notFound(CRDS, name);
            cur.metadata.finalizers = (cur.metadata.finalizers ?? []).filter((f) => f !== CRD_CLEANUP_FINALIZER);
            return cur;
          });
          this.logger?.info({ object: name, reason: 'InstanceDeletionCompleted' }, 'custom resources deleted; CRD finalizer removed');
          return;
        }
      } catch (err) {
        if (err instanceof ApiError && err.code === 404) return;
        this.logger?.warn({ object: name, err: (err as Error).message, reason: 'InstanceDeletionFailed' }, 'deleting custom resources failed; retrying');
      }
      await new Promise((r) => setTimeout(r, this.retryMs).unref());
    }
  }

  /** Deletes what is listed; how many objects were still there. */
  private async deleteAll(key: string): Promise<number> {
    let list;
    try {
      list = await this.registry.list(key, {});
    } catch (err) {
      if (err instanceof ApiError && err.code === 404) return 0; // no longer served at all
      throw err;
    }
    for (const o of list.items) {
      if (o.metadata.deletionTimestamp) continue;
      try {
        await this.registry.delete(key, o.metadata.namespace ?? '', o.metadata.name!, {});
      } catch (err) {
        if (!(err instanceof ApiError && err.code === 404)) throw err;
      }
    }
    return list.items.length;
  }
}
