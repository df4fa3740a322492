import type { KubeObject } from '@k8ts/api';

/** A delete handler may get the last known object wrapped as a tombstone. */
export function unwrap<T extends KubeObject>(obj: unknown): T | undefined {
  if (!obj || typeof obj !== 'object') return undefined;
  const o = obj as { metadata?: unknown; obj?: unknown; object?: unknown };
  if (o.metadata) return obj as T;
  if (o.obj && typeof o.obj === 'object') return o.obj as T;
  if (o.object && typeof o.object === 'object') return o.object as T;
  return undefined;
}
