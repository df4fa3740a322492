// Strategic merge patch (application/strategic-merge-patch+json), the patch kubectl apply,
// edit, set image, cordon and taint send: maps merge, null deletes, lists merge by the key
// the schema's markers declare (+patchStrategy, +patchMergeKey) or are replaced, plus the directives
// `$patch` (replace / delete / merge), `$retainKeys`, `$setElementOrder/<list>` and
// `$deleteFromPrimitiveList/<list>`.
import { PatchError } from '../errors.js';
import { clone, isPlainObject } from './json.js';
import type { FieldSchema, MessageSchema } from '../schema/types.js';
import { kindSchema, messageSchema } from '../schema/schema.js';
import { findResource } from '../resources.js';

const PATCH = '$patch';
const RETAIN = '$retainKeys';
const ORDER = '$setElementOrder/';
const DELETE_PRIMITIVE = '$deleteFromPrimitiveList/';

type Obj = Record<string, any>;

export type ListStrategy =
  | { strategy: 'replace' }
  | { strategy: 'merge'; key: string }
  | { strategy: 'merge-primitive' };

/**
 * What the schema says about an object being merged: a message (its fields), a map (the
 * field declaring it, whose values are of its kind), or nothing known (free-form JSON, an
 * unknown field), where lists are replaced whole.
 */
type Shape = { msg: MessageSchema } | { mapOf: FieldSchema } | undefined;

/** The strategy strategic merge patch uses for a list field (replace when undeclared). */
export function listStrategyOf(field: FieldSchema | undefined): ListStrategy {
  if (!field?.patchStrategy?.split(',').includes('merge')) return { strategy: 'replace' };
  return field.patchMergeKey ? { strategy: 'merge', key: field.patchMergeKey } : { strategy: 'merge-primitive' };
}

function fieldIn(shape: Shape, key: string): FieldSchema | undefined {
  if (!shape) return undefined;
  if ('msg' in shape) return shape.msg.jsonFields.get(key);
  return shape.mapOf;
}

/** The shape of one value of `field` (an element when it is a list, a value when a map). */
function valueShape(field: FieldSchema | undefined, asWhole: boolean): Shape {
  if (!field) return undefined;
  if (asWhole && field.map) return { mapOf: field };
  return field.kind === 'message' ? { msg: messageSchema(field.message!)! } : undefined;
}

/** The shape of the value under `key` in an object of `shape`. */
function childShape(shape: Shape, key: string): Shape {
  if (shape && 'mapOf' in shape) return valueShape(shape.mapOf, false);
  return valueShape(fieldIn(shape, key), true);
}

function keyOf(v: unknown): string {
  return JSON.stringify(v);
}

/** Merges `patch` into a copy of `original`; `undefined` means "delete this map". */
function mergeMap(original: unknown, patch: Obj, shape: Shape): Obj | undefined {
  const directive = patch[PATCH];
  if (directive !== undefined) {
    if (directive === 'delete') return undefined;
    if (directive === 'replace') {
      const rest = { ...patch };
      delete rest[PATCH];
      return mergeMap({}, rest, shape);
    }
    if (directive !== 'merge') throw new PatchError(`Unknown patch type: ${directive} in map: ${JSON.stringify(patch)}`, 422);
  }
  const base: Obj = isPlainObject(original) ? clone(original) : {};
  const orders: Record<string, unknown[]> = {};
  const serverOrders: Record<string, unknown[]> = {};

  // $deleteFromPrimitiveList first, so the same patch can remove and add values.
  for (const [k, v] of Object.entries(patch)) {
    if (!k.startsWith(DELETE_PRIMITIVE)) continue;
    const field = k.slice(DELETE_PRIMITIVE.length);
    if (!Array.isArray(v)) throw new PatchError(`${k} must be a list`, 422);
    const remove = new Set(v.map(keyOf));
    if (Array.isArray(base[field])) base[field] = base[field].filter((x: unknown) => !remove.has(keyOf(x)));
  }

  for (const [k, pv] of Object.entries(patch)) {
    if (k === PATCH || k === RETAIN || k.startsWith(DELETE_PRIMITIVE)) continue;
    if (k.startsWith(ORDER)) {
      if (!Array.isArray(pv)) throw new PatchError(`${k} must be a list`, 422);
      orders[k.slice(ORDER.length)] = pv;
      continue;
    }
    if (pv === null) {
      delete base[k];
      continue;
    }
    const ov = base[k];
    if (isPlainObject(pv)) {
      const merged = mergeMap(isPlainObject(ov) ? ov : {}, pv, childShape(shape, k));
      if (merged === undefined) delete base[k];
      else base[k] = merged;
    } else if (Array.isArray(pv)) {
      serverOrders[k] = Array.isArray(ov) ? ov : [];
      base[k] = mergeList(Array.isArray(ov) ? ov : [], pv, k, listField(shape, k));
    } else {
      base[k] = pv;
    }
  }

  for (const [field, order] of Object.entries(orders)) {
    if (!Array.isArray(base[field])) continue;
    base[field] = applyElementOrder(base[field], order, serverOrders[field] ?? (isPlainObject(original) ? (original as Obj)[field] ?? [] : []), listStrategyOf(listField(shape, field)));
  }

  const retain = patch[RETAIN];
  if (retain !== undefined) {
    if (!Array.isArray(retain)) throw new PatchError('$retainKeys must be a list', 422);
    const keep = new Set(retain as string[]);
    for (const k of Object.keys(patch))
      if (!k.startsWith('$') && patch[k] !== null && !keep.has(k))
        throw new PatchError(`The content of the patch doesn't match retainKeys list: ${k} is not in ${JSON.stringify(retain)}`, 422);
    for (const k of Object.keys(base)) if (!keep.has(k)) delete base[k];
  }
  return base;
}

/** The list field under `key`; a map's values are never lists in the served types. */
function listField(shape: Shape, key: string): FieldSchema | undefined {
  return shape && 'msg' in shape ? shape.msg.jsonFields.get(key) : undefined;
}

function stripValue(v: unknown, name: string, shape: Shape): unknown {
  if (isPlainObject(v)) return mergeMap({}, v, shape);
  if (Array.isArray(v)) return mergeList([], v, name, undefined);
  return v;
}

function mergeList(original: unknown[], patch: unknown[], name: string, field: FieldSchema | undefined): unknown[] {
  const st = listStrategyOf(field);
  const shape = valueShape(field, false);
  // A `{"$patch": "replace"}` element replaces the whole list with the other elements.
  const replaceIdx = patch.findIndex((e) => isPlainObject(e) && e[PATCH] === 'replace' && Object.keys(e).length === 1);
  if (replaceIdx >= 0) {
    const rest = patch.filter((_, i) => i !== replaceIdx);
    return rest.map((e) => stripValue(e, name, shape));
  }
  if (st.strategy === 'replace') return patch.map((e) => stripValue(e, name, shape));
  if (st.strategy === 'merge-primitive') {
    const out = [...original];
    const seen = new Set(out.map(keyOf));
    for (const e of patch) {
      if (isPlainObject(e) || Array.isArray(e)) throw new PatchError(`list of primitives expected at ${name}`, 422);
      if (!seen.has(keyOf(e))) {
        out.push(e);
        seen.add(keyOf(e));
      }
    }
    return out;
  }
  const key = st.key;
  const out: unknown[] = original.map((e) => clone(e));
  for (const e of patch) {
    if (!isPlainObject(e)) {
      // A list Kubernetes merges by key only holds maps.
      throw new PatchError(`json: cannot unmarshal ${typeof e} into a map at ${name}`, 422);
    }
    if (e[PATCH] === 'delete') {
      if (!(key in e)) throw new PatchError(`map: ${JSON.stringify(e)} does not contain declared merge key: ${key}`, 422);
      for (let i = out.length - 1; i >= 0; i--) if (isPlainObject(out[i]) && keyOf((out[i] as Obj)[key]) === keyOf(e[key])) out.splice(i, 1);
      continue;
    }
    if (!(key in e)) throw new PatchError(`map: ${JSON.stringify(e)} does not contain declared merge key: ${key}`, 422);
    const i = out.findIndex((o) => isPlainObject(o) && keyOf(o[key]) === keyOf(e[key]));
    if (i >= 0) {
      const merged = mergeMap(out[i], e, shape);
      if (merged === undefined) out.splice(i, 1);
      else out[i] = merged;
    } else {
      const created = mergeMap({}, e, shape);
      if (created !== undefined) out.push(created);
    }
  }
  return out;
}

/**
 * $setElementOrder: the patch's items in the given order, interleaved with items only the
 * server has at their old relative positions (mergeSortedSlice in Kubernetes).
 */
function applyElementOrder(list: unknown[], order: unknown[], serverOrder: unknown[], st: ListStrategy): unknown[] {
  const id = (e: unknown) => (st.strategy === 'merge' && isPlainObject(e) ? keyOf(e[st.key]) : keyOf(e));
  const orderIds = order.map(id);
  const orderPos = new Map(orderIds.map((k, i) => [k, i]));
  const serverPos = new Map(serverOrder.map((e, i) => [id(e), i]));
  const inPatch = list.filter((e) => orderPos.has(id(e))).sort((a, b) => orderPos.get(id(a))! - orderPos.get(id(b))!);
  const serverOnly = list.filter((e) => !orderPos.has(id(e))).sort((a, b) => (serverPos.get(id(a)) ?? 0) - (serverPos.get(id(b)) ?? 0));
  const out: unknown[] = [];
  let i = 0;
  let j = 0;
  while (i < inPatch.length || j < serverOnly.length) {
    if (i >= inPatch.length) out.push(serverOnly[j++]);
    else if (j >= serverOnly.length) out.push(inPatch[i++]);
    else {
      const li = serverPos.get(id(inPatch[i]));
      const ri = serverPos.get(id(serverOnly[j]));
      if (li !== undefined && ri !== undefined && li > ri) out.push(serverOnly[j++]);
      else out.push(inPatch[i++]);
    }
  }
  return out;
}

function schemaOf(resource: string | MessageSchema): MessageSchema | undefined {
  if (typeof resource !== 'string') return resource;
  const info = findResource(resource);
  return info && kindSchema(info.group, info.version, info.kind);
}

/**
 * Applies a strategic merge patch for an object of `resource` (plural name, or the kind's
 * schema): lists merge as the schema's markers declare.
 */
export function applyStrategicMergePatch(original: object, patch: unknown, resource: string | MessageSchema): object {
  if (!isPlainObject(patch)) throw new PatchError('strategic merge patch must be a JSON object', 400);
  const schema = schemaOf(resource);
  const result = mergeMap(original, patch, schema && { msg: schema });
  return result ?? {};
}

/** Strategic merge of two full objects (used by server-side apply). */
export function strategicMerge(original: object, patch: Obj, resource: string | MessageSchema): object {
  return applyStrategicMergePatch(original, patch, resource);
}
