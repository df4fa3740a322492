// metav1.Status errors worded as kube-apiserver words them, thrown as ApiError so both
// faces send them back unchanged.
import { ApiError } from '@k8ts/client';
import { findResource, type Status, type StatusCause } from '@k8ts/api';

/** "pods" or "deployments.apps": how Kubernetes names a resource in messages. */
export function qualifiedResource(resource: string): string {
  const info = findResource(resource);
  return info && info.group ? `${resource}.${info.group}` : resource;
}

function groupOf(resource: string): string | undefined {
  const g = findResource(resource)?.group;
  return g ? g : undefined;
}

export function statusError(code: number, reason: string, message: string, details?: Status['details']): ApiError {
  const status: Status = { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message, reason, code };
  if (details) status.details = details;
  return new ApiError(code, reason, status);
}

export function notFound(resource: string, name: string): ApiError {
  return statusError(404, 'NotFound', `${qualifiedResource(resource)} "${name}" not found`, { name, group: groupOf(resource), kind: resource });
}

export function alreadyExists(resource: string, name: string): ApiError {
  return statusError(409, 'AlreadyExists', `${qualifiedResource(resource)} "${name}" already exists`, { name, group: groupOf(resource), kind: resource });
}

export function conflict(resource: string, name: string, why = 'the object has been modified; please apply your changes to the latest version and try again'): ApiError {
  return statusError(409, 'Conflict', `Operation cannot be fulfilled on ${qualifiedResource(resource)} "${name}": ${why}`, { name, group: groupOf(resource), kind: resource });
}

export function forbidden(resource: string, name: string, why: string): ApiError {
  const subject = name ? `${qualifiedResource(resource)} "${name}"` : qualifiedResource(resource);
  return statusError(403, 'Forbidden', `${subject} is forbidden: ${why}`, { name: name || undefined, group: groupOf(resource), kind: resource });
}

export function badRequest(message: string): ApiError {
  return statusError(400, 'BadRequest', message);
}

/** 422 for a request the registry itself rejects (field-level validation lives in @k8ts/api). */
export function invalid(kind: string, name: string, causes: { field: string; message: string; type?: string }[], group?: string): ApiError {
  const detail = causes.map((c) => `${c.field}: ${c.message}`).join(', ');
  const statusCauses: StatusCause[] = causes.map((c) => ({ field: c.field, message: c.message, reason: c.type ?? 'FieldValueInvalid' }));
  return statusError(422, 'Invalid', `${kind} "${name}" is invalid: ${detail}`, { name, group, kind, causes: statusCauses });
}

export function expired(message: string): ApiError {
  return statusError(410, 'Expired', message);
}

export function tooOldResourceVersion(requested: string, oldest: string): ApiError {
  return expired(`too old resource version: ${requested} (${oldest})`);
}

export function unauthorized(): ApiError {
  return statusError(401, 'Unauthorized', 'Unauthorized');
}

export function methodNotAllowed(message: string): ApiError {
  return statusError(405, 'MethodNotAllowed', message);
}

export function tooManyRequests(message: string): ApiError {
  return statusError(429, 'TooManyRequests', message);
}

export function internalError(err: unknown): ApiError {
  const msg = err instanceof Error ? err.message : String(err);
  return statusError(500, 'InternalError', `Internal error occurred: ${msg}`, { causes: [{ message: msg }] });
}

export function unavailable(message: string): ApiError {
  return statusError(503, 'ServiceUnavailable', message);
}

/** Any thrown value as an ApiError; etcd outages become 503, the rest 500. */
export function toApiError(err: unknown): ApiError {
  if (err instanceof ApiError) return err;
  if (isStackOverflow(err)) return tooDeep();
  // An error that carries the metav1.Status to answer with (the api package's DecodeError, …).
  const carried = (err as { status?: Status } | undefined)?.status;
  if (carried && typeof carried === 'object' && carried.kind === 'Status' && typeof carried.code === 'number' && carried.code >= 400 && carried.code < 600) {
    return new ApiError(carried.code, carried.reason ?? 'BadRequest', carried);
  }
  // etcd3's error classes do not set `name`: go by the class.
  const e = err as Error | undefined;
  const name = e?.name && e.name !== 'Error' ? e.name : (e?.constructor?.name ?? '');
  if (name === 'GRPCUnavailableError' || name === 'BrokenCircuitError' || name === 'GRPCDeadlineExceededError' || name === 'GRPCConnectFailedError') {
    return unavailable(`etcd unavailable: ${(err as Error).message}`);
  }
  return internalError(err);
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
  const s: Status = { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Success', code };
  if (details) s.details = details;
  return s;
}
