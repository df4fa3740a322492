// What an informer's cache is keyed and trimmed by, beside the informer so callers that only
// key or split objects need not read it.
import { objectKey, type KubeObject } from '@k8ts/api';

/**
 * client-go's cache.TransformStripManagedFields, which kube-scheduler and
 * kube-controller-manager set on their informers: no controller reads managedFields, and they
 * are often the largest part of an object. An update sent from a cached object then has none,
 * which the apiserver reads as "keep the live object's" (an empty list would reset them).
 */
export function stripManagedFields<T extends KubeObject>(obj: T): T {
  const m = obj?.metadata;
  if (!m || m.managedFields === undefined) return obj;
  // A new metadata object rather than `delete`, which leaves V8 a slower, larger dictionary.
  const { managedFields: _dropped, ...rest } = m;
  return { ...obj, metadata: rest };
}

export const NAMESPACE_INDEX = 'namespace';

/** `ns/name`, or `name` for cluster-scoped objects (cache.MetaNamespaceKeyFunc): @k8ts/api's objectKey. */
export const keyOf = objectKey;

/** Splits a key back into namespace ("" for cluster-scoped) and name. */
export function splitKey(key: string): { namespace: string; name: string } {
  const i = key.indexOf('/');
  return i < 0 ? { namespace: '', name: key } : { namespace: key.slice(0, i), name: key.slice(i + 1) };
}
