// The one layer both faces of the apiserver (Kubernetes REST and the cluster gRPC API)
// call. It validates, defaults, stores in etcd and fans watches out. It throws ApiError
// (from @k8ts/client) carrying the metav1.Status that either face sends back as is.
import type { KubeObject, KubeList, WatchEvent, DeleteOptions, FieldValidation } from '@k8ts/api';
import type { ListOptions, WatchOptions, PatchType } from '@k8ts/client';
import type { RegistryListOptions } from './list-options.js';
import type { AdmissionPlugin } from './admission.js';

export interface RequestUser {
  name: string;
  groups: string[];
  uid?: string;
  /** user.Info's extra, e.g. authentication.kubernetes.io/pod-name for a bound service account token. */
  extra?: Record<string, string[]>;
}

export interface WriteOpts {
  dryRun?: boolean;
  user?: RequestUser;
  /** The fieldManager parameter; without it the manager comes from `userAgent` (then the user). */
  fieldManager?: string;
  userAgent?: string;
  /** Unknown and duplicate fields: Ignore, Warn (absent) or Strict, as the request asked. */
  fieldValidation?: FieldValidation;
  /** Keys the request body held twice (paths), found when it was parsed. */
  duplicateFields?: readonly string[];
  /** Where the write appends the warnings for the client (`unknown field "spec.x"`). */
  warnings?: string[];
}

export interface PatchOpts extends WriteOpts {
  subresource?: string;
  fieldManager?: string;
  force?: boolean;
}

export interface DeleteResult {
  object: KubeObject;
  /** false: the object is only marked for deletion (deletionTimestamp set, finalizers or a grace period pending). */
  finished: boolean;
}

export interface RegistryWatch {
  stop(): void;
}

/** Extra behaviour for one resource, e.g. the Service address allocators. */
export interface ResourceHooks {
  /** May change the object or throw ApiError (422) before it is stored. */
  beforeCreate?(obj: KubeObject): Promise<void>;
  beforeUpdate?(obj: KubeObject, old: KubeObject): Promise<void>;
  /** After the object is gone from etcd. */
  afterDelete?(obj: KubeObject): Promise<void>;
}

/**
 * Answers a create of a resource that is never stored (resources.ts `virtual`: the access
 * reviews): gets the decoded body, its namespace and the caller, returns the object to send back.
 */
export type VirtualCreate = (obj: KubeObject, namespace: string, user: RequestUser | undefined) => KubeObject | Promise<KubeObject>;

/** Answers get and list of a read-only resource that lives in memory (resources.ts `computed`). */
export interface ComputedSource {
  /** Undefined: not found (the source words its NotFound itself by throwing, if it likes). */
  get(namespace: string, name: string): KubeObject | undefined;
  /** Every object, or those of one namespace. */
  list(namespace?: string): KubeObject[];
  /** The NotFound of a missing object, as the real server words it. */
  notFound(namespace: string, name: string): Error;
}

export interface Registry {
  get(resource: string, namespace: string, name: string): Promise<KubeObject>;
  /** The namespace as the apiserver's namespace cache holds it; undefined when it holds none (read it then). */
  cachedNamespace(name: string): KubeObject | undefined;
  /** resourceVersion/resourceVersionMatch as Kubernetes reads them (see list-options.ts). */
  list(resource: string, opts: RegistryListOptions): Promise<KubeList>;
  create(resource: string, namespace: string, obj: KubeObject, opts?: WriteOpts): Promise<KubeObject>;
  /** subresource "status" writes only status; "" writes spec and metadata and keeps status. */
  update(resource: string, namespace: string, name: string, obj: KubeObject, opts?: WriteOpts & { subresource?: string }): Promise<KubeObject>;
  /**
   * Read-modify-write with retries (Kubernetes' GuaranteedUpdate): `mutate` gets a copy of the
   * current object, starting from `hint` when the caller remembers one.
   */
  guaranteedUpdate(resource: string, namespace: string, name: string, mutate: (cur: KubeObject) => KubeObject, opts?: WriteOpts & { hint?: KubeObject }): Promise<KubeObject>;
  /** `created` is true when an apply patch created the object (REST answers 201). */
  patch(resource: string, namespace: string, name: string, patchType: PatchType, patch: string, opts?: PatchOpts): Promise<{ object: KubeObject; created: boolean }>;
  delete(resource: string, namespace: string, name: string, opts?: DeleteOptions & WriteOpts): Promise<DeleteResult>;
  deleteCollection(resource: string, namespace: string, listOpts: ListOptions, opts?: DeleteOptions & WriteOpts): Promise<KubeList>;
  /** GET of a subresource other than status, e.g. deployments/scale → autoscaling/v1 Scale. */
  getSubresource(resource: string, namespace: string, name: string, subresource: string): Promise<KubeObject>;
  /** POST/PUT to a subresource: pods/binding, pods/eviction, <resource>/scale (PUT). */
  createSubresource(resource: string, namespace: string, name: string, subresource: string, body: KubeObject, opts?: WriteOpts): Promise<KubeObject>;
  /** Events as they happen; resourceVersion "" or "0" replays current state as ADDED first. */
  watch(resource: string, opts: WatchOptions, onEvent: (ev: WatchEvent) => void): RegistryWatch;
  /** The current etcd revision, for list/bookmark resourceVersions. */
  currentRevision(): Promise<string>;
  registerHooks(resource: string, hooks: ResourceHooks): void;
  registerAdmission(plugin: AdmissionPlugin): void;
  /** Who answers creates of a virtual resource (see VirtualCreate). */
  registerVirtual(resource: string, answer: VirtualCreate): void;
  /** Who answers get and list of a computed resource (see ComputedSource). */
  registerComputed(resource: string, source: ComputedSource): void;
}
