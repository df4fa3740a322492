// certificates.k8s.io/v1 CertificateSigningRequest (pkg/apis/certificates/validation): the
// spec on create (signerName, usages, expirationSeconds; the request's PEM is parsed by the
// apiserver, which holds the X.509 library), an immutable spec on update, and the rules of
// status.conditions written through /status and /approval.
import { type FieldError, duplicate, forbidden, invalid, notSupported, required } from './field-error.js';
import { isDNS1123Subdomain } from '../selectors/label-syntax.js';

export const KEY_USAGES = [
  'signing', 'digital signature', 'content commitment', 'key encipherment', 'key agreement', 'data encipherment',
  'cert sign', 'crl sign', 'encipher only', 'decipher only', 'any', 'server auth', 'client auth', 'code signing',
  'email protection', 's/mime', 'ipsec end system', 'ipsec tunnel', 'ipsec user', 'timestamping', 'ocsp signing',
  'microsoft sgc', 'netscape sgc',
] as const;

const CONDITION_TYPES = ['Approved', 'Denied', 'Failed'];
const CONDITION_STATUSES = ['True', 'False', 'Unknown'];
const MIN_EXPIRATION_SECONDS = 600;

/** signerName: `<dns subdomain>/<path>`, as ValidateSignerName checks it. */
export function signerNameErrors(name: string): string[] {
  const slash = name.indexOf('/');
  if (slash < 0) return ["must be a fully qualified domain and path of the form 'example.com/signer-name'"];
  const domain = name.slice(0, slash);
  const path = name.slice(slash + 1);
  if (!path) return ['validating path: must not be empty'];
  const errs = isDNS1123Subdomain(domain).map((e) => `validating domain: ${e}`);
  if (name.length > 571) errs.push('may not be more than 571 characters');
  return errs;
}

export function validateCertificateSigningRequest(obj: any): FieldError[] {
  const errs: FieldError[] = [];
  const spec = obj.spec;
  if (!spec || typeof spec !== 'object') return [required('spec.request'), required('spec.signerName'), required('spec.usages')];
  if (!spec.request) errs.push(required('spec.request'));
  if (!spec.signerName) errs.push(required('spec.signerName'));
  else for (const m of signerNameErrors(String(spec.signerName))) errs.push(invalid('spec.signerName', spec.signerName, m));
  const usages: unknown[] = Array.isArray(spec.usages) ? spec.usages : [];
  if (usages.length === 0) errs.push(required('spec.usages'));
  const seen = new Set<unknown>();
  usages.forEach((u, i) => {
    if (!(KEY_USAGES as readonly unknown[]).includes(u)) errs.push(notSupported(`spec.usages[${i}]`, u, KEY_USAGES));
    if (seen.has(u)) errs.push(duplicate(`spec.usages[${i}]`, u));
    seen.add(u);
  });
  const exp = spec.expirationSeconds;
  if (exp !== undefined && exp !== null && (typeof exp !== 'number' || exp < MIN_EXPIRATION_SECONDS)) {
    errs.push(invalid('spec.expirationSeconds', exp, `may not specify a duration less than ${MIN_EXPIRATION_SECONDS} seconds (10 minutes)`));
  }
  errs.push(...validateConditions(obj.status?.conditions));
  return errs;
}

export function validateCertificateSigningRequestUpdate(obj: any, old: any): FieldError[] {
  if (JSON.stringify(obj.spec ?? null) !== JSON.stringify(old.spec ?? null)) return [invalid('spec', '', 'field is immutable')];
  return [];
}

function validateConditions(conditions: unknown): FieldError[] {
  const errs: FieldError[] = [];
  if (conditions === undefined || conditions === null) return errs;
  if (!Array.isArray(conditions)) return [invalid('status.conditions', conditions, 'must be a list')];
  const seen = new Set<string>();
  conditions.forEach((c: any, i) => {
    const p = `status.conditions[${i}]`;
    if (!c || typeof c !== 'object') return void errs.push(invalid(p, c, 'must be an object'));
    if (!c.type) errs.push(required(`${p}.type`));
    else if (CONDITION_TYPES.includes(c.type)) {
      if (seen.has(c.type)) errs.push(duplicate(`${p}.type`, c.type));
      seen.add(c.type);
    }
    if (!c.status) errs.push(required(`${p}.status`));
    else if (!CONDITION_STATUSES.includes(c.status)) errs.push(notSupported(`${p}.status`, c.status, CONDITION_STATUSES));
    else if ((c.type === 'Approved' || c.type === 'Denied') && c.status !== 'True') errs.push(notSupported(`${p}.status`, c.status, ['True']));
  });
  if (seen.has('Approved') && seen.has('Denied')) errs.push(invalid('status.conditions', 'Approved', 'Approved and Denied conditions are mutually exclusive'));
  return errs;
}

const has = (conds: any[] | undefined, type: string) => (conds ?? []).some((c) => c?.type === type);

/**
 * A write of /status or /approval. /approval may add Approved or Denied and never remove
 * either; /status may not change them, and status.certificate, once set, is immutable.
 */
export function validateCertificateSigningRequestStatusUpdate(obj: any, old: any, subresource: string): FieldError[] {
  const errs = validateConditions(obj.status?.conditions);
  const now = obj.status?.conditions;
  const before = old.status?.conditions;
  for (const t of ['Approved', 'Denied']) {
    if (has(before, t) && !has(now, t)) errs.push(forbidden('status.conditions', `updates may not remove a condition of type "${t}"`));
    if (subresource === 'status' && !has(before, t) && has(now, t)) errs.push(forbidden('status.conditions', `updates may not add a condition of type "${t}"`));
  }
  const oldCert = old.status?.certificate;
  const cert = obj.status?.certificate;
  if (oldCert && cert !== oldCert) errs.push(invalid('status.certificate', '', 'updates may not modify existing certificate content'));
  if (cert && subresource === 'status' && !has(now, 'Approved')) errs.push(invalid('status.certificate', '', 'certificate may only be set if the Approved condition is present'));
  if (cert && has(now, 'Failed')) errs.push(invalid('status.certificate', '', 'certificate may not be set if the Failed condition is present'));
  return errs;
}
