// authentication.k8s.io/v1: SelfSubjectReview (`kubectl auth whoami`) tells the caller who the
// apiserver takes it for (after impersonation); TokenReview tells a delegating server who a
// bearer token belongs to (pkg/registry/authentication/*).
import type { KubeObject } from '@k8ts/api';
import { ApiError } from '@k8ts/api';
import type { UserInfo } from '../auth/types.js';
import { badRequest } from '../registry/errors.js';
import { nowTime } from '../registry/time.js';
import { requireUser } from './access-reviews.js';
import type { ReviewDeps } from './types.js';

/** authentication/v1 UserInfo: empty fields omitted, as Go's omitempty does. */
function userInfo(user: UserInfo): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  if (user.name) out.username = user.name;
  if (user.uid) out.uid = user.uid;
  if (user.groups.length) out.groups = [...user.groups];
  if (user.extra && Object.keys(user.extra).length) out.extra = Object.fromEntries(Object.entries(user.extra).map(([k, v]) => [k, [...v]]));
  return out;
}

export function selfSubjectReview() {
  return (obj: KubeObject, _ns: string, caller: UserInfo | undefined): KubeObject => {
    const user = requireUser(caller);
    return { apiVersion: obj.apiVersion, kind: obj.kind, metadata: { creationTimestamp: nowTime() }, status: { userInfo: userInfo(user) } } as unknown as KubeObject;
  };
}

export function tokenReview(authenticate: ReviewDeps['authenticate']) {
  return async (obj: KubeObject, _ns: string, caller: UserInfo | undefined): Promise<KubeObject> => {
    requireUser(caller);
    const spec = ((obj as { spec?: { token?: string; audiences?: string[] } }).spec ?? {});
    if (!spec.token) throw badRequest('token is required for TokenReview in authentication');
    const status: Record<string, unknown> = {};
    (obj as { status?: unknown }).status = status;
    if (!authenticate) return obj;
    try {
      let user = await authenticate({ authorization: `Bearer ${spec.token}` });
      // The anonymous fallback is no token's owner.
      if (user?.name === 'system:anonymous') user = null;
      status.authenticated = !!user;
      if (user) {
        status.user = userInfo(user);
        if (spec.audiences?.length) status.audiences = [...spec.audiences];
      }
    } catch (err) {
      status.authenticated = false;
      status.error = err instanceof ApiError ? err.status.message : ((err as Error)?.message ?? String(err));
    }
    return obj;
  };
}
