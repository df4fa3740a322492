// Pruning (apiextensions' structural pruning): every field the schema does not specify is
// dropped, unless x-kubernetes-preserve-unknown-fields keeps it. At the root and in an
// x-kubernetes-embedded-resource, apiVersion, kind and metadata are always kept (metadata
// is ObjectMeta's, decoded apart). Returns the dropped paths, which fieldValidation reports
// as `unknown field "spec.x"`.
import { propertySchema, type JSONSchemaProps } from './types.js';

const TYPE_META = new Set(['apiVersion', 'kind', 'metadata']);
const MAX_DEPTH = 200;

export function prune(value: unknown, schema: JSONSchemaProps | undefined, root = true): string[] {
  const dropped: string[] = [];
  if (schema) walk(value, schema, '', root, dropped, 0);
  return dropped;
}

function isObject(v: unknown): v is Record<string, unknown> {
  return !!v && typeof v === 'object' && !Array.isArray(v);
}

function join(path: string, key: string): string {
  return path ? `${path}.${key}` : key;
}

function walk(v: unknown, s: JSONSchemaProps, path: string, resource: boolean, dropped: string[], depth: number): void {
  if (depth > MAX_DEPTH) return; // validation refuses what nests this deep
  if (Array.isArray(v)) {
    if (s.items) v.forEach((item, i) => walk(item, s.items!, `${path}[${i}]`, !!s.items!['x-kubernetes-embedded-resource'], dropped, depth + 1));
    return;
  }
  if (!isObject(v)) return;
  const preserve = !!s['x-kubernetes-preserve-unknown-fields'];
  const additional = typeof s.additionalProperties === 'object' ? s.additionalProperties : undefined;
  for (const k of Object.keys(v)) {
    if (resource && TYPE_META.has(k)) {
      if (k === 'metadata' && path) pruneEmbeddedMetadata(v[k], join(path, k), dropped);
      continue;
    }
    const sub = propertySchema(s, k) ?? additional;
    if (sub) walk(v[k], sub, join(path, k), !!sub['x-kubernetes-embedded-resource'], dropped, depth + 1);
    else if (!preserve && s.additionalProperties !== true) {
      delete v[k];
      dropped.push(join(path, k));
    }
  }
}

/** The ObjectMeta fields an embedded resource's metadata keeps (upstream prunes it to these). */
const EMBEDDED_META = new Set(['name', 'namespace', 'labels', 'annotations', 'generateName', 'finalizers', 'ownerReferences', 'uid', 'resourceVersion', 'generation', 'creationTimestamp', 'deletionTimestamp', 'deletionGracePeriodSeconds', 'managedFields']);

function pruneEmbeddedMetadata(m: unknown, path: string, dropped: string[]): void {
  if (!isObject(m)) return;
  for (const k of Object.keys(m)) {
    if (!EMBEDDED_META.has(k)) {
      delete m[k];
      dropped.push(join(path, k));
    }
  }
}
