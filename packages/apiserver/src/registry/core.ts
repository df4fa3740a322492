// What every registry operation shares: the store, the watch service, the resource hooks and
// the namespace cache, with the lookups each verb starts from. EtcdRegistry owns one; the
// verb files (read, create, update, patch, delete, subresources) take it as their first
// argument, as upstream's generic Store is one struct whose verbs live in separate files.
import { findResource, type KubeObject, type ResourceInfo } from '@k8ts/api';
import type { Logger } from 'pino';
import type { ResourceHooks } from './types.js';
import type { Storage } from '../storage/storage.js';
import * as errs from './errors.js';
import type { WatchService } from './watch-service.js';
import type { NamespaceCache } from './namespace-cache.js';
import { PodBinder } from './binding.js';
import { AdmissionChain } from './admission.js';

/** Compare-and-swap attempts before a write gives up with a 409. */
export const MAX_RETRIES = 8;

export class RegistryCore {
  readonly hooks = new Map<string, ResourceHooks[]>();
  readonly binder: PodBinder;
  readonly admission = new AdmissionChain();
  namespaces?: NamespaceCache;

  constructor(
    readonly store: Storage,
    readonly watches: WatchService,
    readonly tolerationSeconds: number,
    readonly logger?: Logger,
  ) {
    this.binder = new PodBinder(store, (key) => watches.latest('pods', key));
  }

  resourceInfo(resource: string): ResourceInfo {
    const info = findResource(resource);
    if (!info || info.resource !== resource) throw errs.statusError(404, 'NotFound', 'the server could not find the requested resource');
    return info;
  }

  scope(info: ResourceInfo, namespace: string): string {
    if (!info.namespaced) return '';
    if (!namespace) throw errs.badRequest(`a namespace is required for ${info.resource}`);
    return namespace;
  }

  hooksOf(resource: string): ResourceHooks[] {
    return this.hooks.get(resource) ?? [];
  }

  /** Namespaces this apiserver writes reach its namespace cache before their watch event does. */
  noteNamespace(info: ResourceInfo, obj: KubeObject, deleted = false): void {
    if (info.resource === 'namespaces') this.namespaces?.observe(obj, deleted);
  }

  async afterDelete(info: ResourceInfo, obj: KubeObject): Promise<void> {
    for (const h of this.hooksOf(info.resource)) {
      try {
        await h.afterDelete?.(obj);
      } catch (err) {
        this.logger?.warn({ resource: info.resource, object: `${obj.metadata.namespace ?? ''}/${obj.metadata.name}`, err: (err as Error).message }, 'afterDelete hook failed');
      }
    }
  }
}
