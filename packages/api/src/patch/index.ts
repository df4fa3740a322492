// applyPatch: one entry for the four PATCH content types Kubernetes accepts.
import { PatchError } from '../errors.js';
import { parseJsonBody } from './json.js';
import { applyJsonPatch } from './json-patch.js';
import { applyMergePatch } from './merge-patch.js';
import { applyStrategicMergePatch } from './strategic.js';
import { applyServerSide } from './apply.js';

export const PATCH_TYPES = {
  json: 'application/json-patch+json',
  merge: 'application/merge-patch+json',
  strategic: 'application/strategic-merge-patch+json',
  apply: 'application/apply-patch+yaml',
} as const;

export type PatchContentType = (typeof PATCH_TYPES)[keyof typeof PATCH_TYPES] | keyof typeof PATCH_TYPES | 'application/apply-patch+cbor';

/** Normalizes a Content-Type header (parameters dropped) or short name to a PATCH_TYPES value. */
export function patchTypeOf(contentType: string): (typeof PATCH_TYPES)[keyof typeof PATCH_TYPES] | undefined {
  const t = contentType.split(';')[0]!.trim().toLowerCase();
  if (t in PATCH_TYPES) return PATCH_TYPES[t as keyof typeof PATCH_TYPES];
  return (Object.values(PATCH_TYPES) as string[]).includes(t) ? (t as (typeof PATCH_TYPES)[keyof typeof PATCH_TYPES]) : undefined;
}

/** What reading a patch found besides the patch: keys its body held twice (their paths). */
export interface PatchFindings {
  duplicates: string[];
}

/**
 * Applies `patch` to a copy of `original` (which is left untouched) for an object of
 * `resource` (plural name; strategic merge keys depend on it). `original` may be absent
 * (server-side apply creating the object). Throws PatchError: code 400
 * when the patch cannot be read, 422 when it cannot be applied. An unknown patch type is a
 * PatchError with code 400; the apiserver answers it with 415 Unsupported Media Type.
 * `found` collects the duplicate keys of merge and strategic merge patch bodies.
 */
export function applyPatch(patchType: string, original: object | undefined | null, patch: string | object | Uint8Array, resource: string, found?: PatchFindings): object {
  const t = patchTypeOf(patchType);
  // Server-side apply may create: there is no live object yet.
  original ??= {};
  switch (t) {
    case PATCH_TYPES.json:
      return applyJsonPatch(original, parseJsonBody(patch));
    case PATCH_TYPES.merge:
      return applyMergePatch(original, parseJsonBody(patch, found?.duplicates));
    case PATCH_TYPES.strategic:
      return applyStrategicMergePatch(original, parseJsonBody(patch, found?.duplicates), resource);
    case PATCH_TYPES.apply:
      return applyServerSide(original, patch, resource);
    default:
      throw new PatchError(`the body of the request was in an unknown format - accepted media types include: ${Object.values(PATCH_TYPES).join(', ')}`, 400);
  }
}

export { applyJsonPatch } from './json-patch.js';
export { applyMergePatch, mergePatchValue } from './merge-patch.js';
export { applyStrategicMergePatch, listStrategyOf, type ListStrategy } from './strategic.js';
export { applyServerSide, parseApplyConfiguration } from './apply.js';
