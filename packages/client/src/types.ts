// The contract every component programs against. `GrpcClient` implements it over the
// cluster's gRPC API; `FakeClient` implements it in memory for unit tests of controllers,
// plugins and loops (the way client-go's fake clientset does).
import type { KubeObject, KubeList, WatchEvent, DeleteOptions } from '@k8ts/api';

export interface ListOptions {
  namespace?: string; // omitted: all namespaces
  labelSelector?: string;
  fieldSelector?: string;
  limit?: number;
  continue?: string;
  resourceVersion?: string;
  /** How resourceVersion is read, as Kubernetes' list: "NotOlderThan" (default) or "Exact". */
  resourceVersionMatch?: string;
}

export interface WatchOptions {
  namespace?: string;
  labelSelector?: string;
  fieldSelector?: string;
  resourceVersion?: string;
  allowBookmarks?: boolean;
}

export type PatchType =
  | 'application/merge-patch+json'
  | 'application/strategic-merge-patch+json'
  | 'application/json-patch+json'
  | 'application/apply-patch+yaml';

export interface WriteOptions {
  subresource?: string; // "status", "binding", "eviction", "scale"
  dryRun?: boolean;
}

/** A running watch. `stop()` ends it; `done` settles when the stream ends for any reason. */
export interface WatchHandle {
  stop(): void;
  done: Promise<void>;
}

export interface Client {
  get<T extends KubeObject = KubeObject>(resource: string, namespace: string, name: string, subresource?: string): Promise<T>;
  list<T extends KubeObject = KubeObject>(resource: string, opts?: ListOptions): Promise<KubeList<T>>;
  /** `namespace` of a namespaced object comes from obj.metadata.namespace ("default" when empty). */
  create<T extends KubeObject = KubeObject>(resource: string, obj: T | KubeObject, opts?: WriteOptions): Promise<T>;
  /** Optimistic concurrency: obj.metadata.resourceVersion must be current, or ApiError 409. */
  update<T extends KubeObject = KubeObject>(resource: string, obj: T | KubeObject, opts?: WriteOptions): Promise<T>;
  /** For subresources like pods/binding or pods/eviction: POST a body to name/subresource. */
  createSubresource<T extends KubeObject = KubeObject>(resource: string, namespace: string, name: string, subresource: string, body: KubeObject): Promise<T>;
  patch<T extends KubeObject = KubeObject>(resource: string, namespace: string, name: string, patchType: PatchType, patch: unknown, opts?: WriteOptions): Promise<T>;
  delete(resource: string, namespace: string, name: string, opts?: DeleteOptions): Promise<KubeObject>;
  /** Calls onEvent for each event; ERROR events carry a metav1.Status (410: relist). */
  watch<T extends KubeObject = KubeObject>(resource: string, opts: WatchOptions, onEvent: (ev: WatchEvent<T>) => void): WatchHandle;
  /** The same client with this deadline for each call (optional: callers fall back to their own timer). */
  withTimeout?(timeoutMs: number): Client;
  close(): void;
}

// The error type and its predicates live in @k8ts/api; re-exported so existing imports keep working.
export { ApiError, isNotFound, isConflict, isAlreadyExists } from '@k8ts/api';
