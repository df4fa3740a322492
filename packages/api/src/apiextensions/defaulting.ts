// Defaulting of custom objects (apiextensions' structural defaulting): a property absent
// from an object gets its schema's `default`, deep-first, items and additionalProperties
// included; a null in a field that is not nullable is dropped, or replaced by the default
// when there is one (upstream's PruneNonNullableNullsWithoutDefaults).
import { propertySchema, type JSONSchemaProps } from './types.js';

const MAX_DEPTH = 200;

export function applySchemaDefaults(value: unknown, schema: JSONSchemaProps | undefined): void {
  if (schema) walk(value, schema, 0);
}

function copy<T>(v: T): T {
  return v === undefined ? v : (JSON.parse(JSON.stringify(v)) as T);
}

function walk(v: unknown, s: JSONSchemaProps, depth: number): void {
  if (depth > MAX_DEPTH) return;
  if (Array.isArray(v)) {
    if (!s.items) return;
    for (let i = 0; i < v.length; i++) {
      if (v[i] === null && !s.items.nullable && s.items.default !== undefined) v[i] = copy(s.items.default);
      walk(v[i], s.items, depth + 1);
    }
    return;
  }
  if (!v || typeof v !== 'object') return;
  const o = v as Record<string, unknown>;
  for (const [k, sub] of Object.entries(s.properties ?? {})) {
    if (!sub || typeof sub !== 'object') continue;
    if (o[k] === null && !sub.nullable) {
      if (sub.default !== undefined) o[k] = copy(sub.default);
      else delete o[k];
    } else if (o[k] === undefined && sub.default !== undefined) o[k] = copy(sub.default);
    if (o[k] !== undefined) walk(o[k], sub, depth + 1);
  }
  const additional = typeof s.additionalProperties === 'object' ? s.additionalProperties : undefined;
  if (additional) {
    for (const k of Object.keys(o)) {
      if (propertySchema(s, k)) continue;
      if (o[k] === null && !additional.nullable && additional.default !== undefined) o[k] = copy(additional.default);
      walk(o[k], additional, depth + 1);
    }
  }
}
