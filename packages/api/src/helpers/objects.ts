import type { KubeObject } from '../types.js';

/** cache.MetaNamespaceKeyFunc: `ns/name`, or `name` for cluster-scoped objects. */
export function objectKey(obj: { metadata?: { namespace?: string; name?: string } }): string {
  const m = obj.metadata ?? {};
  return m.namespace ? `${m.namespace}/${m.name ?? ''}` : (m.name ?? '');
}

/** Splits an objectKey back into namespace and name. */
export function splitObjectKey(key: string): { namespace: string; name: string } {
  const i = key.indexOf('/');
  return i < 0 ? { namespace: '', name: key } : { namespace: key.slice(0, i), name: key.slice(i + 1) };
}

/** A deep copy of a JSON object (what the informer cache hands out must not be mutated). */
export function deepCopy<T>(obj: T): T {
  return obj === undefined ? obj : structuredClone(obj);
}

export function isBeingDeleted(obj: KubeObject): boolean {
  return Boolean(obj.metadata?.deletionTimestamp);
}

export function hasFinalizer(obj: KubeObject, f: string): boolean {
  return (obj.metadata?.finalizers ?? []).includes(f);
}
