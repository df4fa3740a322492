// Which top-level fields a field set covers. Upstream strips the fields every object has and
// no manager owns (stripMetaManager), and leaves out the part of the object another endpoint
// writes: status for the main resource of a kind with a status subresource, the rest for
// the status subresource (the strategies' reset fields).

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

/** The fields left out below a top-level field: metadata's stripped ones. */
export function rootSkip(name: string): ReadonlySet<string> | undefined {
  return name === 'metadata' ? META_STRIPPED : undefined;
}

/** True when `m` (metadata) holds nothing but fields no manager owns. */
export function onlyStripped(m: unknown): boolean {
  if (m === null || typeof m !== 'object' || Array.isArray(m)) return false;
  const src = m as Record<string, unknown>;
  for (const k in src) if (!META_STRIPPED.has(k) && src[k] !== undefined) return false;
  return true;
}
