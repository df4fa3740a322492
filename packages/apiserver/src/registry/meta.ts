// kubernetes-types declares metadata fields readonly; the registry is the one place that
// writes server-owned metadata, through this view.
import type { KubeObject, ObjectMeta } from '@k8ts/api';
import { statusError } from './errors.js';

export type MutableMeta = { -readonly [K in keyof ObjectMeta]: ObjectMeta[K] };

/** obj.metadata, created when absent; 400 when it is there but not an object (nothing can be set on it). */
export function meta(obj: KubeObject): MutableMeta {
  obj.metadata ??= {};
  const m: unknown = obj.metadata;
  if (typeof m !== 'object' || Array.isArray(m)) {
    throw statusError(400, 'BadRequest', `the object could not be read: metadata must be an object, not ${Array.isArray(m) ? 'a list' : typeof m}`);
  }
  return obj.metadata as MutableMeta;
}
