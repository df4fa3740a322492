// How server-side apply sees each position of an object, read from the schema as upstream's
// schemaconv reads the OpenAPI: structs, maps (granular unless +mapType=atomic), and lists
// that are atomic, sets (`v:` items) or maps keyed by fields (`k:` items). A list marked
// patchStrategy merge counts as a map on its patchMergeKey (a set without one), as
// schemaconv does; any other list is atomic.
import { kindSchema, messageSchema } from '../schema/index.js';
import type { FieldSchema, MessageSchema } from '../schema/index.js';
import { customRootType } from './custom-types.js';

export type TypeRef =
  | { t: 'struct'; schema: MessageSchema }
  | { t: 'map'; elem: TypeRef }
  | { t: 'list'; rel: 'set' | 'map'; keys: readonly string[]; elem: TypeRef }
  /** A scalar, an atomic list or map, or anything the schema does not describe. */
  | { t: 'leaf' };

export const LEAF: TypeRef = { t: 'leaf' };

const CORE = 'k8s.io.api.core.v1';
const META = 'k8s.io.apimachinery.pkg.apis.meta.v1';
/**
 * Structs upstream marks +structType=atomic (a fact about the type, not a field, so it lives
 * here rather than in the schema's field annotations): owned and replaced as a whole.
 */
const ATOMIC_STRUCTS = new Set([
  `${META}.LabelSelector`,
  `${META}.OwnerReference`,
  `${CORE}.LocalObjectReference`,
  `${CORE}.ObjectReference`,
  `${CORE}.TypedLocalObjectReference`,
  `${CORE}.SecretReference`,
  `${CORE}.ConfigMapKeySelector`,
  `${CORE}.SecretKeySelector`,
  `${CORE}.ObjectFieldSelector`,
  `${CORE}.ResourceFieldSelector`,
  `${CORE}.NodeSelector`,
  `${CORE}.NodeSelectorTerm`,
]);
const structs = new Map<string, TypeRef>();
const fieldTypes = new WeakMap<FieldSchema, TypeRef>();

function structOf(message: string | undefined): TypeRef {
  if (!message) return LEAF;
  let t = structs.get(message);
  if (!t) {
    const schema = ATOMIC_STRUCTS.has(message) ? undefined : messageSchema(message);
    t = schema ? { t: 'struct', schema } : LEAF;
    structs.set(message, t);
  }
  return t;
}

function elementOf(f: FieldSchema): TypeRef {
  return f.kind === 'message' ? structOf(f.message) : LEAF;
}

/** The type of a struct field's value. */
export function fieldType(f: FieldSchema): TypeRef {
  let t = fieldTypes.get(f);
  if (t) return t;
  if (f.map) t = f.mapType === 'atomic' ? LEAF : { t: 'map', elem: elementOf(f) };
  else if (f.repeated) t = listType(f);
  else t = elementOf(f);
  fieldTypes.set(f, t);
  return t;
}

function listType(f: FieldSchema): TypeRef {
  const merge = f.patchStrategy?.split(',').includes('merge');
  if (f.listType === 'map' || (!f.listType && merge && f.patchMergeKey)) {
    const keys = f.listMapKeys?.length ? f.listMapKeys : f.patchMergeKey ? [f.patchMergeKey] : [];
    if (keys.length && f.kind === 'message') return { t: 'list', rel: 'map', keys, elem: elementOf(f) };
    return LEAF;
  }
  if (f.listType === 'set' || (!f.listType && merge)) return f.kind === 'message' ? LEAF : { t: 'list', rel: 'set', keys: [], elem: LEAF };
  return LEAF;
}

const roots = new Map<string, Map<string, TypeRef>>();

/** The type of a whole object of `apiVersion` and `kind`; a leaf when upstream has no schema. */
export function rootType(apiVersion: string, kind: string): TypeRef {
  const custom = customRootType(apiVersion, kind, (f, t) => fieldTypes.set(f, t));
  if (custom) return custom;
  let byKind = roots.get(apiVersion);
  if (!byKind) roots.set(apiVersion, (byKind = new Map()));
  let t = byKind.get(kind);
  if (!t) {
    const slash = apiVersion.indexOf('/');
    const schema = kindSchema(slash < 0 ? '' : apiVersion.slice(0, slash), apiVersion.slice(slash + 1), kind);
    t = schema ? { t: 'struct', schema } : LEAF;
    byKind.set(kind, t);
  }
  return t;
}

/** The type of `name` inside a struct; undefined for a field the schema lacks. */
export function memberType(struct: MessageSchema, name: string): TypeRef | undefined {
  const f = struct.fields.get(name);
  return f ? fieldType(f) : undefined;
}
