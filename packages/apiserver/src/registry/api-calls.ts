// The @k8ts/api functions the registry calls (defaults, validation, selectors, patches),
// in one place, with their errors turned into metav1.Status.
import {
  applyDefaults as apiApplyDefaults,
  defaultPodTolerations as apiDefaultPodTolerations,
  fieldsOf,
  findResource,
  parseFieldSelector,
  parseLabelSelector,
  patchTypeOf,
  applyPatch as apiApplyPatch,
  invalid,
  unprocessable,
  unsupportedMediaType,
  validate as apiValidate,
  type FieldError,
  type KubeObject,
  type PatchFindings,
} from '@k8ts/api';
import type { ApiError } from '@k8ts/api';
import type { Logger } from 'pino';
import { isStackOverflow, statusError, toApiError, tooDeep } from './errors.js';

export interface ObjectFilter {
  /** True when the filter passes everything, so callers can skip the match work. */
  everything: boolean;
  matches(obj: KubeObject): boolean;
}

export const EVERYTHING: ObjectFilter = { everything: true, matches: () => true };

/**
 * The filter of a list or watch. Matching never throws: an object it cannot read (fields
 * of the wrong types, stored before validation caught them) does not match, logged, so
 * one such object cannot fail a list or end a watch.
 */
export function compileFilter(resource: string, labelSelector?: string, fieldSelector?: string, logger?: Logger): ObjectFilter {
  const hasLabel = !!labelSelector && labelSelector.trim() !== '';
  const hasField = !!fieldSelector && fieldSelector.trim() !== '';
  if (!hasLabel && !hasField) return EVERYTHING;
  try {
    const labels = hasLabel ? parseLabelSelector(labelSelector) : undefined;
    const fields = hasField ? parseFieldSelector(fieldSelector, resource) : undefined;
    if ((!labels || labels.empty) && (!fields || fields.empty)) return EVERYTHING;
    return {
      everything: false,
      matches(obj) {
        try {
          if (labels && !labels.matches(labelsOf(obj))) return false;
          if (fields && !fields.empty && !fields.matches(fieldsOf(resource, obj))) return false;
          return true;
        } catch (err) {
          logger?.warn({ resource, namespace: obj?.metadata?.namespace, name: obj?.metadata?.name, err: (err as Error)?.message }, 'selector could not read an object; it does not match');
          return false;
        }
      },
    };
  } catch (err) {
    throw toApiError(err);
  }
}

/** metadata.labels when it is a map; anything else (a stored value of the wrong type) as none. */
function labelsOf(obj: KubeObject): Record<string, string> {
  const l = obj?.metadata?.labels;
  return l && typeof l === 'object' && !Array.isArray(l) ? l : {};
}

/**
 * Defence in depth for objects whose fields have the wrong types (a list where a map
 * belongs, a number for a struct) or that nest deeper than the stack: the typed decoding of
 * request bodies refuses them first; whatever still reaches defaulting, validation or a
 * patch and makes it throw a TypeError or RangeError is the request's fault, a 400, not
 * the server's 500.
 */
export function unreadable(err: unknown): unknown {
  if (isStackOverflow(err)) return tooDeep();
  if (err instanceof TypeError) return statusError(400, 'BadRequest', `the object could not be read: a field has the wrong type (${err.message})`);
  return err;
}

export function applyDefaults(resource: string, obj: KubeObject): void {
  try {
    apiApplyDefaults(resource, obj);
  } catch (err) {
    throw toApiError(unreadable(err));
  }
}

/** The 422 Invalid of obj with these field errors, in Kubernetes' words. */
export function invalidObject(resource: string, obj: KubeObject, errs: FieldError[]): ApiError {
  return invalid(resource, obj.metadata?.name ?? '', errs);
}

/** Throws 422 when obj (or the change from old) is invalid. */
export function validate(resource: string, obj: KubeObject, old?: KubeObject, subresource?: string): void {
  // The store checks the object's size on the JSON it writes (see storage/store.ts).
  let errs;
  try {
    errs = apiValidate(resource, obj, old, { subresource, skipObjectSize: true });
  } catch (err) {
    throw unreadable(err);
  }
  if (errs.length) throw invalidObject(resource, obj, errs);
}

export function defaultPodTolerations(pod: KubeObject, seconds: number): void {
  try {
    apiDefaultPodTolerations(pod, seconds);
  } catch (err) {
    throw unreadable(err);
  }
}

/** The patched copy of obj (absent: a server-side apply that creates). Unknown types: 415. */
export function applyPatch(resource: string, obj: KubeObject | undefined, patchType: string, patch: string, found?: PatchFindings): KubeObject {
  if (!patchTypeOf(patchType)) {
    throw unsupportedMediaType(['application/json-patch+json', 'application/merge-patch+json', 'application/apply-patch+yaml', 'application/strategic-merge-patch+json']);
  }
  // Custom resources have no patch strategies: kube-apiserver does not take a strategic merge patch for them.
  if (patchType === 'application/strategic-merge-patch+json' && findResource(resource)?.custom) {
    throw unsupportedMediaType(['application/json-patch+json', 'application/merge-patch+json', 'application/apply-patch+yaml']);
  }
  let out: unknown;
  try {
    out = apiApplyPatch(patchType, obj, patch, resource, found);
  } catch (err) {
    throw toApiError(unreadable(err));
  }
  if (!out || typeof out !== 'object' || Array.isArray(out)) throw unprocessable('the patch did not produce an object');
  return out as KubeObject;
}
