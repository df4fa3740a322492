// metav1.Status answers, worded and shaped as kube-apiserver shapes them, and the mapping
// from whatever a handler throws to the Status the client gets.
import { ApiError } from '@k8ts/client';
import type { Status } from '@k8ts/api';
import { isStackOverflow, tooDeep } from '../registry/errors.js';

export function failure(code: number, reason: string, message: string, details?: Status['details']): Status {
  const s: Status = { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message, reason, code };
  if (details) s.details = details;
  return s;
}

export function success(code = 200, details?: Status['details']): Status {
  const s: Status = { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Success', code };
  if (details) s.details = details;
  return s;
}

export function restError(code: number, reason: string, message: string, details?: Status['details']): ApiError {
  return new ApiError(code, reason, failure(code, reason, message, details));
}

export const badRequest = (message: string) => restError(400, 'BadRequest', message);
export const unauthorized = () => restError(401, 'Unauthorized', 'Unauthorized');
export const notFoundPath = () => restError(404, 'NotFound', 'the server could not find the requested resource', {});
export const methodNotAllowed = (verb: string, what: string) =>
  restError(405, 'MethodNotAllowed', `${verb} is not supported on resources of kind "${what}"`, {});
export const tooLarge = () => restError(413, 'RequestEntityTooLarge', 'Request entity too large: limit is 3145728');
export const unsupportedMediaType = (type: string) =>
  restError(415, 'UnsupportedMediaType', `the body of the request was in an unknown format - accepted media types include: application/json, application/yaml, application/vnd.kubernetes.protobuf (got ${type || 'none'})`);
export const unsupportedPatchType = (type: string) =>
  restError(415, 'UnsupportedMediaType', `the body of the request was in an unknown format - accepted media types include: application/json-patch+json, application/merge-patch+json, application/apply-patch+yaml, application/strategic-merge-patch+json (got ${type || 'none'})`);
export const notAcceptable = () => restError(406, 'NotAcceptable', 'only the following media types are accepted: application/json, application/yaml');

/** Any thrown value as the Status to send back. Helpers in @k8ts/api throw plain errors with a code. */
export function statusFor(err: unknown): Status {
  if (err instanceof ApiError) return err.status;
  // The one error a request alone causes anywhere in the server: nesting past the stack.
  if (isStackOverflow(err)) return tooDeep().status;
  const e = err as { name?: string; code?: unknown; message?: string; status?: unknown };
  if (e && typeof e === 'object' && e.status && typeof e.status === 'object' && (e.status as Status).kind === 'Status') return e.status as Status;
  if (e?.name === 'SelectorError') return failure(400, 'BadRequest', e.message ?? 'invalid selector');
  if (e?.name === 'PatchError') {
    const code = e.code === 422 ? 422 : 400;
    return failure(code, code === 422 ? 'Invalid' : 'BadRequest', e.message ?? 'invalid patch');
  }
  if (e?.name === 'QuantityError') return failure(400, 'BadRequest', e.message ?? 'invalid quantity');
  const name = e?.name ?? '';
  if (/Unavailable|BrokenCircuit|ConnectFailed|DeadlineExceeded/.test(name)) {
    return failure(503, 'ServiceUnavailable', `etcd unavailable: ${e.message}`);
  }
  const msg = err instanceof Error ? err.message : String(err);
  return failure(500, 'InternalError', `Internal error occurred: ${msg}`, { causes: [{ message: msg }] });
}
