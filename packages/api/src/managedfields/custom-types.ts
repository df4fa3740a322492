// Server-side apply's types of a custom resource, read from its CRD version's structural
// schema as upstream's structured-merge-diff reads it: objects with properties are structs,
// additionalProperties a granular map (atomic with x-kubernetes-map-type: atomic), lists
// atomic unless x-kubernetes-list-type says set or map (keyed by x-kubernetes-list-map-keys),
// and metadata ObjectMeta's own type. The struct is a synthetic MessageSchema whose fields
// carry their types in advance (seedFieldType), so the rest of managedfields is unchanged.
import type { FieldSchema, MessageSchema } from '../schema/index.js';
import type { JSONSchemaProps } from '../apiextensions/types.js';
import { apiVersionOf, RESOURCES, resourcesGeneration } from '../resources.js';
import type { TypeRef } from './typed.js';

const LEAF: TypeRef = { t: 'leaf' };
const OBJECT_META = 'k8s.io.apimachinery.pkg.apis.meta.v1.ObjectMeta';
const MAX_DEPTH = 64;

type Seed = (f: FieldSchema, t: TypeRef) => void;

function field(name: string, seed: Seed, t: TypeRef | undefined, message?: string): FieldSchema {
  const f: FieldSchema = { name, number: 0, kind: message ? 'message' : 'rawExtension', message, protoType: message ? 'message' : 'bytes', repeated: false, map: false };
  if (t) seed(f, t);
  return f;
}

function struct(name: string, fields: FieldSchema[]): TypeRef {
  const map = new Map(fields.map((f) => [f.name, f]));
  const schema: MessageSchema = { name, goName: name, fields: map, jsonFields: map, byNumber: new Map() };
  return { t: 'struct', schema };
}

function typeOf(s: JSONSchemaProps | undefined, name: string, seed: Seed, resource: boolean, depth: number): TypeRef {
  if (!s || depth > MAX_DEPTH) return LEAF;
  if (s.type === 'array') {
    const lt = s['x-kubernetes-list-type'];
    if (lt === 'set') return { t: 'list', rel: 'set', keys: [], elem: LEAF };
    if (lt === 'map' && s['x-kubernetes-list-map-keys']?.length) return { t: 'list', rel: 'map', keys: s['x-kubernetes-list-map-keys'], elem: typeOf(s.items, `${name}.items`, seed, false, depth + 1) };
    return LEAF;
  }
  if (s.type !== 'object' && !s.properties) return LEAF;
  if (s['x-kubernetes-map-type'] === 'atomic') return LEAF;
  if (s.properties) {
    const fields = Object.entries(s.properties).map(([k, sub]) => field(k, seed, typeOf(sub, `${name}.${k}`, seed, !!sub?.['x-kubernetes-embedded-resource'], depth + 1)));
    if (resource) {
      for (const k of ['apiVersion', 'kind']) if (!s.properties[k]) fields.push(field(k, seed, LEAF));
      if (!Object.hasOwn(s.properties, 'metadata') || !resource) fields.push(field('metadata', seed, undefined, OBJECT_META));
      else fields[fields.findIndex((f) => f.name === 'metadata')] = field('metadata', seed, undefined, OBJECT_META);
    }
    return struct(name, fields);
  }
  if (typeof s.additionalProperties === 'object') return { t: 'map', elem: typeOf(s.additionalProperties, `${name}.*`, seed, false, depth + 1) };
  if (s['x-kubernetes-preserve-unknown-fields']) return { t: 'map', elem: LEAF };
  return LEAF;
}

let cache = new Map<string, TypeRef | undefined>();
let cachedAt = -1;

/** The type of a custom kind's objects, or undefined when no CRD serves `apiVersion` `kind`. */
export function customRootType(apiVersion: string, kind: string, seed: Seed): TypeRef | undefined {
  if (cachedAt !== resourcesGeneration()) {
    cache = new Map();
    cachedAt = resourcesGeneration();
  }
  const key = `${apiVersion}/${kind}`;
  if (!cache.has(key)) {
    const info = RESOURCES.find((r) => r.custom && r.kind === kind && apiVersionOf(r) === apiVersion);
    cache.set(key, info ? typeOf(info.custom!.schema ?? { type: 'object', 'x-kubernetes-preserve-unknown-fields': true }, `${apiVersion}.${kind}`, seed, true, 0) : undefined);
  }
  return cache.get(key);
}
