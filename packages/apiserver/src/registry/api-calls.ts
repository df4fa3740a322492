// The @k8ts/api functions the registry calls (defaults, validation, selectors, patches),
// in one place. They are written in parallel with the registry: each is looked up by name
// and, while one is missing, its call site below is a marked TODO that does nothing (or
// refuses the request) rather than a stand-in implementation.
import * as api from '@k8ts/api';
import type { KubeObject, Status } from '@k8ts/api';
import { ApiError } from '@k8ts/client';
import { badRequest, statusError } from './errors.js';

const A = api as unknown as Record<string, any>;

function fn(name: string): ((...args: any[]) => any) | undefined {
  const f = A[name];
  return typeof f === 'function' ? f : undefined;
}

/** api errors (SelectorError, PatchError, …) carry an HTTP code; turn them into Status. */
export function fromApiError(err: unknown): unknown {
  if (err instanceof ApiError) return err;
  const e = err as { name?: string; code?: unknown; message?: string };
  if (e && typeof e.code === 'number' && e.code >= 400 && e.code < 600) {
    const reason = e.code === 400 ? 'BadRequest' : e.code === 422 ? 'Invalid' : e.code === 415 ? 'UnsupportedMediaType' : 'BadRequest';
    return statusError(e.code, reason, e.message ?? String(err));
  }
  return err;
}

export interface ObjectFilter {
  /** True when the filter passes everything, so callers can skip the match work. */
  everything: boolean;
  matches(obj: KubeObject): boolean;
}

export const EVERYTHING: ObjectFilter = { everything: true, matches: () => true };

export function compileFilter(resource: string, labelSelector?: string, fieldSelector?: string): ObjectFilter {
  const hasLabel = !!labelSelector && labelSelector.trim() !== '';
  const hasField = !!fieldSelector && fieldSelector.trim() !== '';
  if (!hasLabel && !hasField) return EVERYTHING;
  const parseLabelSelector = fn('parseLabelSelector');
  const parseFieldSelector = fn('parseFieldSelector');
  const fieldsOf = fn('fieldsOf');
  // TODO(@k8ts/api): selectors are being written; until they are exported, selectors are refused.
  if ((hasLabel && !parseLabelSelector) || (hasField && (!parseFieldSelector || !fieldsOf))) {
    throw badRequest('label and field selectors are not available yet in this build');
  }
  try {
    const labels = hasLabel ? parseLabelSelector!(labelSelector) : undefined;
    const fields = hasField ? parseFieldSelector!(fieldSelector, resource) : undefined;
    return {
      everything: false,
      matches(obj) {
        if (labels && !labels.matches(obj.metadata?.labels ?? {})) return false;
        if (fields && !fields.matches(fieldsOf!(resource, obj))) return false;
        return true;
      },
    };
  } catch (err) {
    throw fromApiError(err);
  }
}

export function applyDefaults(resource: string, obj: KubeObject): void {
  const f = fn('applyDefaults');
  // TODO(@k8ts/api): defaulting lands with @k8ts/api's applyDefaults.
  if (f) f(resource, obj);
}

/** Throws 422 when obj (or the change from old) is invalid. */
export function validate(resource: string, obj: KubeObject, old?: KubeObject): void {
  const f = fn('validate');
  // TODO(@k8ts/api): validation lands with @k8ts/api's validate.
  if (!f) return;
  const errs = f(resource, obj, old);
  if (Array.isArray(errs) && errs.length) {
    const sfi = fn('statusForInvalid');
    if (!sfi) throw statusError(422, 'Invalid', `${obj.kind} "${obj.metadata?.name ?? ''}" is invalid`);
    const status = sfi(resource, obj, errs) as Status;
    throw new ApiError(422, status.reason ?? 'Invalid', status);
  }
}

export function defaultPodTolerations(pod: KubeObject, seconds: number): void {
  const f = fn('defaultPodTolerations');
  // TODO(@k8ts/api): the DefaultTolerationSeconds admission lands with defaultPodTolerations.
  if (f) f(pod, seconds);
}

export function applyPatch(resource: string, obj: KubeObject | undefined, patchType: string, patch: string, extra: Record<string, unknown>): KubeObject {
  const f = fn('applyPatch');
  // TODO(@k8ts/api): patches land with @k8ts/api's applyPatch; until then PATCH answers 415.
  if (!f) throw statusError(415, 'UnsupportedMediaType', `patch type ${patchType} is not available yet in this build`);
  try {
    return f(resource, obj, patchType, patch, extra);
  } catch (err) {
    throw fromApiError(err);
  }
}
