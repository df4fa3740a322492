// ObjectMeta validation (apimachinery/pkg/api/validation/objectmeta.go).
import { isDNS1035Label, isDNS1123Label, isDNS1123Subdomain, isQualifiedName, isValidLabelValue } from '../selectors/label-syntax.js';
import { type FieldError, forbidden, invalid, required, tooLong, GoLiteral } from './field-error.js';

export type NameValidator = (name: string, prefix: boolean) => string[];

// With generateName the generated suffix is appended, so a trailing '-' is fine.
function maskTrailingDash(name: string): string {
  return name.length > 1 && name.endsWith('-') ? name.slice(0, -2) + 'a' : name;
}

export const nameIsDNSSubdomain: NameValidator = (name, prefix) => isDNS1123Subdomain(prefix ? maskTrailingDash(name) : name);
export const nameIsDNSLabel: NameValidator = (name, prefix) => isDNS1123Label(prefix ? maskTrailingDash(name) : name);
export const nameIsDNS1035Label: NameValidator = (name, prefix) => isDNS1035Label(prefix ? maskTrailingDash(name) : name);

export const TOTAL_ANNOTATION_SIZE_LIMIT = 256 * 1024;

export function validateLabels(labels: Record<string, unknown> | undefined, fld: string): FieldError[] {
  const errs: FieldError[] = [];
  for (const [k, v] of Object.entries(labels ?? {})) {
    for (const msg of isQualifiedName(k)) errs.push(invalid(fld, k, msg));
    if (typeof v !== 'string') {
      errs.push(invalid(fld, v, 'label values must be strings'));
      continue;
    }
    for (const msg of isValidLabelValue(v)) errs.push(invalid(fld, v, msg));
  }
  return errs;
}

export function validateAnnotations(annotations: Record<string, unknown> | undefined, fld: string): FieldError[] {
  const errs: FieldError[] = [];
  let total = 0;
  for (const [k, v] of Object.entries(annotations ?? {})) {
    for (const msg of isQualifiedName(k.toLowerCase())) errs.push(invalid(fld, k, msg));
    if (typeof v !== 'string') errs.push(invalid(`${fld}[${k}]`, v, 'annotation values must be strings'));
    total += Buffer.byteLength(k) + Buffer.byteLength(String(v ?? ''));
  }
  if (total > TOTAL_ANNOTATION_SIZE_LIMIT) errs.push(tooLong(fld, TOTAL_ANNOTATION_SIZE_LIMIT));
  return errs;
}

function ownerRefsGo(refs: any[]): GoLiteral {
  const one = (r: any) =>
    `v1.OwnerReference{APIVersion:${JSON.stringify(r.apiVersion ?? '')}, Kind:${JSON.stringify(r.kind ?? '')}, Name:${JSON.stringify(
      r.name ?? '',
    )}, UID:${JSON.stringify(r.uid ?? '')}, Controller:(*bool)(${r.controller === undefined ? 'nil' : '0xc000000000'}), BlockOwnerDeletion:(*bool)(${
      r.blockOwnerDeletion === undefined ? 'nil' : '0xc000000000'
    })}`;
  return new GoLiteral(`[]v1.OwnerReference{${refs.map(one).join(', ')}}`);
}

function validateOwnerReferences(refs: any[] | undefined, fld: string): FieldError[] {
  const errs: FieldError[] = [];
  const controllers: string[] = [];
  for (const r of refs ?? []) {
    const apiVersion = r?.apiVersion ?? '';
    if (!apiVersion || apiVersion.split('/').some((p: string) => p === '') || apiVersion.split('/').length > 2)
      errs.push(invalid(`${fld}.apiVersion`, apiVersion, 'version must not be empty'));
    if (!r?.kind) errs.push(invalid(`${fld}.kind`, r?.kind ?? '', 'kind must not be empty'));
    if (!r?.name) errs.push(invalid(`${fld}.name`, r?.name ?? '', 'name must not be empty'));
    if (!r?.uid) errs.push(invalid(`${fld}.uid`, r?.uid ?? '', 'uid must not be empty'));
    if (r?.controller === true) controllers.push(`${r.kind}/${r.name}`);
  }
  if (controllers.length > 1)
    errs.push(
      invalid(
        fld,
        ownerRefsGo(refs ?? []),
        `Only one reference can have Controller set to true. Found "true" in references for ${controllers.join(' and ')}`,
      ),
    );
  return errs;
}

export interface MetaValidationOptions {
  namespaced: boolean;
  nameValidator: NameValidator;
}

/** ValidateObjectMeta for a new object. */
export function validateObjectMeta(meta: any, opts: MetaValidationOptions, fld = 'metadata'): FieldError[] {
  const errs: FieldError[] = [];
  if (meta === null || typeof meta !== 'object') return [required(fld)];
  if (meta.generateName) for (const msg of opts.nameValidator(meta.generateName, true)) errs.push(invalid(`${fld}.generateName`, meta.generateName, msg));
  if (!meta.name) {
    if (!meta.generateName) errs.push(required(`${fld}.name`, 'name or generateName is required'));
  } else if (typeof meta.name !== 'string') {
    errs.push(invalid(`${fld}.name`, meta.name, 'name must be a string'));
  } else {
    for (const msg of opts.nameValidator(meta.name, false)) errs.push(invalid(`${fld}.name`, meta.name, msg));
  }
  if (opts.namespaced) {
    if (!meta.namespace) errs.push(required(`${fld}.namespace`));
    else for (const msg of isDNS1123Label(meta.namespace)) errs.push(invalid(`${fld}.namespace`, meta.namespace, msg));
  } else if (meta.namespace) {
    errs.push(forbidden(`${fld}.namespace`, 'not allowed on this type'));
  }
  if (typeof meta.generation === 'number' && meta.generation < 0)
    errs.push(invalid(`${fld}.generation`, meta.generation, 'must be greater than or equal to 0'));
  errs.push(...validateLabels(meta.labels, `${fld}.labels`));
  errs.push(...validateAnnotations(meta.annotations, `${fld}.annotations`));
  errs.push(...validateOwnerReferences(meta.ownerReferences, `${fld}.ownerReferences`));
  (meta.finalizers ?? []).forEach((f: string, i: number) => {
    for (const msg of isQualifiedName(String(f))) errs.push(invalid(`${fld}.finalizers[${i}]`, f, msg));
  });
  return errs;
}

/** ValidateObjectMetaUpdate: identity fields may not change. */
export function validateObjectMetaUpdate(meta: any, old: any, fld = 'metadata'): FieldError[] {
  const errs: FieldError[] = [];
  const m = meta ?? {};
  const o = old ?? {};
  for (const k of ['name', 'namespace', 'uid', 'creationTimestamp'] as const) {
    const nv = m[k] ?? '';
    const ov = o[k] ?? '';
    // An update may leave system fields unset; the registry copies them from the old object.
    if ((k === 'uid' || k === 'creationTimestamp') && !m[k]) continue;
    if (nv !== ov) errs.push(invalid(`${fld}.${k}`, nv, 'field is immutable'));
  }
  return errs;
}
