// What a write changed, as field sets (structured-merge-diff's Compare): `changed` holds the
// members added or modified, `removed` those that are gone. One walk over both objects, into
// the parts that differ only.
import { fieldElement } from './elements.js';
import { makeNode, type FieldSet } from './fieldset.js';
import { isObject, itemElements, valueSet } from './fieldset-of.js';
import { LEAF, memberType, type TypeRef } from './typed.js';
import { rootFields, type Part } from './scope.js';
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
function compareValue(a: unknown, b: unknown, t: TypeRef, entry: boolean): Acc {
  if (a === b) return { changed: undefined, removed: undefined };
  if (a === undefined) return { changed: valueSet(b, t, entry), removed: undefined };
  if (b === undefined) return { changed: undefined, removed: valueSet(a, t, entry) };
  if (t.t === 'struct' || t.t === 'map') {
    if (isObject(a) && isObject(b)) return compareMaps(a, b, t, entry);
  } else if (t.t === 'list' && Array.isArray(a) && Array.isArray(b)) {
    return compareLists(a, b, t, entry);
  }
  if (t.t === 'leaf' && jsonEqual(a, b)) return { changed: undefined, removed: undefined };
  // A leaf that differs, or a value whose shape changed: all of it is new, all of it gone.
  if (t.t === 'leaf') return { changed: {}, removed: undefined };
  return { changed: valueSet(b, t, entry), removed: valueSet(a, t, entry) };
}

function compareMaps(a: Record<string, unknown>, b: Record<string, unknown>, t: TypeRef & { t: 'struct' | 'map' }, entry: boolean): Acc {
  const changed: FieldSet = {};
  const removed: FieldSet = {};
  const typeOf = (k: string): [TypeRef, boolean] => {
    if (t.t === 'map') return [t.elem, true];
    const ft = memberType(t.schema, k);
    return [ft ?? LEAF, ft === undefined];
  };
  for (const k in b) {
    const [ft, e] = typeOf(k);
    add(changed, removed, fieldElement(k), compareValue(a[k], b[k], ft, e));
  }
  for (const k in a) {
    if (k in b) continue;
    const [ft, e] = typeOf(k);
    add(changed, removed, fieldElement(k), compareValue(a[k], undefined, ft, e));
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
  const prev = new Map<string, [unknown, TypeRef, boolean]>();
  if (before) rootFields(before, t, part, (k, v, ft, u) => prev.set(k, [v, ft, u]));
  rootFields(after, t, part, (k, v, ft, u) => {
    const p = prev.get(k);
    prev.delete(k);
    add(changed, removed, fieldElement(k), compareValue(p?.[0], v, ft, u));
  });
  for (const [k, [v, ft, u]] of prev) add(changed, removed, fieldElement(k), compareValue(v, undefined, ft, u));
  return { changed, removed };
}

