// Removing the members of a field set from an object (structured-merge-diff's RemoveItems),
// in place: a member path drops its whole value; a container left empty by the removal goes
// too, so a manager that stops applying `labels: {a: b}` leaves no `labels: {}` behind.
import { isMember, isEmptySet, SELF, type FieldSet } from './fieldset.js';
import { isObject, itemElements } from './fieldset-of.js';
import { LEAF, memberType, type TypeRef } from './typed.js';

/** Removes the members of `set` below the struct or map `obj` of type `t`. */
export function removeMembers(obj: Record<string, unknown>, set: FieldSet, t: TypeRef): void {
  for (const el in set) {
    if (el === SELF || el[0] !== 'f') continue;
    const name = el.slice(2);
    if (!(name in obj)) continue;
    const sub = set[el]!;
    if (isMember(sub)) {
      delete obj[name];
      continue;
    }
    const ft = t.t === 'map' ? t.elem : t.t === 'struct' ? memberType(t.schema, name) ?? LEAF : LEAF;
    if (removeBelow(obj[name], sub, ft)) delete obj[name];
  }
}

/** Removes below one value; true when it is an object or list left empty by the removal. */
function removeBelow(v: unknown, set: FieldSet, t: TypeRef): boolean {
  if (isEmptySet(set)) return false;
  if ((t.t === 'struct' || t.t === 'map') && isObject(v)) {
    removeMembers(v, set, t);
    for (const _ in v) return false;
    return true;
  }
  if (t.t === 'list' && Array.isArray(v)) {
    const els = itemElements(v, t);
    const keep: unknown[] = [];
    for (let i = 0; i < v.length; i++) {
      const sub = set[els[i]!];
      if (!sub) keep.push(v[i]);
      else if (!isMember(sub)) {
        removeBelow(v[i], sub, t.elem);
        keep.push(v[i]);
      }
    }
    v.splice(0, v.length, ...keep);
    return keep.length === 0;
  }
  return false;
}
