// pkg/apis/authorization/validation: what a review must hold before the authorizer is asked.
// A 422 names each field in Kubernetes' words.
import { fieldErrors, invalid, type FieldError, type KubeObject } from '@k8ts/api';
import type { AccessReviewSpec } from './attributes.js';

const GROUP = 'authorization.k8s.io';

function specErrors(spec: AccessReviewSpec, subject: boolean): FieldError[] {
  const errs: FieldError[] = [];
  if (spec.resourceAttributes && spec.nonResourceAttributes) {
    errs.push(fieldErrors.invalid('spec.nonResourceAttributes', spec.nonResourceAttributes, 'cannot be specified in combination with resourceAttributes'));
  }
  if (!spec.resourceAttributes && !spec.nonResourceAttributes) {
    // Go prints the nil pointer it is handed as the string "null".
    errs.push(fieldErrors.invalid('spec.resourceAttributes', 'null', 'exactly one of nonResourceAttributes or resourceAttributes must be specified'));
  }
  if (subject && !spec.user && !spec.groups?.length) {
    errs.push(fieldErrors.invalid('spec.user', spec.user ?? '', 'at least one of user or group must be specified'));
  }
  return errs;
}

/** Go's Semantic.DeepEqual(ObjectMeta{}, meta): nil, "", 0, false, {} and [] are all empty. */
function isEmptyValue(v: unknown): boolean {
  if (v === null || v === undefined || v === '' || v === 0 || v === false) return true;
  if (Array.isArray(v)) return v.length === 0;
  if (typeof v === 'object') return Object.keys(v as object).length === 0;
  return false;
}

function metadataIsEmpty(obj: KubeObject, except: string[]): boolean {
  const meta = (obj.metadata ?? {}) as Record<string, unknown>;
  return Object.entries(meta).every(([k, v]) => k === 'managedFields' || except.includes(k) || isEmptyValue(v));
}

function spec(obj: KubeObject): AccessReviewSpec {
  return ((obj as { spec?: AccessReviewSpec }).spec ?? {}) as AccessReviewSpec;
}

function check(kind: string, errs: FieldError[]): void {
  if (errs.length) throw invalid(`${kind}.${GROUP}`, '', errs);
}

export function validateSelfSubjectAccessReview(obj: KubeObject): AccessReviewSpec {
  const s = spec(obj);
  const errs = specErrors(s, false);
  if (!metadataIsEmpty(obj, [])) errs.push(fieldErrors.invalid('metadata', obj.metadata, 'must be empty'));
  check('SelfSubjectAccessReview', errs);
  return s;
}

export function validateSubjectAccessReview(obj: KubeObject): AccessReviewSpec {
  const s = spec(obj);
  const errs = specErrors(s, true);
  if (!metadataIsEmpty(obj, [])) errs.push(fieldErrors.invalid('metadata', obj.metadata, 'must be empty'));
  check('SubjectAccessReview', errs);
  return s;
}

export function validateLocalSubjectAccessReview(obj: KubeObject): AccessReviewSpec {
  const s = spec(obj);
  const errs = specErrors(s, true);
  if (!metadataIsEmpty(obj, ['namespace'])) errs.push(fieldErrors.invalid('metadata', obj.metadata, 'must be empty except for namespace'));
  const ns = obj.metadata?.namespace ?? '';
  if (s.resourceAttributes && (s.resourceAttributes.namespace ?? '') !== ns) {
    errs.push(fieldErrors.invalid('spec.resourceAttributes.namespace', s.resourceAttributes.namespace ?? '', 'must match metadata.namespace'));
  }
  if (s.nonResourceAttributes) errs.push(fieldErrors.invalid('spec.nonResourceAttributes', s.nonResourceAttributes, 'disallowed on this kind of request'));
  check('LocalSubjectAccessReview', errs);
  return s;
}
