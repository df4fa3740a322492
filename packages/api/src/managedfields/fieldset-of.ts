// The field set of an object (structured-merge-diff's ToFieldSet): scalars, atomic lists and
// maps, list items, entries of maps, and empty or null values are members; a struct field
// holding a non-empty struct is a member only through its children.
import { fieldElement, keyElement, valueElement } from './elements.js';
import { makeNode, type FieldSet } from './fieldset.js';
import { LEAF, memberType, type TypeRef } from './typed.js';
import { inPart, onlyStripped, rootSkip, type Part } from './scope.js';

export function isObject(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

function isEmptyObject(v: Record<string, unknown>): boolean {
  for (const _ in v) return false;
  return true;
}

/** The element naming each item of a set or list map, in order. */
export function itemElements(list: readonly unknown[], t: TypeRef & { t: 'list' }): string[] {
  return t.rel === 'map' ? list.map((e) => keyElement(e, t.keys)) : list.map(valueElement);
}

/**
 * The node for a value at a position of type `t`; `entry` says the position is a list item or
 * a map entry (a member whatever it holds). Undefined when it contributes nothing.
 */
export function valueSet(v: unknown, t: TypeRef, entry: boolean, skip?: ReadonlySet<string>): FieldSet | undefined {
  if (v === undefined) return undefined;
  if (t.t === 'struct' || t.t === 'map') {
    if (!isObject(v)) return {};
    if (isEmptyObject(v)) return {};
    return makeNode(entry, t.t === 'struct' ? structChildren(v, t, skip) : mapChildren(v, t.elem));
  }
  if (t.t === 'list') {
    if (!Array.isArray(v)) return {};
    const children = listChildren(v, t);
    return children ? makeNode(entry, children) : entry ? {} : undefined;
  }
  return {};
}

function structChildren(v: Record<string, unknown>, t: TypeRef & { t: 'struct' }, skip?: ReadonlySet<string>): FieldSet {
  const out: FieldSet = {};
  for (const k in v) {
    if (skip?.has(k)) continue;
    const ft = memberType(t.schema, k);
    const n = valueSet(v[k], ft ?? LEAF, ft === undefined);
    if (n) out[fieldElement(k)] = n;
  }
  return out;
}

function mapChildren(v: Record<string, unknown>, elem: TypeRef): FieldSet {
  const out: FieldSet = {};
  for (const k in v) {
    const n = valueSet(v[k], elem, true);
    if (n) out[fieldElement(k)] = n;
  }
  return out;
}

function listChildren(v: readonly unknown[], t: TypeRef & { t: 'list' }): FieldSet | undefined {
  if (!v.length) return undefined;
  const out: FieldSet = {};
  const els = itemElements(v, t);
  for (let i = 0; i < v.length; i++) {
    const n = valueSet(v[i], t.elem, true)!;
    const prev = out[els[i]!];
    // A duplicate item (tolerated in live objects) owns what either copy holds.
    out[els[i]!] = prev ? { ...prev, ...n } : n;
  }
  return out;
}

/** The field set of a whole object, without the fields no manager owns (name, uid, …). */
export function fieldSetOf(obj: Record<string, unknown>, t: TypeRef, part: Part = 'all'): FieldSet {
  if (t.t !== 'struct') return {};
  const out: FieldSet = {};
  for (const k in obj) {
    if (!inPart(k, part)) continue;
    const v = obj[k];
    const skip = rootSkip(k);
    if (skip && onlyStripped(v)) continue;
    const ft = memberType(t.schema, k);
    const n = valueSet(v, ft ?? LEAF, ft === undefined, skip);
    if (n) out[fieldElement(k)] = n;
  }
  return out;
}
