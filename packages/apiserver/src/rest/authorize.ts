// The authorization step of a REST request, before anything is read or written: its
// Attributes from the route (resource requests) or the path (everything else), asked of the
// chain; the 403 Status to answer when it refuses.
import type { ApiError } from '@k8ts/api';
import type { Authorization } from '../authz/index.js';
import { nonResourceAttributes, resourceAttributes, resourceVerb } from '../authz/request-attributes.js';
import type { RequestUser } from '../registry/types.js';
import type { Route } from './route.js';

export function authorizeRequest(
  authz: Pick<Authorization, 'refusal'> | undefined,
  user: RequestUser,
  method: string,
  path: string,
  route: Route | undefined,
  q: URLSearchParams,
): ApiError | undefined {
  if (!authz) return undefined;
  const attrs = route?.type === 'resource' ? resourceAttributes(user, resourceVerb(method, route, q), route, path, q) : nonResourceAttributes(user, method, path);
  return authz.refusal(attrs);
}
