// Facts about fields that the protobuf descriptors do not carry: upstream's Go markers
// (+listType, +listMapKey, +patchStrategy, +patchMergeKey, +mapType) and `json:",inline"`,
// for every type k8ts serves, as Kubernetes 1.33 declares them. Keyed by fully qualified
// proto message and field; schema.test.ts checks every entry names a field that exists.
// A list with no entry is atomic (structured-merge-diff's default) and replaced whole by
// strategic merge patch; a map with no entry is granular.
import type { Annotation } from './markers.js';
import { CORE_ANNOTATIONS } from './annotations-core.js';
import { GROUP_ANNOTATIONS } from './annotations-groups.js';

export type { Annotation } from './markers.js';

/** `${message}.${field}` → its markers. */
export const ANNOTATIONS: Readonly<Record<string, Annotation>> = { ...CORE_ANNOTATIONS, ...GROUP_ANNOTATIONS };

export function fieldAnnotations(message: string, field: string): Annotation {
  return ANNOTATIONS[`${message}.${field}`] ?? {};
}
