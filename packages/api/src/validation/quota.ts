// ResourceQuota and LimitRange (core/v1): ValidateResourceQuota and ValidateLimitRange from
// k8s.io/kubernetes/pkg/apis/core/validation, in upstream's words.
import { type FieldError, invalid, notSupported, required, forbidden } from './field-error.js';
import { checkQuantity } from './common.js';
import { isQualifiedName } from '../selectors/label-syntax.js';
import { isIntegerQuotaResource, QUOTA_SCOPES, STANDARD_QUOTA_RESOURCES } from '../helpers/quota.js';

const STANDARD_CONTAINER_RESOURCES = ['cpu', 'memory', 'ephemeral-storage', 'storage'];

function validateResourceName(name: string, fld: string): FieldError[] {
  const msgs = isQualifiedName(name);
  if (msgs.length) return msgs.map((m) => invalid(fld, name, m));
  return [];
}

function validateQuotaResourceName(name: string, fld: string): FieldError[] {
  const errs = validateResourceName(name, fld);
  if (!name.includes('/') && !STANDARD_QUOTA_RESOURCES.has(name) && !name.startsWith('hugepages-') && !name.startsWith('requests.hugepages-')) {
    errs.push(invalid(fld, name, 'must be a standard resource for quota'));
  }
  return errs;
}

/** ValidateResourceQuantityValue: non-negative, whole for object counts. */
function validateQuotaList(list: unknown, fld: string): FieldError[] {
  if (list === undefined || list === null) return [];
  const errs: FieldError[] = [];
  for (const [k, q] of Object.entries(list as Record<string, unknown>)) {
    const p = `${fld}[${k}]`;
    errs.push(...validateQuotaResourceName(k, p));
    const v = checkQuantity(q, p, errs);
    if (v === undefined) continue;
    if (v < 0) errs.push(invalid(p, q, 'must be greater than or equal to 0'));
    else if (isIntegerQuotaResource(k) && !Number.isInteger(v)) errs.push(invalid(p, q, 'must be an integer'));
  }
  return errs;
}

export function validateResourceQuota(obj: any): FieldError[] {
  const spec = obj.spec ?? {};
  const errs = validateQuotaList(spec.hard, 'spec.hard');
  (spec.scopes ?? []).forEach((s: unknown, i: number) => {
    if (!(QUOTA_SCOPES as readonly unknown[]).includes(s)) errs.push(notSupported(`spec.scopes[${i}]`, s, QUOTA_SCOPES));
  });
  (spec.scopeSelector?.matchExpressions ?? []).forEach((e: any, i: number) => {
    const p = `spec.scopeSelector.matchExpressions[${i}]`;
    if (!(QUOTA_SCOPES as readonly unknown[]).includes(e?.scopeName)) errs.push(notSupported(`${p}.scopeName`, e?.scopeName, QUOTA_SCOPES));
    if (!['In', 'NotIn', 'Exists', 'DoesNotExist'].includes(e?.operator)) errs.push(notSupported(`${p}.operator`, e?.operator, ['In', 'NotIn', 'Exists', 'DoesNotExist']));
  });
  errs.push(...validateQuotaList(obj.status?.hard, 'status.hard'), ...validateQuotaList(obj.status?.used, 'status.used'));
  return errs;
}

const LIMIT_TYPES = ['Pod', 'Container', 'PersistentVolumeClaim'];

function limitResourceName(name: string, fld: string): FieldError[] {
  const errs = validateResourceName(name, fld);
  if (!name.includes('/') && !STANDARD_CONTAINER_RESOURCES.includes(name) && !name.startsWith('hugepages-')) {
    errs.push(invalid(fld, name, 'must be a standard limit type or fully qualified'));
  }
  return errs;
}

function limitList(list: unknown, fld: string, errs: FieldError[]): Record<string, { q: unknown; v: number }> {
  const out: Record<string, { q: unknown; v: number }> = {};
  if (!list || typeof list !== 'object') return out;
  for (const [k, q] of Object.entries(list as Record<string, unknown>)) {
    const p = `${fld}[${k}]`;
    errs.push(...limitResourceName(k, p));
    const v = checkQuantity(q, p, errs);
    if (v !== undefined) out[k] = { q, v };
  }
  return out;
}

export function validateLimitRange(obj: any): FieldError[] {
  const errs: FieldError[] = [];
  const limits = obj.spec?.limits;
  if (!Array.isArray(limits)) return limits === undefined || limits === null ? [] : [invalid('spec.limits', limits, 'must be a list')];
  const seenTypes = new Set<string>();
  limits.forEach((item: any, i: number) => {
    const p = `spec.limits[${i}]`;
    const type = item?.type;
    if (!type) errs.push(required(`${p}.type`));
    else if (!LIMIT_TYPES.includes(type)) errs.push(notSupported(`${p}.type`, type, LIMIT_TYPES));
    else if (seenTypes.has(type)) errs.push(invalid(`${p}.type`, type, 'must be unique'));
    if (type) seenTypes.add(type);
    const max = limitList(item?.max, `${p}.max`, errs);
    const min = limitList(item?.min, `${p}.min`, errs);
    const dflt = limitList(item?.default, `${p}.default`, errs);
    const dreq = limitList(item?.defaultRequest, `${p}.defaultRequest`, errs);
    const ratio = limitList(item?.maxLimitRequestRatio, `${p}.maxLimitRequestRatio`, errs);
    if (type === 'Pod') {
      if (Object.keys(dflt).length) errs.push(forbidden(`${p}.default`, "may not be specified when `type` is 'Pod'"));
      if (Object.keys(dreq).length) errs.push(forbidden(`${p}.defaultRequest`, "may not be specified when `type` is 'Pod'"));
    }
    const s = (x: { q: unknown }) => String(x.q);
    for (const k of new Set([...Object.keys(max), ...Object.keys(min), ...Object.keys(dflt), ...Object.keys(dreq)])) {
      const mx = max[k], mn = min[k], d = dflt[k], dr = dreq[k];
      if (mn && mx && mn.v > mx.v) errs.push(invalid(`${p}.min[${k}]`, mn.q, `min value ${s(mn)} is greater than max value ${s(mx)}`));
      if (dr && mn && mn.v > dr.v) errs.push(invalid(`${p}.defaultRequest[${k}]`, dr.q, `min value ${s(mn)} is greater than default request value ${s(dr)}`));
      if (dr && mx && dr.v > mx.v) errs.push(invalid(`${p}.defaultRequest[${k}]`, dr.q, `default request value ${s(dr)} is greater than max value ${s(mx)}`));
      if (dr && d && dr.v > d.v) errs.push(invalid(`${p}.defaultRequest[${k}]`, dr.q, `default request value ${s(dr)} is greater than default limit value ${s(d)}`));
      if (d && mn && mn.v > d.v) errs.push(invalid(`${p}.default[${k}]`, d.q, `min value ${s(mn)} is greater than default value ${s(d)}`));
      if (d && mx && d.v > mx.v) errs.push(invalid(`${p}.default[${k}]`, d.q, `default value ${s(d)} is greater than max value ${s(mx)}`));
    }
    for (const [k, r] of Object.entries(ratio)) {
      if (r.v < 1) errs.push(invalid(`${p}.maxLimitRequestRatio[${k}]`, r.q, `ratio ${s(r)} is less than 1`));
      const mx = max[k], mn = min[k];
      if (mx && mn && mn.v > 0 && r.v > mx.v / mn.v) {
        errs.push(invalid(`${p}.maxLimitRequestRatio[${k}]`, r.q, `ratio ${s(r)} is greater than max/min = ${(mx.v / mn.v).toFixed(6)}`));
      }
    }
  });
  return errs;
}

/** SetDefaults_LimitRangeItem: a Container item's default limit falls back to max, its default request to the default limit, then to min. */
export function defaultLimitRange(obj: any): void {
  for (const item of Array.isArray(obj?.spec?.limits) ? obj.spec.limits : []) {
    if (!item || typeof item !== 'object' || item.type !== 'Container') continue;
    item.default ??= {};
    item.defaultRequest ??= {};
    for (const [k, v] of Object.entries(item.max ?? {})) if (!(k in item.default)) item.default[k] = v;
    for (const [k, v] of Object.entries(item.default)) if (!(k in item.defaultRequest)) item.defaultRequest[k] = v;
    for (const [k, v] of Object.entries(item.min ?? {})) if (!(k in item.defaultRequest)) item.defaultRequest[k] = v;
    if (!Object.keys(item.default).length) delete item.default;
    if (!Object.keys(item.defaultRequest).length) delete item.defaultRequest;
  }
}
