// rbac.authorization.k8s.io/v1 validation (pkg/apis/rbac/validation): role and binding names
// are path segments (`system:node` is valid); every rule needs verbs, resource rules need
// apiGroups and resources, non-resource rules only in ClusterRoles; a binding's roleRef
// names a Role or ClusterRole of the rbac group and never changes; subjects are User, Group
// or ServiceAccount.
import { isDNS1123Subdomain } from '../selectors/label-syntax.js';
import type { NameValidator } from './meta.js';
import { type FieldError, invalid, notSupported, required } from './field-error.js';
import { validateLabelSelector } from './common.js';

const RBAC_GROUP = 'rbac.authorization.k8s.io';

/** path.IsValidPathSegmentName (ValidateRBACName). */
export const nameIsPathSegment: NameValidator = (name) => {
  if (name === '.' || name === '..') return [`may not be '${name}'`];
  const errs: string[] = [];
  for (const c of ['/', '%']) if (name.includes(c)) errs.push(`may not contain '${c}'`);
  return errs;
};

function validatePolicyRule(rule: any, fld: string, namespaced: boolean): FieldError[] {
  const errs: FieldError[] = [];
  if (!rule || typeof rule !== 'object') return [required(fld)];
  if (!Array.isArray(rule.verbs) || rule.verbs.length === 0) errs.push(required(`${fld}.verbs`, 'verbs must contain at least one value'));
  const urls: unknown[] = rule.nonResourceURLs ?? [];
  if (urls.length > 0) {
    if (namespaced) errs.push(invalid(`${fld}.nonResourceURLs`, urls, 'namespaced rules cannot apply to non-resource URLs'));
    if ((rule.apiGroups ?? []).length > 0 || (rule.resources ?? []).length > 0)
      errs.push(invalid(`${fld}.nonResourceURLs`, urls, 'rules cannot apply to both regular resources and non-resource URLs'));
    return errs;
  }
  if (!Array.isArray(rule.apiGroups) || rule.apiGroups.length === 0) errs.push(required(`${fld}.apiGroups`, 'resource rules must supply at least one api group'));
  if (!Array.isArray(rule.resources) || rule.resources.length === 0) errs.push(required(`${fld}.resources`, 'resource rules must supply at least one resource'));
  return errs;
}

function validateRules(obj: any, namespaced: boolean): FieldError[] {
  const errs: FieldError[] = [];
  (Array.isArray(obj.rules) ? obj.rules : []).forEach((r: any, i: number) => errs.push(...validatePolicyRule(r, `rules[${i}]`, namespaced)));
  return errs;
}

export const validateRole = (obj: any): FieldError[] => validateRules(obj, true);

export function validateClusterRole(obj: any): FieldError[] {
  const errs = validateRules(obj, false);
  const sels = obj.aggregationRule?.clusterRoleSelectors;
  if (obj.aggregationRule) {
    if (!Array.isArray(sels) || sels.length === 0) errs.push(required('aggregationRule.clusterRoleSelectors'));
    else sels.forEach((s: any, i: number) => errs.push(...validateLabelSelector(s, `aggregationRule.clusterRoleSelectors[${i}]`)));
  }
  return errs;
}

function validateSubject(s: any, fld: string, cluster: boolean): FieldError[] {
  const errs: FieldError[] = [];
  if (!s || typeof s !== 'object') return [required(fld)];
  if (!s.name) errs.push(required(`${fld}.name`));
  switch (s.kind) {
    case 'ServiceAccount':
      if (s.name) for (const m of isDNS1123Subdomain(s.name)) errs.push(invalid(`${fld}.name`, s.name, m));
      if (s.apiGroup) errs.push(notSupported(`${fld}.apiGroup`, s.apiGroup, ['']));
      if (cluster && !s.namespace) errs.push(required(`${fld}.namespace`));
      break;
    case 'User':
    case 'Group':
      if (s.apiGroup !== RBAC_GROUP) errs.push(notSupported(`${fld}.apiGroup`, s.apiGroup ?? '', [RBAC_GROUP]));
      break;
    default:
      errs.push(notSupported(`${fld}.kind`, s.kind ?? '', ['ServiceAccount', 'User', 'Group']));
  }
  return errs;
}

function validateBinding(obj: any, cluster: boolean): FieldError[] {
  const errs: FieldError[] = [];
  const ref = obj.roleRef ?? {};
  if (ref.apiGroup !== RBAC_GROUP) errs.push(notSupported('roleRef.apiGroup', ref.apiGroup ?? '', [RBAC_GROUP]));
  const kinds = cluster ? ['ClusterRole'] : ['Role', 'ClusterRole'];
  if (!kinds.includes(ref.kind)) errs.push(notSupported('roleRef.kind', ref.kind ?? '', kinds));
  if (!ref.name) errs.push(required('roleRef.name'));
  else for (const m of nameIsPathSegment(ref.name, false)) errs.push(invalid('roleRef.name', ref.name, m));
  (Array.isArray(obj.subjects) ? obj.subjects : []).forEach((s: any, i: number) => errs.push(...validateSubject(s, `subjects[${i}]`, cluster)));
  return errs;
}

export const validateRoleBinding = (obj: any): FieldError[] => validateBinding(obj, false);
export const validateClusterRoleBinding = (obj: any): FieldError[] => validateBinding(obj, true);

export function validateRoleRefImmutable(obj: any, old: any): FieldError[] {
  if (JSON.stringify(obj.roleRef ?? null) === JSON.stringify(old.roleRef ?? null)) return [];
  return [invalid('roleRef', obj.roleRef, 'cannot change roleRef')];
}

/** Subjects' apiGroup defaults (SetDefaults_Subject); roleRef.apiGroup is kept as sent. */
export function defaultRbacSubjects(obj: any): void {
  if (!Array.isArray(obj.subjects)) return;
  for (const s of obj.subjects) {
    if (!s || typeof s !== 'object' || s.apiGroup) continue;
    if (s.kind === 'User' || s.kind === 'Group') s.apiGroup = RBAC_GROUP;
  }
}
