// What every registry operation shares: the store, the watch service, the resource hooks and
// the namespace cache, with the lookups each verb starts from. EtcdRegistry owns one; the
// verb files (read, create, update, patch, delete, subresources) take it as their first
// argument, as upstream's generic Store is one struct whose verbs live in separate files.
import { findResource, type KubeObject, type ResourceInfo } from '@k8ts/api';
import type { Logger } from 'pino';
import type { ComputedSource, ResourceHooks, VirtualCreate, WriteOpts } from './types.js';
import type { Storage } from '../storage/storage.js';
import * as errs from './errors.js';
import type { WatchService } from './watch-service.js';
import type { NamespaceCache } from './namespace-cache.js';
import { PodBinder } from './binding.js';
import { AdmissionChain } from './admission.js';

/** `admit` runs the admission chain (both phases) on the request object, once the creator has checked its shape. */
export type SubresourceCreator = (namespace: string, name: string, body: KubeObject, opts: WriteOpts, admit: (obj: KubeObject) => Promise<void>) => Promise<KubeObject>;

/** Compare-and-swap attempts before a write gives up with a 409. */
export const MAX_RETRIES = 8;

export class RegistryCore {
  readonly hooks = new Map<string, ResourceHooks[]>();
  readonly binder: PodBinder;
  readonly admission = new AdmissionChain();
  /** POST handlers of subresources served outside the registry's own verbs (serviceaccounts/token), by "resource/subresource". */
  readonly subresourceCreators = new Map<string, SubresourceCreator>();
  /** The answerers of the create-only resources that are never stored (the access reviews). */
  readonly virtual = new Map<string, VirtualCreate>();
  /** The sources of the read-only resources answered from memory (metrics.k8s.io). */
  readonly computed = new Map<string, ComputedSource>();
  namespaces?: NamespaceCache;

  constructor(
    readonly store: Storage,
    readonly watches: WatchService,
    readonly tolerationSeconds: number,
    readonly logger?: Logger,
  ) {
    this.binder = new PodBinder(store, (key) => watches.latest('pods', key));
  }

  /**
   * Only create may name a virtual resource and only get and list (`read`) a computed one:
   * every other verb on one is a 405, as upstream serves no other. A version view is never
   * stored: only the REST face knows it (rest/views.ts).
   */
  resourceInfo(resource: string, create = false, read = false): ResourceInfo {
    const info = findResource(resource);
    if (!info || info.resource !== resource || info.viewOf) throw errs.statusError(404, 'NotFound', 'the server could not find the requested resource');
    if (info.virtual && !create) throw errs.methodNotAllowed('the server does not allow this method on the requested resource');
    if (info.computed && !read) throw errs.methodNotAllowed('the server does not allow this method on the requested resource');
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
