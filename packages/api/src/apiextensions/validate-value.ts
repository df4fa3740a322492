// A custom object checked against its version's structural schema, with the messages
// kube-apiserver answers (kube-openapi's validators through apiextensions' error
// conversion): `spec.replicas: Invalid value: "string": spec.replicas in body must be of
// type integer: "string"`. metadata, apiVersion and kind at the root are the generic
// ObjectMeta validation's business, as upstream leaves them to it.
import { tooLong, type FieldError } from '../validation/field-error.js';
import { propertySchema, type JSONSchemaProps } from './types.js';
import { matchesPattern } from './schema-pattern.js';

const mk = (field: string, type: FieldError['type'], message: string, value?: unknown): FieldError => (value === undefined ? { field, type, message } : { field, type, message, value });

/** The JSON type of a value as the validators name it. */
export function jsonType(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'array';
  if (typeof v === 'number') return Number.isInteger(v) ? 'integer' : 'number';
  return typeof v; // string, boolean, object
}

/** Go's %v of a value in "Invalid value: …" (strings quoted, objects as JSON). */
function shown(v: unknown): string {
  if (typeof v === 'string') return JSON.stringify(v);
  if (v === null || v === undefined) return 'null';
  if (typeof v === 'object') return JSON.stringify(v);
  return String(v);
}

function invalidValue(path: string, value: unknown, detail: string): FieldError {
  return mk(path, 'FieldValueInvalid', `Invalid value: ${shown(typeof value === 'object' && value !== null ? jsonType(value) : value)}: ${detail}`, value);
}

function typeMatches(s: JSONSchemaProps, v: unknown): boolean {
  const t = jsonType(v);
  if (s['x-kubernetes-int-or-string']) return t === 'integer' || t === 'string';
  switch (s.type) {
    case undefined:
    case '':
      return true;
    case 'number':
      return t === 'number' || t === 'integer';
    default:
      return s.type === t;
  }
}

export interface ValueValidationOptions {
  /** The object's root: metadata, apiVersion and kind are skipped there. */
  root?: boolean;
}

/** Field errors of `value` at `path` under `schema`; nested errors carry their own paths. */
export function validateValue(schema: JSONSchemaProps | undefined, value: unknown, path = '', opts: ValueValidationOptions = {}): FieldError[] {
  const out: FieldError[] = [];
  if (schema) walk(schema, value, path, out, opts.root ?? false, 0);
  return out;
}

const MAX_DEPTH = 200;

function walk(s: JSONSchemaProps, v: unknown, path: string, out: FieldError[], root: boolean, depth: number): void {
  if (depth > MAX_DEPTH) {
    out.push(invalidValue(path, v, 'nested too deeply'));
    return;
  }
  const p = path || '<root>';
  if (v === null) {
    if (!s.nullable && !(s['x-kubernetes-preserve-unknown-fields'] && !s.type)) out.push(invalidValue(path, v, `${p} in body must be of type ${s.type || 'object'}: "null"`));
    return;
  }
  if (!typeMatches(s, v)) {
    const want = s['x-kubernetes-int-or-string'] ? 'integer,string' : s.type;
    out.push(invalidValue(path, v, `${p} in body must be of type ${want}: "${jsonType(v)}"`));
    return;
  }
  scalarChecks(s, v, path, p, out);
  for (const sub of s.allOf ?? []) walk(sub, v, path, out, root, depth + 1);
  if (s.anyOf?.length && !s.anyOf.some((sub) => validateValue(sub, v, path).length === 0)) out.push(invalidValue(path, v, `${p} in body must validate at least one schema (anyOf)`));
  if (s.oneOf?.length && s.oneOf.filter((sub) => validateValue(sub, v, path).length === 0).length !== 1) out.push(invalidValue(path, v, `${p} in body must validate one and only one schema (oneOf)`));
  if (s.not && validateValue(s.not, v, path).length === 0) out.push(invalidValue(path, v, `${p} in body should not validate the given schema`));
  if (Array.isArray(v)) return arrayChecks(s, v, path, p, out, depth);
  if (typeof v === 'object') objectChecks(s, v as Record<string, unknown>, path, p, out, root, depth);
}

function scalarChecks(s: JSONSchemaProps, v: unknown, path: string, p: string, out: FieldError[]): void {
  if (s.enum?.length && !s.enum.some((e) => sameJson(e, v))) {
    out.push(mk(path, 'FieldValueNotSupported', `Unsupported value: ${shown(v)}: supported values: ${s.enum.map((e) => shown(e)).join(', ')}`, v));
  }
  if (typeof v === 'number') {
    if (s.minimum !== undefined && (s.exclusiveMinimum ? v <= s.minimum : v < s.minimum)) out.push(invalidValue(path, v, `${p} in body should be greater than ${s.exclusiveMinimum ? '' : 'or equal to '}${s.minimum}`));
    if (s.maximum !== undefined && (s.exclusiveMaximum ? v >= s.maximum : v > s.maximum)) out.push(invalidValue(path, v, `${p} in body should be less than ${s.exclusiveMaximum ? '' : 'or equal to '}${s.maximum}`));
    if (s.multipleOf && !Number.isInteger(v / s.multipleOf)) out.push(invalidValue(path, v, `${p} in body should be a multiple of ${s.multipleOf}`));
  }
  if (typeof v === 'string') {
    const len = [...v].length;
    if (s.maxLength !== undefined && len > s.maxLength) out.push(tooLong(path, s.maxLength));
    if (s.minLength !== undefined && len < s.minLength) out.push(invalidValue(path, v, `${p} in body should be at least ${s.minLength} chars long`));
    if (s.pattern !== undefined) {
      if (matchesPattern(s.pattern, v) === false) out.push(invalidValue(path, v, `${p} in body should match '${s.pattern}'`));
    }
  }
}

function arrayChecks(s: JSONSchemaProps, v: unknown[], path: string, p: string, out: FieldError[], depth: number): void {
  if (s.maxItems !== undefined && v.length > s.maxItems) out.push(mk(path, 'FieldValueTooMany', `Too many: ${v.length}: must have at most ${s.maxItems} items`, v.length));
  if (s.minItems !== undefined && v.length < s.minItems) out.push(invalidValue(path, v, `${p} in body should have at least ${s.minItems} items`));
  const listType = s['x-kubernetes-list-type'];
  if (s.uniqueItems || listType === 'set') {
    for (let i = 0; i < v.length; i++) {
      if (v.slice(0, i).some((x) => sameJson(x, v[i]))) out.push(mk(`${path}[${i}]`, 'FieldValueDuplicate', `Duplicate value: ${shown(v[i])}`, v[i]));
    }
  }
  if (listType === 'map') {
    const keys = s['x-kubernetes-list-map-keys'] ?? [];
    const seen = new Set<string>();
    v.forEach((item, i) => {
      if (!item || typeof item !== 'object' || Array.isArray(item)) return;
      const k = JSON.stringify(keys.map((key) => (item as Record<string, unknown>)[key] ?? null));
      if (seen.has(k)) out.push(mk(`${path}[${i}]`, 'FieldValueDuplicate', `Duplicate value: ${JSON.stringify(Object.fromEntries(keys.map((key) => [key, (item as Record<string, unknown>)[key]])))}`));
      seen.add(k);
    });
  }
  if (s.items) v.forEach((item, i) => walk(s.items!, item, `${path}[${i}]`, out, false, depth + 1));
}

function objectChecks(s: JSONSchemaProps, v: Record<string, unknown>, path: string, p: string, out: FieldError[], root: boolean, depth: number): void {
  const n = Object.keys(v).length;
  if (s.maxProperties !== undefined && n > s.maxProperties) out.push(mk(path, 'FieldValueTooMany', `Too many: ${n}: must have at most ${s.maxProperties} items`, n));
  if (s.minProperties !== undefined && n < s.minProperties) out.push(invalidValue(path, v, `${p} in body should have at least ${s.minProperties} properties`));
  for (const r of s.required ?? []) {
    if (root && (r === 'metadata' || r === 'apiVersion' || r === 'kind')) continue;
    if (!Object.hasOwn(v, r)) out.push(mk(join(path, r), 'FieldValueRequired', 'Required value'));
  }
  if (s['x-kubernetes-embedded-resource']) {
    for (const k of ['apiVersion', 'kind']) if (typeof v[k] !== 'string' || v[k] === '') out.push(mk(join(path, k), 'FieldValueRequired', 'Required value: must not be empty'));
  }
  for (const [k, child] of Object.entries(v)) {
    if (root && (k === 'metadata' || k === 'apiVersion' || k === 'kind')) continue;
    const sub = propertySchema(s, k) ?? (typeof s.additionalProperties === 'object' ? s.additionalProperties : undefined);
    if (sub) walk(sub, child, join(path, k), out, false, depth + 1);
  }
}

function join(path: string, key: string): string {
  return path ? `${path}.${key}` : key;
}

function sameJson(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  return JSON.stringify(sortDeep(a)) === JSON.stringify(sortDeep(b));
}

function sortDeep(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(sortDeep);
  if (v && typeof v === 'object') return Object.fromEntries(Object.keys(v).sort().map((k) => [k, sortDeep((v as Record<string, unknown>)[k])]));
  return v;
}
