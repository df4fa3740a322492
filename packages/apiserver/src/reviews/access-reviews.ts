// SelfSubjectAccessReview, SubjectAccessReview and LocalSubjectAccessReview
// (pkg/registry/authorization/*/rest.go): the body comes back with status filled in from one
// question to the authorizer; nothing is stored. Asking about someone else needs `create` on
// the review itself (RBAC's system:auth-delegator), asked of the same authorizer.
import type { KubeObject } from '@k8ts/api';
import type { Attributes, AuthorizationResult } from '../authz/types.js';
import type { UserInfo } from '../auth/types.js';
import { badRequest } from '../registry/errors.js';
import { forbiddenFor } from '../auth/forbidden.js';
import { attributesFrom, subjectOf } from './attributes.js';
import { validateLocalSubjectAccessReview, validateSelfSubjectAccessReview, validateSubjectAccessReview } from './validation.js';
import type { Authorize } from './types.js';

export interface AccessReviewStatus {
  allowed: boolean;
  denied?: boolean;
  reason?: string;
  evaluationError?: string;
}

/** The status of one decision; an authorizer that throws is an evaluation error, not a 500. */
export function decide(authorize: Authorize, a: Attributes): AccessReviewStatus {
  let result: AuthorizationResult;
  try {
    result = authorize(a);
  } catch (err) {
    return { allowed: false, evaluationError: (err as Error)?.message ?? String(err) };
  }
  const status: AccessReviewStatus = { allowed: result.decision === 'Allow' };
  if (result.decision === 'Deny') status.denied = true;
  if (result.reason) status.reason = result.reason;
  return status;
}

export function requireUser(user: UserInfo | undefined): UserInfo {
  if (!user) throw badRequest('no user present on request');
  return user;
}

/** The caller must be allowed to create this review (for asking about another subject). */
function requireCreate(authorize: Authorize, user: UserInfo, resource: string, namespace: string): void {
  const a: Attributes = { user, verb: 'create', resourceRequest: true, path: '', apiGroup: 'authorization.k8s.io', apiVersion: 'v1', resource, subresource: '', namespace, name: '' };
  const status = decide(authorize, a);
  if (!status.allowed) throw forbiddenFor(a, status.reason ?? '');
}

function answered(obj: KubeObject, status: AccessReviewStatus): KubeObject {
  (obj as { status?: unknown }).status = status;
  return obj;
}

export function selfSubjectAccessReview(authorize: Authorize) {
  return (obj: KubeObject, _ns: string, caller: UserInfo | undefined): KubeObject => {
    const spec = validateSelfSubjectAccessReview(obj);
    const user = requireUser(caller);
    return answered(obj, decide(authorize, attributesFrom(user, spec)));
  };
}

export function subjectAccessReview(authorize: Authorize) {
  return (obj: KubeObject, _ns: string, caller: UserInfo | undefined): KubeObject => {
    requireCreate(authorize, requireUser(caller), 'subjectaccessreviews', '');
    const spec = validateSubjectAccessReview(obj);
    return answered(obj, decide(authorize, attributesFrom(subjectOf(spec), spec)));
  };
}

export function localSubjectAccessReview(authorize: Authorize) {
  return (obj: KubeObject, namespace: string, caller: UserInfo | undefined): KubeObject => {
    requireCreate(authorize, requireUser(caller), 'localsubjectaccessreviews', namespace);
    const spec = validateLocalSubjectAccessReview(obj);
    if (!namespace) throw badRequest('namespace is required on this type: ');
    if (namespace !== obj.metadata?.namespace) throw badRequest(`spec.resourceAttributes.namespace must match namespace: ${namespace}`);
    return answered(obj, decide(authorize, attributesFrom(subjectOf(spec), spec)));
  };
}
