// Field sets in their wire form, metav1.FieldsV1: a tree whose keys are path elements
// (`f:name`, `k:{"name":"web"}`, `v:"x"`, `i:0`). A node is a member of the set when it is a
// leaf (`{}`) or carries `".": {}` beside its children; a node with children only is not.
// Every function keeps that form canonical and never changes its inputs (sets read from etcd
// are shared), so unchanged subtrees are reused instead of copied.

export type FieldSet = { [element: string]: FieldSet };

export const SELF = '.';
/** True when `n` (a node) is itself a member. */
export function isMember(n: FieldSet): boolean {
  if (SELF in n) return true;
  for (const _ in n) return false;
  return true;
}

/** True when the set (a root, whose own membership means nothing) holds no path. */
export function isEmptySet(s: FieldSet | undefined): boolean {
  if (!s) return true;
  for (const k in s) if (k !== SELF) return false;
  return true;
}

function hasChildren(n: FieldSet): boolean {
  for (const k in n) if (k !== SELF) return true;
  return false;
}

/** A node from its membership and children; undefined when it would hold nothing. */
export function makeNode(member: boolean, children: FieldSet | undefined): FieldSet | undefined {
  if (!children || !hasChildren(children)) return member ? {} : undefined;
  if (member) children[SELF] = {};
  return children;
}

export function union(a: FieldSet, b: FieldSet): FieldSet {
  if (a === b || isEmptySet(b)) return a;
  if (isEmptySet(a)) return b;
  return unionNode(a, b, false)!;
}

function unionNode(a: FieldSet, b: FieldSet, root: boolean): FieldSet | undefined {
  const out: FieldSet = {};
  for (const k in a) if (k !== SELF) out[k] = b[k] ? unionNode(a[k]!, b[k]!, false)! : a[k]!;
  for (const k in b) if (k !== SELF && !a[k]) out[k] = b[k]!;
  return makeNode(!root && (isMember(a) || isMember(b)), out) ?? {};
}

/** The members of `a` that are not members of `b` (b's children do not remove a's members). */
export function difference(a: FieldSet, b: FieldSet): FieldSet {
  if (isEmptySet(a) || isEmptySet(b)) return a;
  return diffNode(a, b, true) ?? {};
}

function diffNode(a: FieldSet, b: FieldSet, root: boolean): FieldSet | undefined {
  let changed = false;
  const out: FieldSet = {};
  for (const k in a) {
    if (k === SELF) continue;
    const bk = b[k];
    if (!bk) {
      out[k] = a[k]!;
      continue;
    }
    const d = diffNode(a[k]!, bk, false);
    if (d !== a[k]) changed = true;
    if (d) out[k] = d;
  }
  const memberA = !root && isMember(a);
  const member = memberA && !isMember(b);
  if (!changed && member === memberA) return a;
  return makeNode(member, out);
}

export function intersection(a: FieldSet, b: FieldSet): FieldSet {
  if (isEmptySet(a) || isEmptySet(b)) return {};
  return interNode(a, b, true) ?? {};
}

function interNode(a: FieldSet, b: FieldSet, root: boolean): FieldSet | undefined {
  const out: FieldSet = {};
  for (const k in a) {
    if (k === SELF || !b[k]) continue;
    const i = interNode(a[k]!, b[k]!, false);
    if (i) out[k] = i;
  }
  return makeNode(!root && isMember(a) && isMember(b), out);
}

/** Every member as a list of path elements, in the set's order. */
export function members(s: FieldSet): string[][] {
  const out: string[][] = [];
  const walk = (n: FieldSet, path: string[], root: boolean) => {
    if (!root && isMember(n)) out.push(path);
    for (const k of sortedKeys(n)) walk(n[k]!, [...path, k], false);
  };
  walk(s, [], true);
  return out;
}

const ORDER: Record<string, number> = { f: 0, k: 1, v: 2, i: 3 };

/** Path elements in structured-merge-diff's order: fields, then keys, values, indices. */
export function sortedKeys(n: FieldSet): string[] {
  const keys = Object.keys(n).filter((k) => k !== SELF);
  return keys.sort((x, y) => {
    const d = (ORDER[x[0]!] ?? 4) - (ORDER[y[0]!] ?? 4);
    if (d) return d;
    if (x[0] === 'i') return Number(x.slice(2)) - Number(y.slice(2));
    return x < y ? -1 : x > y ? 1 : 0;
  });
}

// The wire form needs no ordering: kubectl prints maps with sorted keys, and "." sorts first.

const ELEMENT = /^[fkvi]:/;

/**
 * A FieldsV1 value from a client, checked and made canonical; undefined when it is not a
 * field set (every key a path element or ".", every value an object, "." only `{}`).
 */
export function parseFieldsV1(v: unknown, depth = 0): FieldSet | undefined {
  if (depth > 64 || v === null || typeof v !== 'object' || Array.isArray(v)) return undefined;
  const out: FieldSet = {};
  let member = false;
  for (const [k, c] of Object.entries(v as Record<string, unknown>)) {
    if (k === SELF) {
      if (c === null || typeof c !== 'object' || Array.isArray(c) || Object.keys(c).length) return undefined;
      member = true;
      continue;
    }
    if (!ELEMENT.test(k)) return undefined;
    const p = parseFieldsV1(c, depth + 1);
    if (!p) return undefined;
    out[k] = p;
  }
  if (depth === 0) return out;
  return makeNode(member || !hasChildren(out), out);
}
