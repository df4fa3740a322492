// Impersonation (k8s.io/apiserver filters/impersonation.go): the Impersonate-User,
// Impersonate-Group (repeatable), Impersonate-Uid and Impersonate-Extra-<key> headers make a
// request run as someone else, when the authenticated caller is allowed the `impersonate` verb
// on each identity asked for. Called right after authentication, before anything reads the user.
import { ApiError, badRequest, type Status } from '@k8ts/api';
import type { Attributes, AuthorizationResult } from '../authz/types.js';
import type { UserInfo } from './types.js';
import { forbiddenFor } from './forbidden.js';

export type Authorize = (a: Attributes) => AuthorizationResult;

/** Node's req.headersDistinct: lower-cased names, every value of a repeated header. */
export type DistinctHeaders = Record<string, string[] | undefined>;

const USER = 'impersonate-user';
const GROUP = 'impersonate-group';
const UID = 'impersonate-uid';
const EXTRA = 'impersonate-extra-';
const SA_PREFIX = 'system:serviceaccount:';
const AUTHENTICATED = 'system:authenticated';
const UNAUTHENTICATED = 'system:unauthenticated';
const ANONYMOUS = 'system:anonymous';

const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

/** serviceaccount.SplitUsername: `system:serviceaccount:<namespace>:<name>` with valid names. */
export function splitServiceAccount(name: string): { namespace: string; name: string } | undefined {
  if (!name.startsWith(SA_PREFIX)) return undefined;
  const parts = name.slice(SA_PREFIX.length).split(':');
  if (parts.length !== 2) return undefined;
  const [ns, sa] = parts;
  if (ns.length > 63 || !DNS_LABEL.test(ns) || sa.length > 253 || !DNS_SUBDOMAIN.test(sa)) return undefined;
  return { namespace: ns, name: sa };
}

/** Extra keys travel percent-encoded in header names (url.PathUnescape); a bad escape is kept as sent. */
function unescapeExtraKey(encoded: string): string {
  try {
    return decodeURIComponent(encoded);
  } catch {
    return encoded;
  }
}

interface Request {
  attrs: Omit<Attributes, 'user'>;
  apply(u: { name: string; groups: string[]; extra: Record<string, string[]>; uid: string }): void;
}

function attrs(apiGroup: string, resource: string, name: string, namespace = '', subresource = ''): Omit<Attributes, 'user'> {
  return { verb: 'impersonate', resourceRequest: true, path: '', apiGroup, apiVersion: apiGroup ? 'v1' : '', resource, subresource, namespace, name };
}

/** The identities asked for, in upstream's order (user, groups, extras, uid); [] when none. */
function requestsOf(headers: DistinctHeaders): Request[] {
  const out: Request[] = [];
  const user = headers[USER]?.[0] ?? '';
  const groupsGiven = (headers[GROUP]?.length ?? 0) > 0;
  if (user) {
    const sa = splitServiceAccount(user);
    if (sa) {
      out.push({
        attrs: attrs('', 'serviceaccounts', sa.name, sa.namespace),
        apply: (u) => {
          u.name = user;
          if (!groupsGiven) u.groups = ['system:serviceaccounts', `system:serviceaccounts:${sa.namespace}`];
        },
      });
    } else {
      out.push({ attrs: attrs('', 'users', user), apply: (u) => void (u.name = user) });
    }
  }
  for (const g of headers[GROUP] ?? []) out.push({ attrs: attrs('', 'groups', g), apply: (u) => void u.groups.push(g) });
  let extras = false;
  for (const [header, values] of Object.entries(headers)) {
    if (!header.startsWith(EXTRA) || !values) continue;
    extras = true;
    const key = unescapeExtraKey(header.slice(EXTRA.length).toLowerCase());
    for (const v of values) {
      out.push({ attrs: attrs('authentication.k8s.io', 'userextras', v, '', key), apply: (u) => void (u.extra[key] ??= []).push(v) });
    }
  }
  const uid = headers[UID]?.[0] ?? '';
  if (uid) out.push({ attrs: attrs('authentication.k8s.io', 'uids', uid), apply: (u) => void (u.uid = uid) });
  if ((groupsGiven || extras || uid) && !user) {
    // Upstream answers this with a 500; a request a client got wrong is a 400 here.
    throw badRequest('requested impersonation of groups, extra or a uid without impersonating a user');
  }
  return out;
}

/**
 * The user a request runs as: `requestor` itself without impersonation headers, otherwise the
 * identity they ask for, each part allowed by `authorize`. Throws a 403 ApiError (or 400 for
 * headers that make no request) worded as kube-apiserver words it.
 */
export function impersonate(requestor: UserInfo, headers: DistinctHeaders, authorize: Authorize): UserInfo {
  const requests = requestsOf(headers);
  if (requests.length === 0) return requestor;
  // A null-prototype map: an extra key is any header name a client sends, "__proto__" included.
  const acting = { name: '', groups: [] as string[], extra: Object.create(null) as Record<string, string[]>, uid: '' };
  for (const r of requests) {
    const a: Attributes = { user: requestor, ...r.attrs };
    let result: AuthorizationResult;
    try {
      result = authorize(a);
    } catch (err) {
      result = { decision: 'NoOpinion', reason: (err as Error)?.message ?? '' };
    }
    if (result.decision !== 'Allow') throw forbiddenFor(a, result.reason);
    r.apply(acting);
  }
  if (acting.name !== ANONYMOUS) {
    if (!acting.groups.includes(AUTHENTICATED) && !acting.groups.includes(UNAUTHENTICATED)) acting.groups.push(AUTHENTICATED);
  } else if (!acting.groups.includes(UNAUTHENTICATED)) {
    acting.groups.push(UNAUTHENTICATED);
  }
  const user: UserInfo = { name: acting.name, groups: acting.groups };
  if (acting.uid) user.uid = acting.uid;
  if (Object.keys(acting.extra).length) user.extra = Object.fromEntries(Object.entries(acting.extra));
  return user;
}

/** impersonate for a request handler: the acting user, or the Status refusing the request. */
export type Impersonator = (requestor: UserInfo, headers: DistinctHeaders) => UserInfo | { refused: Status };

export function createImpersonator(authorize: Authorize): Impersonator {
  return (requestor, headers) => {
    try {
      return impersonate(requestor, headers, authorize);
    } catch (err) {
      if (err instanceof ApiError) return { refused: err.status };
      throw err;
    }
  };
}
