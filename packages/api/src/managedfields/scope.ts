// Which top-level fields a field set covers. Upstream strips the fields every object has and
// no manager owns (stripMetaManager), and leaves out the part of the object another endpoint
// writes: status for the main resource of a kind with a status subresource, the rest for
// the status subresource (the strategies' reset fields).
import { fieldElement } from './elements.js';
import { LEAF, memberType, type TypeRef } from './typed.js';

/** 'all': the whole object; 'main': all but status; 'status': status only. */
export type Part = 'all' | 'main' | 'status';

const ROOT_STRIPPED = new Set(['apiVersion', 'kind']);
export const META_STRIPPED = new Set(['name', 'namespace', 'creationTimestamp', 'selfLink', 'uid', 'clusterName', 'generation', 'managedFields', 'resourceVersion']);

/** Whether a top-level field belongs to the part. */
export function inPart(name: string, part: Part): boolean {
  if (ROOT_STRIPPED.has(name)) return false;
  if (part === 'main') return name !== 'status';
  if (part === 'status') return name === 'status';
  return true;
}

export type RootVisitor = (name: string, value: unknown, type: TypeRef, unknown: boolean) => void;

/**
 * Calls `visit` for each top-level field of `obj` in `part`; metadata comes as a plain struct
 * without its stripped fields (a shallow copy, when it has any).
 */
export function rootFields(obj: Record<string, unknown>, t: TypeRef & { t: 'struct' }, part: Part, visit: RootVisitor): void {
  for (const k in obj) {
    if (!inPart(k, part)) continue;
    const ft = memberType(t.schema, k);
    let v = obj[k];
    if (k === 'metadata') v = strippedMeta(v);
    if (v === undefined) continue;
    visit(k, v, ft ?? LEAF, ft === undefined);
  }
}

/** metadata without the fields no manager owns; undefined when nothing else is left. */
export function strippedMeta(m: unknown): unknown {
  if (m === null || typeof m !== 'object' || Array.isArray(m)) return m;
  const src = m as Record<string, unknown>;
  let out: Record<string, unknown> | undefined;
  let rest = 0;
  for (const k in src) {
    if (META_STRIPPED.has(k)) {
      out ??= { ...src };
      delete out[k];
    } else if (src[k] !== undefined) rest++;
  }
  if (!rest) return undefined;
  return out ?? src;
}

export const METADATA = fieldElement('metadata');
