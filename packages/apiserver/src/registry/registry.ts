// The registry over etcd: Kubernetes' generic store plus the strategies of the resources
// k8ts serves. Both faces (REST and gRPC) call this one object. Objects passed in belong to
// the registry afterwards (it fills in server fields); objects handed out in watch events
// are shared between watchers and must not be changed. The verbs live in their own files
// (read, create, update, patch, delete, subresources) over the state in core.ts.
import type { AdmissionPlugin } from './admission.js';
import type { DeleteOptions, KubeList, KubeObject, ResourceInfo, WatchEvent } from '@k8ts/api';
import type { ListOptions, PatchType, WatchOptions } from '@k8ts/client';
import type { Logger } from 'pino';
import type { ComputedSource, DeleteResult, PatchOpts, Registry, RegistryWatch, ResourceHooks, VirtualCreate, WriteOpts } from './types.js';
import type { Storage } from '../storage/storage.js';
import type { RegistryListOptions } from './list-options.js';
import { WatchService, type WatchServiceOptions } from './watch-service.js';
import { NamespaceCache } from './namespace-cache.js';
import { RegistryCore, type SubresourceCreator } from './core.js';
import { get, list, watch } from './read.js';
import { create, ensureSystemNamespaces } from './create.js';
import { guaranteedUpdate, update } from './update.js';
import { patchObject } from './patch.js';
import { deleteCollection, deleteObject } from './delete.js';
import { createSubresource, getSubresource } from './subresources.js';

export interface EtcdRegistryOptions {
  store: Storage;
  /** tolerationSeconds of the default not-ready/unreachable tolerations every pod gets. */
  defaultTolerationSeconds?: number;
  logger?: Logger;
  watch?: WatchServiceOptions;
}

export class EtcdRegistry implements Registry {
  readonly store: Storage;
  readonly watches: WatchService;
  private readonly core: RegistryCore;

  constructor(opts: EtcdRegistryOptions) {
    this.store = opts.store;
    this.watches = new WatchService(opts.store, { logger: opts.logger, ...opts.watch });
    this.core = new RegistryCore(opts.store, this.watches, opts.defaultTolerationSeconds ?? 2, opts.logger);
  }

  resourceInfo(resource: string): ResourceInfo {
    return this.core.resourceInfo(resource);
  }

  /** Adds an admission plugin (see admission.ts); plugins run in the order registered. */
  registerAdmission(plugin: AdmissionPlugin): void {
    this.core.admission.register(plugin);
  }

  /** Serves POST resource/name/subresource with `create` (e.g. serviceaccounts/token, whose keys live outside the registry). */
  registerSubresource(resource: string, subresource: string, create: SubresourceCreator): void {
    this.core.subresourceCreators.set(`${resource}/${subresource}`, create);
  }

  /** Who answers creates of a create-only resource that is never stored (the access reviews). */
  registerVirtual(resource: string, answer: VirtualCreate): void {
    this.core.virtual.set(resource, answer);
  }

  /** Who answers get and list of a computed resource (metrics.k8s.io). */
  registerComputed(resource: string, source: ComputedSource): void {
    this.core.computed.set(resource, source);
  }

  registerHooks(resource: string, hooks: ResourceHooks): void {
    const list = this.core.hooks.get(resource) ?? [];
    list.push(hooks);
    this.core.hooks.set(resource, list);
  }

  async currentRevision(): Promise<string> {
    return this.store.currentRevision();
  }

  get(resource: string, namespace: string, name: string): Promise<KubeObject> {
    return get(this.core, resource, namespace, name);
  }

  list(resource: string, opts: RegistryListOptions): Promise<KubeList> {
    return list(this.core, resource, opts);
  }

  watch(resource: string, opts: WatchOptions, onEvent: (ev: WatchEvent) => void): RegistryWatch {
    return watch(this.core, resource, opts, onEvent);
  }

  create(resource: string, namespace: string, obj: KubeObject, opts: WriteOpts = {}): Promise<KubeObject> {
    return create(this.core, resource, namespace, obj, opts);
  }

  /** Starts the namespace cache that spares creates an etcd read (optional; without it every create reads its namespace). */
  async startNamespaceCache(): Promise<void> {
    const cache = new NamespaceCache(this, this.core.logger);
    await cache.start();
    this.core.namespaces = cache;
  }

  /** The namespace as the namespace cache holds it; undefined without the cache or when it does not hold it (read etcd then). */
  cachedNamespace(name: string): KubeObject | undefined {
    return this.core.namespaces?.get(name);
  }

  /** Creates the namespaces every cluster has, when missing. */
  ensureSystemNamespaces(): Promise<void> {
    return ensureSystemNamespaces(this.core);
  }

  update(resource: string, namespace: string, name: string, obj: KubeObject, opts: WriteOpts & { subresource?: string } = {}): Promise<KubeObject> {
    return update(this.core, resource, namespace, name, obj, opts);
  }

  /** Kubernetes' GuaranteedUpdate (see update.ts): `mutate` gets a copy of the current object, starting from `hint`. */
  guaranteedUpdate(resource: string, namespace: string, name: string, mutate: (cur: KubeObject) => KubeObject, opts: WriteOpts & { hint?: KubeObject } = {}): Promise<KubeObject> {
    return guaranteedUpdate(this.core, resource, namespace, name, mutate, opts);
  }

  patch(resource: string, namespace: string, name: string, patchType: PatchType, patch: string, opts: PatchOpts = {}): Promise<{ object: KubeObject; created: boolean }> {
    return patchObject(this.core, resource, namespace, name, patchType, patch, opts);
  }

  delete(resource: string, namespace: string, name: string, opts: DeleteOptions & WriteOpts = {}): Promise<DeleteResult> {
    return deleteObject(this.core, resource, namespace, name, opts);
  }

  deleteCollection(resource: string, namespace: string, listOpts: ListOptions, opts: DeleteOptions & WriteOpts = {}): Promise<KubeList> {
    return deleteCollection(this.core, resource, namespace, listOpts, opts);
  }

  getSubresource(resource: string, namespace: string, name: string, subresource: string): Promise<KubeObject> {
    return getSubresource(this.core, resource, namespace, name, subresource);
  }

  createSubresource(resource: string, namespace: string, name: string, subresource: string, body: KubeObject, opts: WriteOpts = {}): Promise<KubeObject> {
    return createSubresource(this.core, resource, namespace, name, subresource, body, opts);
  }

  async close(): Promise<void> {
    this.core.namespaces?.close();
    await this.watches.close();
  }
}
