import { jsonEqual } from '@k8ts/api';
import type { KubeObject, OwnerReference } from '@k8ts/api';

export function newControllerRef(owner: KubeObject, apiVersion: string, kind: string): OwnerReference {
  return { apiVersion, kind, name: owner.metadata.name!, uid: owner.metadata.uid!, controller: true, blockOwnerDeletion: true };
}

// Equality of JSON values (a missing key equals undefined) is @k8ts/api's.
export { jsonEqual } from '@k8ts/api';

export function creationMs(obj: KubeObject): number {
  const t = Date.parse(obj.metadata?.creationTimestamp ?? '');
  return Number.isNaN(t) ? 0 : t;
}

/** Oldest first; ties broken by name, as Kubernetes' ByCreationTimestamp sorts do. */
export function byCreation(a: KubeObject, b: KubeObject): number {
  const d = creationMs(a) - creationMs(b);
  if (d !== 0) return d;
  return (a.metadata.name ?? '') < (b.metadata.name ?? '') ? -1 : 1;
}

/**
 * The form Kubernetes' semantic equality compares: null fields (Go zero values such as
 * `creationTimestamp: null`, which kubectl sends in templates) and empty maps and lists
 * count as absent.
 */
export function semanticForm(v: unknown): unknown {
  if (v === null || v === undefined) return undefined;
  if (Array.isArray(v)) {
    const a = v.map(semanticForm);
    return a.length ? a : undefined;
  }
  if (typeof v === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v as Record<string, unknown>)) {
      const n = semanticForm(x);
      if (n !== undefined) out[k] = n;
    }
    return Object.keys(out).length ? out : undefined;
  }
  return v;
}

export function semanticEqual(a: unknown, b: unknown): boolean {
  return jsonEqual(semanticForm(a), semanticForm(b));
}
