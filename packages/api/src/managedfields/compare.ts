// What a write changed, as field sets (structured-merge-diff's Compare): `changed` holds the
// members added or modified, `removed` those that are gone. One walk over both objects, into
// the parts that differ only.
import { fieldElement } from './elements.js';
import { makeNode, type FieldSet } from './fieldset.js';
import { isObject, itemElements, valueSet } from './fieldset-of.js';
import { LEAF, memberType, type TypeRef } from './typed.js';
import { inPart, onlyStripped, rootSkip, type Part } from './scope.js';
import { jsonEqual } from './json-equal.js';

export interface Comparison {
  changed: FieldSet;
  removed: FieldSet;
}

interface Acc {
  changed: FieldSet | undefined;
  removed: FieldSet | undefined;
}

/** Compares the value `a` (before) with `b` (after) at a position of type `t`. */
const SAME: Acc = { changed: undefined, removed: undefined };

function compareValue(a: unknown, b: unknown, t: TypeRef, entry: boolean, skip?: ReadonlySet<string>): Acc {
  if (a === b) return SAME;
  if (a === undefined) return { changed: valueSet(b, t, entry, skip), removed: undefined };
  if (b === undefined) return { changed: undefined, removed: valueSet(a, t, entry, skip) };
  if (t.t === 'struct' || t.t === 'map') {
    if (isObject(a) && isObject(b)) return compareMaps(a, b, t, entry, skip);
  } else if (t.t === 'list' && Array.isArray(a) && Array.isArray(b)) {
    return compareLists(a, b, t, entry);
  }
  if (t.t === 'leaf' && jsonEqual(a, b)) return SAME;
  // A leaf that differs, or a value whose shape changed: all of it is new, all of it gone.
  if (t.t === 'leaf') return { changed: {}, removed: undefined };
  return { changed: valueSet(b, t, entry), removed: valueSet(a, t, entry) };
}

function compareMaps(a: Record<string, unknown>, b: Record<string, unknown>, t: TypeRef & { t: 'struct' | 'map' }, entry: boolean, skip?: ReadonlySet<string>): Acc {
  const changed: FieldSet = {};
  const removed: FieldSet = {};
  for (const k in b) {
    if (skip?.has(k)) continue;
    const ft = t.t === 'map' ? t.elem : memberType(t.schema, k);
    add(changed, removed, fieldElement(k), compareValue(a[k], b[k], ft ?? LEAF, t.t === 'map' || ft === undefined));
  }
  for (const k in a) {
    if (k in b || skip?.has(k)) continue;
    const ft = t.t === 'map' ? t.elem : memberType(t.schema, k);
    add(changed, removed, fieldElement(k), compareValue(a[k], undefined, ft ?? LEAF, t.t === 'map' || ft === undefined));
  }
  // An empty object is a member in itself; filling or emptying it changes that membership.
  const aEmpty = isEmpty(a);
  const bEmpty = isEmpty(b);
  return { changed: makeNode(bEmpty && !aEmpty && !entry, changed), removed: makeNode(aEmpty && !bEmpty && !entry, removed) };
}

function compareLists(a: readonly unknown[], b: readonly unknown[], t: TypeRef & { t: 'list' }, entry: boolean): Acc {
  const changed: FieldSet = {};
  const removed: FieldSet = {};
  const ae = itemElements(a, t);
  const be = itemElements(b, t);
  const before = new Map<string, unknown>();
  for (let i = 0; i < a.length; i++) if (!before.has(ae[i]!)) before.set(ae[i]!, a[i]);
  const after = new Set<string>();
  for (let i = 0; i < b.length; i++) {
    const el = be[i]!;
    if (after.has(el)) continue;
    after.add(el);
    add(changed, removed, el, compareValue(before.get(el), b[i], t.elem, true));
  }
  for (const [el, v] of before) if (!after.has(el)) add(changed, removed, el, compareValue(v, undefined, t.elem, true));
  const aMember = !a.length && entry;
  const bMember = !b.length && entry;
  return { changed: makeNode(bMember && !aMember, changed), removed: makeNode(aMember && !bMember, removed) };
}

function isEmpty(o: Record<string, unknown>): boolean {
  for (const _ in o) return false;
  return true;
}

function add(changed: FieldSet, removed: FieldSet, el: string, r: Acc): void {
  if (r.changed) changed[el] = r.changed;
  if (r.removed) removed[el] = r.removed;
}

/** What turning `before` (absent: a create) into `after` changed, in `part` of the object. */
export function compare(before: Record<string, unknown> | undefined, after: Record<string, unknown>, t: TypeRef, part: Part): Comparison {
  const changed: FieldSet = {};
  const removed: FieldSet = {};
  if (t.t !== 'struct') return { changed, removed };
  const a = before ?? {};
  for (const k in after) {
    if (!inPart(k, part)) continue;
    rootField(changed, removed, k, a[k], after[k], t);
  }
  for (const k in a) if (!(k in after) && inPart(k, part)) rootField(changed, removed, k, a[k], undefined, t);
  return { changed, removed };
}

function rootField(changed: FieldSet, removed: FieldSet, k: string, a: unknown, b: unknown, t: TypeRef & { t: 'struct' }): void {
  const skip = rootSkip(k);
  if (skip) {
    if (onlyStripped(a)) a = undefined;
    if (onlyStripped(b)) b = undefined;
  }
  const ft = memberType(t.schema, k);
  add(changed, removed, fieldElement(k), compareValue(a, b, ft ?? LEAF, ft === undefined, skip));
}
