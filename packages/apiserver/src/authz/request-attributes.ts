// Attributes of a request, as kube-apiserver's RequestInfoFactory derives them: for resource
// paths the verb comes from the method and the query (GET → get, list without a name, watch
// with ?watch=1 or a /watch/ path; POST → create; PUT → update; PATCH → patch; DELETE →
// delete, deletecollection without a name); anything else (discovery, /openapi, /version,
// /metrics, /healthz) is a non-resource request whose verb is the lower-cased method.
import { findResource } from '@k8ts/api';
import type { UserInfo } from '../auth/types.js';
import type { Attributes } from './types.js';

export interface RouteLike {
  group: string;
  version: string;
  resource: string;
  namespace?: string;
  name?: string;
  subresource?: string;
  watchPath: boolean;
}

/** The user of a request without credentials, on the paths anyone may read (kube-apiserver's anonymous user). */
export const ANONYMOUS: UserInfo = { name: 'system:anonymous', groups: ['system:unauthenticated'] };

export function nonResourceAttributes(user: UserInfo, method: string, path: string): Attributes {
  return { user, verb: method.toLowerCase(), resourceRequest: false, path, apiGroup: '', apiVersion: '', resource: '', subresource: '', namespace: '', name: '' };
}

function isTrueParam(v: string | null): boolean {
  return v !== null && v !== '' && v !== '0' && v.toLowerCase() !== 'false';
}

/** `metadata.name=x` in a list's field selector names the object (RequestInfo does the same). */
function nameFromFieldSelector(fs: string | null | undefined): string {
  if (!fs) return '';
  const m = /^metadata\.name==?([^,]*)$/.exec(fs);
  return m ? m[1]! : '';
}

const listing = (verb: string) => verb === 'list' || verb === 'watch';

export function resourceVerb(method: string, route: RouteLike, q: URLSearchParams): string {
  switch (method) {
    case 'GET':
    case 'HEAD':
      if (route.watchPath || isTrueParam(q.get('watch'))) return 'watch';
      return route.name ? 'get' : 'list';
    case 'POST':
      return 'create';
    case 'PUT':
      return 'update';
    case 'PATCH':
      return 'patch';
    case 'DELETE':
      return route.name ? 'delete' : 'deletecollection';
    default:
      return method.toLowerCase();
  }
}

export function resourceAttributes(user: UserInfo, verb: string, route: RouteLike, path: string, q?: URLSearchParams): Attributes {
  let name = route.name ?? '';
  if (!name && q && listing(verb)) name = nameFromFieldSelector(q.get('fieldSelector'));
  let namespace = route.namespace ?? '';
  // /api/v1/namespaces/foo is in the namespace foo, as RequestInfo has it.
  if (!namespace && route.resource === 'namespaces' && route.group === '' && name) namespace = name;
  return {
    user,
    verb,
    resourceRequest: true,
    path,
    apiGroup: route.group,
    apiVersion: route.version,
    resource: route.resource,
    subresource: route.subresource ?? '',
    namespace,
    name,
    // The Node authorizer lets a node list and watch only its own pods (AuthorizeNodeWithSelectors).
    ...(q && listing(verb) ? { fieldSelector: q.get('fieldSelector') ?? '' } : {}),
  };
}

/** A gRPC request (Objects.*, the Exchange ops) on `resource` as Attributes. */
export function grpcAttributes(
  user: UserInfo,
  verb: string,
  req: { resource?: string; namespace?: string; name?: string; subresource?: string; field_selector?: string },
): Attributes {
  const key = req.resource ?? '';
  const info = findResource(key);
  const own = info && info.resource === key ? info : undefined;
  const group = own ? own.group : '';
  // A key that is not the resource's name (pods.metrics.k8s.io) is asked as RBAC knows it.
  const resource = own?.path ?? key;
  const list = listing(verb);
  const name = req.name || (list ? nameFromFieldSelector(req.field_selector) : '');
  let namespace = req.namespace ?? '';
  if (!namespace && resource === 'namespaces' && name) namespace = name;
  return {
    user,
    verb,
    resourceRequest: true,
    path: '',
    apiGroup: group,
    apiVersion: info?.version ?? 'v1',
    resource,
    subresource: req.subresource ?? '',
    namespace,
    name: verb === 'create' && !req.subresource ? '' : name,
    ...(list ? { fieldSelector: req.field_selector ?? '' } : {}),
  };
}
