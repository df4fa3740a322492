import type { KubeObject } from '../types.js';

/** cache.MetaNamespaceKeyFunc: `ns/name`, or `name` for cluster-scoped objects. */
export function objectKey(obj: { metadata?: { namespace?: string; name?: string } }): string {
  const m = obj.metadata ?? {};
  return m.namespace ? `${m.namespace}/${m.name ?? ''}` : (m.name ?? '');
}

/** Splits an objectKey back into namespace and name. */
export function splitObjectKey(key: string): { namespace: string; name: string } {
  const i = key.indexOf('/');
  return i < 0 ? { namespace: '', name: key } : { namespace: key.slice(0, i), name: key.slice(i + 1) };
}

/** A deep copy of a JSON object (what the informer cache hands out must not be mutated). */
export function deepCopy<T>(obj: T): T {
  if (obj === undefined) return obj;
  try {
    return copyValue(obj, 0) as T;
  } catch (err) {
    if (err !== NOT_PLAIN) throw err;
    // Dates, Maps, cycles, …: structuredClone knows them all.
    return structuredClone(obj);
  }
}

/**
 * Deeper than any object an apiserver accepts (bodies stop at 100), so reaching it means a
 * cycle or no JSON object at all.
 */
const COPY_DEPTH = 512;
const NOT_PLAIN = new Error('not a plain JSON value');

// A copy in JavaScript: for the small objects copied on every write (a Lease, a Pod) it costs
// a fraction of structuredClone's serialize-and-deserialize, and what it makes dies young.
function copyValue(v: unknown, depth: number): unknown {
  if (v === null || typeof v !== 'object') return v;
  if (depth > COPY_DEPTH) throw NOT_PLAIN;
  if (Array.isArray(v)) {
    const out = new Array(v.length);
    for (let i = 0; i < v.length; i++) out[i] = copyValue(v[i], depth + 1);
    return out;
  }
  const proto = Object.getPrototypeOf(v);
  if (proto !== Object.prototype && proto !== null) throw NOT_PLAIN;
  const out: Record<string, unknown> = {};
  for (const k in v) {
    const x = copyValue((v as Record<string, unknown>)[k], depth + 1);
    // A key named __proto__ (JSON.parse makes it an own member) stays a member.
    if (k === '__proto__') Object.defineProperty(out, k, { value: x, enumerable: true, writable: true, configurable: true });
    else out[k] = x;
  }
  return out;
}

export function isBeingDeleted(obj: KubeObject): boolean {
  return Boolean(obj.metadata?.deletionTimestamp);
}

export function hasFinalizer(obj: KubeObject, f: string): boolean {
  return (obj.metadata?.finalizers ?? []).includes(f);
}
