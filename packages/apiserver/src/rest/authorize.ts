// The authentication and authorization steps of a REST request, before anything is read or
// written: the user (anonymous on the paths anyone may ask, kube-apiserver's anonymous user
// whom the system:public-info-viewer role lets read them: the authorizer decides, not a
// list of exceptions), its Attributes from the route (resource requests) or the path
// (everything else) asked of the chain, and the 401 or 403 to answer otherwise.
import type { ApiError } from '@k8ts/api';
import type { Authorization } from '../authz/index.js';
import type { Attributes, AuthorizationResult } from '../authz/types.js';
import { ANONYMOUS, nonResourceAttributes, resourceAttributes, resourceVerb } from '../authz/request-attributes.js';
import type { RequestUser } from '../registry/types.js';
import type { Route } from './route.js';
import { unauthorized } from './status.js';

const PUBLIC_PATH = /^\/(healthz|readyz|livez)(\/.*)?$|^\/version$/;

/** Paths anyone may ask, as the anonymous user. */
export function isPublicPath(path: string): boolean {
  return PUBLIC_PATH.test(path);
}

/** The request's Attributes: from the route for resource paths, from the path for the rest. */
export function requestAttributes(user: RequestUser, method: string, path: string, route: Route | undefined, q: URLSearchParams): Attributes {
  return route?.type === 'resource' ? resourceAttributes(user, resourceVerb(method, route, q), route, path, q) : nonResourceAttributes(user, method, path);
}

/**
 * The acting user (anonymous on the public paths) and its request's Attributes, or the 401
 * or 403. `request` is the request's Attributes derived once (requestAttributes, any user):
 * the audit, authorization and the request limiter all read the same ones.
 */
export function admitRequest(
  authz: Pick<Authorization, 'refusal'> | undefined,
  acting: RequestUser | null,
  request: Attributes,
  seen?: (r: AuthorizationResult) => void,
): { attrs: Attributes; refusal?: undefined } | { attrs?: undefined; refusal: ApiError } {
  const user = acting ?? (PUBLIC_PATH.test(request.path) ? ANONYMOUS : null);
  if (!user) return { refusal: unauthorized() };
  const attrs = { ...request, user };
  const refusal = authz?.refusal(attrs, seen);
  return refusal ? { refusal } : { attrs };
}
