// Whether a CRD version's openAPIV3Schema is structural, as apiextensions-apiserver requires
// of apiextensions.k8s.io/v1 (and the few other rules its validation adds on schemas): every
// specified field has a type, arrays have items, value validations (allOf, anyOf, oneOf,
// not) carry no structure of their own, no $ref, no additionalProperties beside properties.
// Paths are upstream's: `….openAPIV3Schema.properties[spec].type`.
import { forbidden, invalid, notSupported, required, type FieldError } from '../validation/field-error.js';
import type { JSONSchemaProps } from './types.js';
import { validateValue } from './validate-value.js';
import { compilePattern } from './schema-pattern.js';

const TYPES = ['array', 'boolean', 'integer', 'number', 'object', 'string'];
const MAX_DEPTH = 64;
const isObject = (v: unknown): v is Record<string, unknown> => !!v && typeof v === 'object' && !Array.isArray(v);

/** Keys a value validation (inside allOf/anyOf/oneOf/not) may not set: they are structure. */
const STRUCTURE_KEYS = ['type', 'description', 'default', 'additionalProperties', 'nullable', 'x-kubernetes-preserve-unknown-fields', 'x-kubernetes-embedded-resource', 'x-kubernetes-int-or-string', 'x-kubernetes-list-type', 'x-kubernetes-list-map-keys', 'x-kubernetes-map-type'];

export function validateStructuralSchema(schema: unknown, fld: string): FieldError[] {
  const errs: FieldError[] = [];
  if (!isObject(schema)) return [required(fld, 'schemas are required')];
  const s = schema as JSONSchemaProps;
  if (s.type !== 'object') errs.push(s.type ? invalid(`${fld}.type`, s.type, 'must be object at the root') : required(`${fld}.type`, 'must not be empty at the root'));
  walk(s, fld, errs, 0, true);
  checkRootMetadata(s, fld, errs);
  return errs;
}

function walk(s: Record<string, unknown>, fld: string, errs: FieldError[], depth: number, structural: boolean): void {
  if (depth > MAX_DEPTH) {
    errs.push(forbidden(fld, `must not be nested more than ${MAX_DEPTH} levels deep`));
    return;
  }
  const js = s as JSONSchemaProps;
  if ('$ref' in s) errs.push(forbidden(`${fld}.$ref`, '$ref is not supported'));
  for (const k of ['definitions', 'dependencies', 'patternProperties', 'additionalItems', 'id', '$schema'] as const) if (k in s) errs.push(forbidden(`${fld}.${k}`, `${k} is not supported`));
  if (js.type !== undefined && (typeof js.type !== 'string' || !TYPES.includes(js.type))) errs.push(notSupported(`${fld}.type`, js.type, TYPES));
  scalars(js, fld, errs);
  const preserve = js['x-kubernetes-preserve-unknown-fields'];
  if (preserve !== undefined && preserve !== true) errs.push(invalid(`${fld}.x-kubernetes-preserve-unknown-fields`, preserve, 'must be true or undefined'));
  const intOrString = !!js['x-kubernetes-int-or-string'];
  if (structural) {
    if (!js.type && depth > 0 && !intOrString && !preserve) errs.push(required(`${fld}.type`, 'must not be empty for specified object fields'));
    if (intOrString && js.type) errs.push(invalid(`${fld}.type`, js.type, 'must be empty if x-kubernetes-int-or-string is true'));
    if (js['x-kubernetes-embedded-resource'] && js.type !== 'object') errs.push(invalid(`${fld}.type`, js.type ?? '', 'must be object if x-kubernetes-embedded-resource is true'));
    if (js['x-kubernetes-embedded-resource'] && !preserve && !isObject(js.properties)) errs.push(required(`${fld}.properties`, 'must not be empty if x-kubernetes-embedded-resource is true without x-kubernetes-preserve-unknown-fields'));
    if (js.type === 'array' && !isObject(js.items)) errs.push(required(`${fld}.items`, 'must be specified'));
  } else {
    for (const k of STRUCTURE_KEYS) if (k in s) errs.push(forbidden(`${fld}.${k}`, 'must be empty to be structural'));
  }
  if (js.properties !== undefined) {
    if (!isObject(js.properties)) errs.push(invalid(`${fld}.properties`, js.properties, 'must be an object'));
    else for (const [k, v] of Object.entries(js.properties)) sub(v, `${fld}.properties[${k}]`, errs, depth, structural);
    if (js.additionalProperties !== undefined) errs.push(forbidden(`${fld}.additionalProperties`, 'additionalProperties and properties are mutual exclusive'));
  }
  if (js.additionalProperties === false || js.additionalProperties === true) {
    if (js.additionalProperties === false || !preserve) errs.push(forbidden(`${fld}.additionalProperties`, 'must not be a boolean: use a schema, or x-kubernetes-preserve-unknown-fields'));
  } else if (js.additionalProperties !== undefined) sub(js.additionalProperties, `${fld}.additionalProperties`, errs, depth, structural);
  if (js.items !== undefined) {
    if (Array.isArray(js.items)) errs.push(forbidden(`${fld}.items`, 'items must be a schema object and not an array'));
    else sub(js.items, `${fld}.items`, errs, depth, structural);
  }
  for (const k of ['allOf', 'anyOf', 'oneOf'] as const) {
    const list = js[k];
    if (list === undefined) continue;
    if (!Array.isArray(list)) errs.push(invalid(`${fld}.${k}`, list, 'must be an array'));
    else list.forEach((v, i) => sub(v, `${fld}.${k}[${i}]`, errs, depth, false));
  }
  if (js.not !== undefined) sub(js.not, `${fld}.not`, errs, depth, false);
  listMarkers(js, fld, errs);
  if (structural && js.default !== undefined) {
    for (const e of validateValue(js, js.default, `${fld}.default`)) errs.push(invalid(e.field, js.default, e.message));
  }
}

function sub(v: unknown, fld: string, errs: FieldError[], depth: number, structural: boolean): void {
  if (!isObject(v)) errs.push(invalid(fld, v, 'must be a schema object'));
  else walk(v, fld, errs, depth + 1, structural);
}

function scalars(s: JSONSchemaProps, fld: string, errs: FieldError[]): void {
  for (const k of ['minimum', 'maximum', 'multipleOf', 'minLength', 'maxLength', 'minItems', 'maxItems', 'minProperties', 'maxProperties'] as const) {
    const v = s[k];
    if (v !== undefined && (typeof v !== 'number' || !Number.isFinite(v))) errs.push(invalid(`${fld}.${k}`, v, 'must be a number'));
    else if (v !== undefined && k !== 'minimum' && k !== 'maximum' && v < 0) errs.push(invalid(`${fld}.${k}`, v, 'must be greater than or equal to 0'));
  }
  for (const k of ['nullable', 'uniqueItems', 'exclusiveMinimum', 'exclusiveMaximum', 'x-kubernetes-embedded-resource', 'x-kubernetes-int-or-string'] as const) {
    if (s[k] !== undefined && typeof s[k] !== 'boolean') errs.push(invalid(`${fld}.${k}`, s[k], 'must be a boolean'));
  }
  for (const k of ['type', 'format', 'description', 'title', 'pattern'] as const) {
    if (s[k] !== undefined && typeof s[k] !== 'string') errs.push(invalid(`${fld}.${k}`, s[k], 'must be a string'));
  }
  if (typeof s.pattern === 'string') {
    const re = compilePattern(s.pattern);
    if (re instanceof Error) errs.push(invalid(`${fld}.pattern`, s.pattern, `must be a valid regular expression, but isn't: ${re.message}`));
  }
  if (s.required !== undefined && (!Array.isArray(s.required) || s.required.some((r) => typeof r !== 'string'))) errs.push(invalid(`${fld}.required`, s.required, 'must be a list of strings'));
  if (s.enum !== undefined && !Array.isArray(s.enum)) errs.push(invalid(`${fld}.enum`, s.enum, 'must be a list'));
}

function listMarkers(s: JSONSchemaProps, fld: string, errs: FieldError[]): void {
  const lt = s['x-kubernetes-list-type'];
  if (lt === undefined) {
    if (s['x-kubernetes-list-map-keys'] !== undefined) errs.push(forbidden(`${fld}.x-kubernetes-list-map-keys`, 'must be empty if x-kubernetes-list-type is not map'));
    return;
  }
  if (!['atomic', 'set', 'map'].includes(lt as string)) return void errs.push(notSupported(`${fld}.x-kubernetes-list-type`, lt, ['atomic', 'set', 'map']));
  if (s.type !== 'array') errs.push(invalid(`${fld}.type`, s.type ?? '', 'must be array if x-kubernetes-list-type is specified'));
  if (lt === 'map') {
    const keys = s['x-kubernetes-list-map-keys'];
    if (!Array.isArray(keys) || keys.length === 0) errs.push(required(`${fld}.x-kubernetes-list-map-keys`, 'must not be empty if x-kubernetes-list-type is map'));
    else if (isObject(s.items)) {
      const props = (s.items as JSONSchemaProps).properties ?? {};
      for (const k of keys) if (typeof k !== 'string' || !Object.hasOwn(props, k)) errs.push(invalid(`${fld}.x-kubernetes-list-map-keys`, keys, `entries must all be names of item properties`));
    }
  } else if (s['x-kubernetes-list-map-keys'] !== undefined) errs.push(forbidden(`${fld}.x-kubernetes-list-map-keys`, 'must be empty if x-kubernetes-list-type is not map'));
}

/** At the root, metadata may restrict only name and generateName (upstream's rule). */
function checkRootMetadata(s: JSONSchemaProps, fld: string, errs: FieldError[]): void {
  const m = s.properties && Object.hasOwn(s.properties, 'metadata') ? s.properties.metadata : undefined;
  if (!isObject(m)) return;
  const mp = m.properties ?? {};
  const extra = Object.keys(m).filter((k) => !['type', 'properties', 'description'].includes(k));
  if (m.type !== undefined && m.type !== 'object') errs.push(invalid(`${fld}.properties[metadata].type`, m.type, 'must be object'));
  if (extra.length || Object.keys(mp).some((k) => k !== 'name' && k !== 'generateName')) {
    errs.push(forbidden(`${fld}.properties[metadata]`, 'must not specify anything other than name and generateName, but metadata is implicitly specified'));
  }
}
