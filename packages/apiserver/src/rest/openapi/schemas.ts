// The OpenAPI schema of every Kubernetes type, built from the proto-derived schema and
// upstream's descriptions, named and shaped as upstream's kube-openapi renders them:
// `io.k8s.api.core.v1.Pod`, special apimachinery types as scalars, markers as x-kubernetes-*.
// One builder for both flavours: v3 wraps a described $ref in allOf (a $ref's siblings are
// ignored in OpenAPI 3.0); Swagger 2.0, as upstream writes it, puts them beside the $ref.
import { customDefinition, isCustomDefinition } from './custom.js';
import { messageSchema, messageDescription, fieldDescription, jsonFields, SPECIAL_MESSAGES, type FieldSchema, type ValueKind } from '@k8ts/api';

export type Flavor = 'v2' | 'v3';
export type Schema = Record<string, unknown>;
export interface Gvk {
  group: string;
  version: string;
  kind: string;
}

const META = 'k8s.io.apimachinery.pkg.apis.meta.v1';

/** Upstream's definition name of a proto message: `k8s.io.api.core.v1.Pod` → `io.k8s.api.core.v1.Pod`. */
export function definitionName(message: string): string {
  return message.replace(/^k8s\.io\./, 'io.k8s.');
}

function refTo(message: string, flavor: Flavor): string {
  return `${flavor === 'v3' ? '#/components/schemas/' : '#/definitions/'}${definitionName(message)}`;
}

function ref(message: string, flavor: Flavor, extras: Schema): Schema {
  const $ref = refTo(message, flavor);
  if (flavor === 'v2') return { $ref, ...extras };
  return Object.keys(extras).length ? { allOf: [{ $ref }], ...extras } : { $ref };
}

const SCALAR_SCHEMAS: Partial<Record<ValueKind, Schema>> = {
  string: { type: 'string' },
  bool: { type: 'boolean' },
  int32: { type: 'integer', format: 'int32' },
  int64: { type: 'integer', format: 'int64' },
  double: { type: 'number', format: 'double' },
  bytes: { type: 'string', format: 'byte' },
  duration: { type: 'string' },
};

const SPECIAL_BY_KIND = new Map(Object.entries(SPECIAL_MESSAGES).map(([message, kind]) => [kind, message]));

/** The schema of one value of a field (an item of a list, a value of a map, or the field itself). */
function valueSchema(f: FieldSchema, flavor: Flavor, extras: Schema): Schema {
  const scalar = SCALAR_SCHEMAS[f.kind];
  if (scalar) return { ...extras, ...scalar };
  const message = f.kind === 'message' ? f.message! : SPECIAL_BY_KIND.get(f.kind)!;
  return ref(message, flavor, extras);
}

const MARKERS: [keyof FieldSchema, string][] = [
  ['listMapKeys', 'x-kubernetes-list-map-keys'],
  ['listType', 'x-kubernetes-list-type'],
  ['mapType', 'x-kubernetes-map-type'],
  ['patchMergeKey', 'x-kubernetes-patch-merge-key'],
  ['patchStrategy', 'x-kubernetes-patch-strategy'],
];

/** `message` is the object the field is in; `owner` the proto message declaring it (they differ for
 * the fields of an inlined embedded message, documented on the outer type). */
function fieldSchema(message: string, owner: string, f: FieldSchema, flavor: Flavor): Schema {
  const description = fieldDescription(message, f.name) ?? fieldDescription(owner, f.name) ?? f.description;
  const own: Schema = description ? { description } : {};
  for (const [key, ext] of MARKERS) if (f[key] !== undefined) own[ext] = f[key];
  // A map of lists: user.Info's extra (map[string]ExtraValue, each a []string).
  if (f.map && f.repeated) return { ...own, type: 'object', additionalProperties: { type: 'array', items: valueSchema(f, flavor, {}) } };
  if (f.map) return { ...own, type: 'object', additionalProperties: valueSchema(f, flavor, {}) };
  if (f.repeated) return { ...own, type: 'array', items: valueSchema(f, flavor, {}) };
  return valueSchema(f, flavor, own);
}

/** The messages whose JSON is not an object: their definitions as upstream writes them. */
function specialSchema(message: string, flavor: Flavor): Schema | undefined {
  const kind = SPECIAL_MESSAGES[message];
  if (!kind) return undefined;
  const description = messageDescription(message)?.description;
  const own: Schema = description ? { description } : {};
  switch (kind) {
    case 'time':
    case 'microTime':
      return { ...own, type: 'string', format: 'date-time' };
    case 'quantity':
      return flavor === 'v3' ? { ...own, oneOf: [{ type: 'string' }, { type: 'number' }] } : { ...own, type: 'string' };
    case 'intOrString':
      return flavor === 'v3'
        ? { ...own, format: 'int-or-string', oneOf: [{ type: 'integer' }, { type: 'string' }] }
        : { ...own, type: 'string', format: 'int-or-string' };
    case 'duration':
      return { ...own, type: 'string' };
    default:
      return { ...own, type: 'object' };
  }
}

const TYPE_META_FIELDS = ['apiVersion', 'kind'] as const;

/** The definition of one message: its properties, required fields and, for a kind, its GVKs. */
export function messageDefinition(message: string, flavor: Flavor, gvks: readonly Gvk[] = []): Schema {
  const special = specialSchema(message, flavor);
  if (special) return special;
  const schema = messageSchema(message);
  if (!schema) throw new Error(`openapi: no schema for ${message}`);
  const doc = messageDescription(message);
  const properties: Record<string, Schema> = {};
  for (const t of TYPE_META_FIELDS) if (doc?.typeMeta) properties[t] = { description: doc.typeMeta[t], type: 'string' };
  for (const { owner, field } of jsonFields(message)) properties[field.name] = fieldSchema(message, owner, field, flavor);
  const out: Schema = {};
  if (doc?.description ?? schema.description) out.description = doc?.description ?? schema.description;
  out.properties = sortKeys(properties);
  // In field order, as upstream lists them (kubernetes-types sorts them by name).
  if (doc?.required?.length) out.required = Object.keys(properties).filter((p) => doc.required!.includes(p));
  out.type = 'object';
  if (gvks.length) out['x-kubernetes-group-version-kind'] = gvks.map((g) => ({ group: g.group, kind: g.kind, version: g.version }));
  return out;
}

function sortKeys<T>(o: Record<string, T>): Record<string, T> {
  return Object.fromEntries(Object.entries(o).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

/** Every message reachable from `roots` through fields (roots included), sorted by name. */
export function closure(roots: Iterable<string>): string[] {
  const seen = new Set<string>();
  const stack = [...roots];
  while (stack.length) {
    const m = stack.pop()!;
    if (seen.has(m)) continue;
    seen.add(m);
    if (SPECIAL_MESSAGES[m]) continue;
    for (const { field: f } of jsonFields(m)) {
      const next = f.kind === 'message' ? f.message : SPECIAL_BY_KIND.get(f.kind);
      if (next && !seen.has(next)) stack.push(next);
    }
  }
  return [...seen].sort();
}

/** Definitions of `messages` and everything they reference, keyed by upstream's names. */
export function definitions(kinds: ReadonlyMap<string, readonly Gvk[]>, extra: readonly string[], flavor: Flavor): Record<string, Schema> {
  const out: Record<string, Schema> = {};
  const custom = [...kinds.keys()].filter(isCustomDefinition);
  // Custom kinds refer to ObjectMeta and ListMeta; their own schemas come from their CRDs.
  const roots = [...kinds.keys()].filter((m) => !isCustomDefinition(m));
  if (custom.length) roots.push(`${META}.ObjectMeta`, `${META}.ListMeta`);
  for (const m of closure([...roots, ...extra])) out[definitionName(m)] = messageDefinition(m, flavor, kinds.get(m));
  for (const m of custom) out[m] = customDefinition(m, flavor, kinds.get(m) ?? []);
  return sortKeys(out);
}

/** The meta/v1 messages every group-version's operations use. */
export const META_MESSAGES = ['DeleteOptions', 'Status', 'WatchEvent', 'Patch'].map((k) => `${META}.${k}`);
