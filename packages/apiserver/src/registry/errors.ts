// The registry's names for the metav1.Status errors; thin wrappers over @k8ts/api's builders,
// which word them as kube-apiserver does.
import { ApiError, apiError, type FieldErrorType, type Status } from '@k8ts/api';
import * as errors from '@k8ts/api';

export { qualifiedResource, notFound, alreadyExists, conflict, forbidden, badRequest, expired, unauthorized, tooManyRequests, unavailable } from '@k8ts/api';

export function statusError(code: number, reason: string, message: string, details?: Status['details']): ApiError {
  return apiError(code, reason, message, details);
}

/** 422 for a request the registry itself rejects (field-level validation lives in @k8ts/api). */
export function invalid(kind: string, name: string, causes: { field: string; message: string; type?: string }[], group?: string): ApiError {
  const fieldErrors = causes.map((c) => ({ field: c.field, message: c.message, type: (c.type ?? 'FieldValueInvalid') as FieldErrorType }));
  return errors.invalid(group ? `${kind}.${group}` : kind, name, fieldErrors);
}

export function tooOldResourceVersion(requested: string, oldest: string): ApiError {
  return errors.expired(`too old resource version: ${requested} (${oldest})`);
}

/** The generic 405 (NewGenericServerResponse), worded by the caller. */
export function methodNotAllowed(message: string): ApiError {
  return apiError(405, 'MethodNotAllowed', message);
}

export function internalError(err: unknown): ApiError {
  return errors.internal(err);
}

/** Any thrown value as an ApiError; etcd outages become 503, the rest 500. */
export function toApiError(err: unknown): ApiError {
  if (err instanceof ApiError) return err;
  if (isStackOverflow(err)) return tooDeep();
  // etcd3's error classes do not set `name`: go by the class.
  const e = err as Error | undefined;
  const name = e?.name && e.name !== 'Error' ? e.name : (e?.constructor?.name ?? '');
  if (name === 'GRPCUnavailableError' || name === 'BrokenCircuitError' || name === 'GRPCDeadlineExceededError' || name === 'GRPCConnectFailedError') {
    return errors.unavailable(`etcd unavailable: ${(err as Error).message}`);
  }
  return errors.internal(err);
}

/** A RangeError of a recursion past the stack: what a request nested thousands of levels deep causes. */
export function isStackOverflow(err: unknown): boolean {
  return err instanceof RangeError && /call stack/.test(err.message);
}

/** The 400 for a request too deeply nested for the server to read (Go's decoder stops at 10000 levels). */
export function tooDeep(): ApiError {
  return statusError(400, 'BadRequest', 'the object could not be read: it is nested too deeply');
}

export function successStatus(code = 200, details?: Status['details']): Status {
  return errors.successStatus(code, details);
}
