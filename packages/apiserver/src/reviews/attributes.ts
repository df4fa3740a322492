// The authorizer.Attributes a review asks about (pkg/registry/authorization/util/helpers.go):
// from spec.resourceAttributes or spec.nonResourceAttributes, for the caller (self reviews) or
// for spec.user/groups/uid/extra (SubjectAccessReview, LocalSubjectAccessReview).
import type { Attributes } from '../authz/types.js';
import type { UserInfo } from '../auth/types.js';

export interface ResourceAttributes {
  namespace?: string;
  verb?: string;
  group?: string;
  version?: string;
  resource?: string;
  subresource?: string;
  name?: string;
}

export interface NonResourceAttributes {
  path?: string;
  verb?: string;
}

export interface AccessReviewSpec {
  resourceAttributes?: ResourceAttributes | null;
  nonResourceAttributes?: NonResourceAttributes | null;
  user?: string;
  groups?: string[] | null;
  uid?: string;
  extra?: Record<string, string[] | null> | null;
}

export function resourceAttributesFrom(user: UserInfo, ra: ResourceAttributes): Attributes {
  return {
    user,
    verb: ra.verb ?? '',
    resourceRequest: true,
    path: '',
    apiGroup: ra.group ?? '',
    apiVersion: ra.version ?? '',
    resource: ra.resource ?? '',
    subresource: ra.subresource ?? '',
    namespace: ra.namespace ?? '',
    name: ra.name ?? '',
  };
}

export function nonResourceAttributesFrom(user: UserInfo, nra: NonResourceAttributes): Attributes {
  return { user, verb: nra.verb ?? '', resourceRequest: false, path: nra.path ?? '', apiGroup: '', apiVersion: '', resource: '', subresource: '', namespace: '', name: '' };
}

/** The attributes of a validated spec (exactly one of the two attribute kinds is set). */
export function attributesFrom(user: UserInfo, spec: AccessReviewSpec): Attributes {
  return spec.resourceAttributes ? resourceAttributesFrom(user, spec.resourceAttributes) : nonResourceAttributesFrom(user, spec.nonResourceAttributes ?? {});
}

/** The user a SubjectAccessReview asks about: the spec's, as given (no groups added). */
export function subjectOf(spec: AccessReviewSpec): UserInfo {
  const user: UserInfo = { name: spec.user ?? '', groups: [...(spec.groups ?? [])] };
  if (spec.uid) user.uid = spec.uid;
  if (spec.extra && Object.keys(spec.extra).length) {
    user.extra = Object.fromEntries(Object.entries(spec.extra).map(([k, v]) => [k, [...(v ?? [])]]));
  }
  return user;
}
