// Facts about fields that the protobuf descriptors do not carry: upstream's Go markers
// (+listType, +listMapKey, +patchStrategy, +patchMergeKey, +mapType). Stated once, here,
// keyed by proto message and field; a test checks every entry names a field that exists.
import type { FieldSchema } from './types.js';

type Annotation = Pick<FieldSchema, 'patchStrategy' | 'patchMergeKey' | 'listType' | 'listMapKeys' | 'mapType' | 'description'>;

const CORE = 'k8s.io.api.core.v1';
const META = 'k8s.io.apimachinery.pkg.apis.meta.v1';

/** `${message}.${field}` → its markers. Filled in as the schema grows; see schema.test.ts. */
export const ANNOTATIONS: Readonly<Record<string, Annotation>> = {
  [`${CORE}.PodSpec.containers`]: { patchStrategy: 'merge', patchMergeKey: 'name', listType: 'map', listMapKeys: ['name'] },
  [`${META}.ObjectMeta.finalizers`]: { patchStrategy: 'merge', listType: 'set' },
  [`${META}.ObjectMeta.ownerReferences`]: { patchStrategy: 'merge', patchMergeKey: 'uid', listType: 'map', listMapKeys: ['uid'] },
};

export function fieldAnnotations(message: string, field: string): Annotation {
  return ANNOTATIONS[`${message}.${field}`] ?? {};
}
