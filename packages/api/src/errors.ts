// The one error type of the cluster: an ApiError carries the metav1.Status the apiserver
// answers with, so every layer (api helpers, registry, REST, gRPC, clients) passes it on
// unchanged and nothing has to guess a Status from an error's name. The builders word the
// Status as k8s.io/apimachinery/pkg/api/errors does.
import { findResource } from './resources.js';
import type { Status, StatusCause } from './types.js';
import type { FieldError } from './validation/field-error.js';
import { statusForInvalid } from './validation/status.js';

type Details = Status['details'];

/** A failed API call, carrying the metav1.Status the server sent (or would send). */
export class ApiError extends Error {
  constructor(
    public readonly code: number,
    public readonly reason: string,
    public readonly status: Status,
  ) {
    super(status.message ?? `${code} ${reason}`);
    this.name = 'ApiError';
  }
}

/** A metav1.Status with status Failure. */
export function failureStatus(code: number, reason: string, message: string, details?: Details): Status {
  const s: Status = { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message, reason, code };
  if (details) s.details = details;
  return s;
}

/** A metav1.Status with status Success (what a DELETE of a collection or a binding answers). */
export function successStatus(code = 200, details?: Details): Status {
  const s: Status = { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Success', code };
  if (details) s.details = details;
  return s;
}

/** An ApiError of any code and reason (NewGenericServerResponse and friends). */
export function apiError(code: number, reason: string, message: string, details?: Details): ApiError {
  return new ApiError(code, reason, failureStatus(code, reason, message, details));
}

/** "pods" or "deployments.apps": schema.GroupResource.String(), how messages name a resource. */
export function qualifiedResource(resource: string): string {
  const info = findResource(resource);
  const group = info?.group;
  // A custom resource's key is already `<plural>.<group>`.
  if (info?.custom) return `${info.path ?? resource}.${group}`;
  return group ? `${resource}.${group}` : resource;
}

/** StatusDetails of an error about one object: name, group (when not core) and the resource as kind. */
function objectDetails(resource: string, name: string | undefined): Details {
  const info = findResource(resource);
  const group = info?.group;
  return { name: name || undefined, group: group || undefined, kind: info?.custom ? (info.path ?? resource) : resource };
}

export function badRequest(message: string): ApiError {
  return apiError(400, 'BadRequest', message);
}

export function unauthorized(message = 'Unauthorized'): ApiError {
  return apiError(401, 'Unauthorized', message);
}

/** NewForbidden: `pods "p" is forbidden: <why>` (no name: `pods is forbidden: ...`). */
export function forbidden(resource: string, name: string, why: string): ApiError {
  const subject = name ? `${qualifiedResource(resource)} "${name}"` : qualifiedResource(resource);
  return apiError(403, 'Forbidden', `${subject} is forbidden: ${why}`, objectDetails(resource, name));
}

/** NewNotFound: `pods "p" not found`. */
export function notFound(resource: string, name: string): ApiError {
  return apiError(404, 'NotFound', `${qualifiedResource(resource)} "${name}" not found`, { ...objectDetails(resource, name), name });
}

/** A path that names nothing served (the mux's 404). */
export function pathNotFound(): ApiError {
  return apiError(404, 'NotFound', 'the server could not find the requested resource', {});
}

/** NewMethodNotSupported: `<action> is not supported on resources of kind "<kind>"`. */
export function methodNotAllowed(action: string, kind: string): ApiError {
  return apiError(405, 'MethodNotAllowed', `${action} is not supported on resources of kind "${kind}"`, {});
}

export function notAcceptable(accepted: readonly string[]): ApiError {
  return apiError(406, 'NotAcceptable', `only the following media types are accepted: ${accepted.join(', ')}`);
}

/** NewAlreadyExists: `pods "p" already exists`. */
export function alreadyExists(resource: string, name: string): ApiError {
  return apiError(409, 'AlreadyExists', `${qualifiedResource(resource)} "${name}" already exists`, { ...objectDetails(resource, name), name });
}

export const CONFLICT_MODIFIED = 'the object has been modified; please apply your changes to the latest version and try again';

/** NewConflict: `Operation cannot be fulfilled on pods "p": <why>`. */
export function conflict(resource: string, name: string, why: string = CONFLICT_MODIFIED): ApiError {
  return apiError(409, 'Conflict', `Operation cannot be fulfilled on ${qualifiedResource(resource)} "${name}": ${why}`, { ...objectDetails(resource, name), name });
}

/** NewGone: 410 Gone. */
export function gone(message: string): ApiError {
  return apiError(410, 'Gone', message);
}

/** NewResourceExpired: 410 Expired (a watch or continue token past compaction). */
export function expired(message: string): ApiError {
  return apiError(410, 'Expired', message);
}

/** 413, as the apiserver's body limit (3 MiB) answers. */
export function tooLarge(limitBytes = 3 * 1024 * 1024): ApiError {
  return apiError(413, 'RequestEntityTooLarge', `Request entity too large: limit is ${limitBytes}`);
}

/** NewUnsupportedMediaTypeError; `got`, when given, names what the client sent. */
export function unsupportedMediaType(accepted: readonly string[], got?: string): ApiError {
  const suffix = got === undefined ? '' : ` (got ${got || 'none'})`;
  return apiError(415, 'UnsupportedMediaType', `the body of the request was in an unknown format - accepted media types include: ${accepted.join(', ')}${suffix}`);
}

/** NewInvalid: 422 with one cause per field error (`Pod "p" is invalid: spec.x: Required value`). */
export function invalid(kind: string, name: string, errors: FieldError[]): ApiError {
  return new ValidationError(kind, name, errors);
}

/** A 422 whose cause is no single field (a patch that cannot be applied, ...). */
export function unprocessable(message: string, causes?: StatusCause[]): ApiError {
  return apiError(422, 'Invalid', message, causes ? { causes } : undefined);
}

export function tooManyRequests(message: string): ApiError {
  return apiError(429, 'TooManyRequests', message);
}

/** NewInternalError: `Internal error occurred: <err>`. */
export function internal(err: unknown): ApiError {
  const msg = err instanceof Error ? err.message : String(err);
  return apiError(500, 'InternalError', `Internal error occurred: ${msg}`, { causes: [{ message: msg }] });
}

export function unavailable(message: string): ApiError {
  return apiError(503, 'ServiceUnavailable', message);
}

/** Any thrown value as an ApiError: ApiErrors as they are, anything else an internal error. */
export function asApiError(err: unknown): ApiError {
  return err instanceof ApiError ? err : internal(err);
}

export function isNotFound(e: unknown): boolean {
  return e instanceof ApiError && e.code === 404;
}
export function isConflict(e: unknown): boolean {
  return e instanceof ApiError && e.code === 409 && e.reason === 'Conflict';
}
export function isAlreadyExists(e: unknown): boolean {
  return e instanceof ApiError && e.code === 409 && e.reason === 'AlreadyExists';
}

// The errors the api helpers throw, each an ApiError with the Status the apiserver answers.

/** A label or field selector that does not parse: 400 BadRequest. */
export class SelectorError extends ApiError {
  constructor(message: string) {
    super(400, 'BadRequest', failureStatus(400, 'BadRequest', message));
    this.name = 'SelectorError';
  }
}

/** A quantity that does not parse: 400 BadRequest. */
export class QuantityError extends ApiError {
  constructor(message: string) {
    super(400, 'BadRequest', failureStatus(400, 'BadRequest', message));
    this.name = 'QuantityError';
  }
}

/** 400 BadRequest when the patch itself cannot be read, 422 Invalid when it cannot be applied to the object. */
export class PatchError extends ApiError {
  declare readonly code: 400 | 422;
  constructor(message: string, code: 400 | 422 = 400) {
    const reason = code === 422 ? 'Invalid' : 'BadRequest';
    super(code, reason, failureStatus(code, reason, message));
    this.name = 'PatchError';
  }
}

/** An object that fails validation: 422 Invalid with its field errors as causes. */
export class ValidationError extends ApiError {
  constructor(
    readonly kind: string,
    readonly objectName: string,
    readonly errors: FieldError[],
  ) {
    super(422, 'Invalid', statusForInvalid(kind, objectName, errors));
    this.name = 'ValidationError';
  }
}
