// kubernetes-types declares metadata fields readonly; the registry is the one place that
// writes server-owned metadata, through this view.
import type { KubeObject, ObjectMeta } from '@k8ts/api';

export type MutableMeta = { -readonly [K in keyof ObjectMeta]: ObjectMeta[K] };

export function meta(obj: KubeObject): MutableMeta {
  obj.metadata ??= {};
  return obj.metadata as MutableMeta;
}
