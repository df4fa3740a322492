// RFC 7386 JSON merge patch (application/merge-patch+json): objects merge, null deletes,
// everything else (lists included) replaces.
import { PatchError } from '../errors.js';
import { clone, isPlainObject } from './json.js';

export function mergePatchValue(target: unknown, patch: unknown): unknown {
  if (!isPlainObject(patch)) return clone(patch);
  const result: Record<string, unknown> = isPlainObject(target) ? { ...target } : {};
  for (const [k, v] of Object.entries(patch)) {
    if (v === null) delete result[k];
    else result[k] = mergePatchValue(result[k], v);
  }
  return result;
}

export function applyMergePatch(original: object, patch: unknown): object {
  if (!isPlainObject(patch)) throw new PatchError('merge patch must be a JSON object', 400);
  return mergePatchValue(clone(original), patch) as object;
}
