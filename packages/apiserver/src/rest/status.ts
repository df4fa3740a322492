// The REST face's names for metav1.Status answers; thin wrappers over @k8ts/api's builders,
// which word them as kube-apiserver does.
import * as errors from '@k8ts/api';
import type { ApiError, Status } from '@k8ts/api';
import { toApiError } from '../registry/errors.js';

const BODY_TYPES = ['application/json', 'application/yaml', 'application/vnd.kubernetes.protobuf'];
const PATCH_TYPES = ['application/json-patch+json', 'application/merge-patch+json', 'application/apply-patch+yaml', 'application/strategic-merge-patch+json'];

export const failure = errors.failureStatus;
export const success = (code = 200, details?: Status['details']): Status => errors.successStatus(code, details);
export const restError = errors.apiError;

export const badRequest = errors.badRequest;
export const unauthorized = () => errors.unauthorized();
export const notFoundPath = errors.pathNotFound;
export const methodNotAllowed = errors.methodNotAllowed;
export const tooLarge = () => errors.tooLarge();
export const unsupportedMediaType = (type: string) => errors.unsupportedMediaType(BODY_TYPES, type);
export const unsupportedPatchType = (type: string) => errors.unsupportedMediaType(PATCH_TYPES, type);
export const notAcceptable = () => errors.notAcceptable(['application/json', 'application/yaml']);

/** Any thrown value as the Status to send back: an ApiError's own, etcd outages 503, the rest 500. */
export function statusFor(err: unknown): Status {
  return (toApiError(err) as ApiError).status;
}
