// Validation for the smaller resources: nodes, namespaces, config maps, secrets, leases,
// events, endpoints, endpoint slices, service accounts.
import { isDNS1123Subdomain } from '../selectors/label-syntax.js';
import { type FieldError, invalid, notSupported, required, tooLong } from './field-error.js';
import { checkQuantity, isValidPortNum, validateNonNegative } from './common.js';
import { validateTaints } from './scheduling.js';
import { isQualifiedName } from '../selectors/label-syntax.js';
import { BOOTSTRAP_TOKEN_SECRET_TYPE } from '../bootstrap/token.js';
import { validateBootstrapTokenSecret } from './bootstrap-token.js';
import { cidrFamily, INVALID_CIDR } from './cidr.js';

const configKeyRe = /^[-._a-zA-Z0-9]+$/;
export const MAX_CONFIG_SIZE = 1024 * 1024;

/** validation.IsConfigMapKey (also Secret keys). */
function configKeyErrors(key: string): string[] {
  const errs: string[] = [];
  if (key.length > 253) errs.push('must be no more than 253 characters');
  if (!configKeyRe.test(key))
    errs.push("a valid config key must consist of alphanumeric characters, '-', '_' or '.' (e.g. 'key.name',  or 'KEY_NAME',  or 'key-name', regex used for validation is '[-._a-zA-Z0-9]+')");
  if (key === '.') errs.push("must not be '.'");
  else if (key === '..') errs.push("must not be '..'");
  else if (key.startsWith('..')) errs.push("must not start with '..'");
  return errs;
}

function validateDataMaps(obj: any, maps: string[]): FieldError[] {
  const errs: FieldError[] = [];
  const seen = new Set<string>();
  let size = 0;
  for (const m of maps) {
    for (const [k, v] of Object.entries(obj[m] ?? {})) {
      for (const msg of configKeyErrors(k)) errs.push(invalid(`${m}[${k}]`, k, msg));
      if (seen.has(k)) errs.push(invalid(`${m}[${k}]`, k, 'duplicate of key present in ' + maps.filter((x) => x !== m).join(', ')));
      seen.add(k);
      if (typeof v !== 'string') errs.push(invalid(`${m}[${k}]`, v, 'must be a string'));
      else size += m === 'data' && obj.kind === 'Secret' ? Buffer.from(v, 'base64').length : Buffer.byteLength(v);
    }
  }
  if (size > MAX_CONFIG_SIZE) errs.push(tooLong('', MAX_CONFIG_SIZE));
  return errs;
}

export function validateConfigMap(obj: any): FieldError[] {
  return validateDataMaps(obj, ['data', 'binaryData']);
}

const base64Re = /^[A-Za-z0-9+/]*={0,2}$/;

export function validateSecret(obj: any): FieldError[] {
  const errs = validateDataMaps({ ...obj, kind: 'Secret' }, ['data', 'stringData']);
  for (const [k, v] of Object.entries(obj.data ?? {}))
    if (typeof v === 'string' && (!base64Re.test(v) || v.length % 4 !== 0)) errs.push(invalid(`data[${k}]`, '<secret contents redacted>', 'illegal base64 data'));
  const type = obj.type;
  const need: Record<string, string[]> = {
    'kubernetes.io/tls': ['tls.crt', 'tls.key'],
    'kubernetes.io/dockerconfigjson': ['.dockerconfigjson'],
    'kubernetes.io/dockercfg': ['.dockercfg'],
  };
  for (const key of need[type] ?? []) if (!(obj.data ?? {})[key] && !(obj.stringData ?? {})[key]) errs.push(required(`data[${key}]`));
  if (type === 'kubernetes.io/service-account-token' && !obj.metadata?.annotations?.['kubernetes.io/service-account.name'])
    errs.push(required('metadata.annotations[kubernetes.io/service-account.name]'));
  if (type === BOOTSTRAP_TOKEN_SECRET_TYPE) errs.push(...validateBootstrapTokenSecret(obj));
  return errs;
}

export function validateSecretUpdate(obj: any, old: any): FieldError[] {
  const errs: FieldError[] = [];
  if ((obj.type ?? 'Opaque') !== (old.type ?? 'Opaque')) errs.push(invalid('type', obj.type, 'field is immutable'));
  if (old.immutable === true) {
    if (obj.immutable !== true) errs.push(forbiddenImmutable('immutable', 'field is immutable when `immutable` is set'));
    if (JSON.stringify(obj.data ?? {}) !== JSON.stringify(old.data ?? {})) errs.push(forbiddenImmutable('data', 'field is immutable when `immutable` is set'));
  }
  return errs;
}

export function validateConfigMapUpdate(obj: any, old: any): FieldError[] {
  const errs: FieldError[] = [];
  if (old.immutable === true) {
    if (obj.immutable !== true) errs.push(forbiddenImmutable('immutable', 'field is immutable when `immutable` is set'));
    for (const m of ['data', 'binaryData'])
      if (JSON.stringify(obj[m] ?? {}) !== JSON.stringify(old[m] ?? {})) errs.push(forbiddenImmutable(m, 'field is immutable when `immutable` is set'));
  }
  return errs;
}

function forbiddenImmutable(field: string, detail: string): FieldError {
  return { field, type: 'FieldValueForbidden', message: `Forbidden: ${detail}` };
}

export function validateNamespace(obj: any): FieldError[] {
  const errs: FieldError[] = [];
  (obj.spec?.finalizers ?? []).forEach((f: string, i: number) => {
    if (f === 'kubernetes') return;
    const msgs = isQualifiedName(f);
    for (const m of msgs) errs.push(invalid(`spec.finalizers[${i}]`, f, m));
    if (!msgs.length && !f.includes('/'))
      errs.push(invalid(`spec.finalizers[${i}]`, f, 'name is neither a standard finalizer name nor is it fully qualified'));
  });
  return errs;
}

export function validateNode(obj: any): FieldError[] {
  const errs: FieldError[] = [];
  errs.push(...validateTaints(obj.spec?.taints, 'spec.taints'));
  for (const k of ['capacity', 'allocatable'])
    for (const [name, q] of Object.entries(obj.status?.[k] ?? {})) {
      const v = checkQuantity(q, `status.${k}[${name}]`, errs);
      if (v !== undefined && v < 0) errs.push(invalid(`status.${k}[${name}]`, q, 'must be greater than or equal to 0'));
    }
  errs.push(...validatePodCidrs(obj.spec ?? {}));
  return errs;
}

/** A node's pod ranges as ValidateNode checks them: each a CIDR, at most one per IP family. */
function validatePodCidrs(spec: { podCIDR?: unknown; podCIDRs?: unknown }): FieldError[] {
  const errs: FieldError[] = [];
  if (spec.podCIDR !== undefined && spec.podCIDR !== '' && !cidrFamily(spec.podCIDR)) errs.push(invalid('spec.podCIDR', spec.podCIDR, INVALID_CIDR));
  const list = Array.isArray(spec.podCIDRs) ? spec.podCIDRs : [];
  const families = list.map((c, i) => {
    const f = cidrFamily(c);
    if (!f) errs.push(invalid(`spec.podCIDRs[${i}]`, c, INVALID_CIDR));
    return f;
  });
  if (list.length > 2 || (list.length === 2 && families[0] && families[1] && families[0] === families[1]))
    errs.push(invalid('spec.podCIDRs', list, 'may specify no more than one CIDR for each IP family'));
  return errs;
}

export function validateLease(obj: any): FieldError[] {
  const errs: FieldError[] = [];
  const s = obj.spec ?? {};
  if (s.leaseDurationSeconds !== undefined && s.leaseDurationSeconds !== null && !(s.leaseDurationSeconds > 0))
    errs.push(invalid('spec.leaseDurationSeconds', s.leaseDurationSeconds, 'must be greater than 0'));
  errs.push(...validateNonNegative(s.leaseTransitions, 'spec.leaseTransitions'));
  return errs;
}

export function validateEvent(obj: any): FieldError[] {
  const errs: FieldError[] = [];
  const io = obj.involvedObject;
  if (!io) return [required('involvedObject')];
  // core/v1 events must live in their object's namespace (or default for cluster-scoped ones).
  const ns = obj.metadata?.namespace;
  if (io.namespace && ns && io.namespace !== ns) errs.push(invalid('involvedObject.namespace', io.namespace, 'does not match event.namespace'));
  if (obj.type !== undefined && obj.type !== '' && !['Normal', 'Warning'].includes(obj.type))
    errs.push(notSupported('type', obj.type, ['Normal', 'Warning']));
  if (typeof obj.reason === 'string' && obj.reason.length > 128) errs.push(tooLong('reason', 128));
  if (typeof obj.message === 'string' && obj.message.length > 4096) errs.push(tooLong('message', 4096));
  return errs;
}

export function validateEndpoints(obj: any): FieldError[] {
  const errs: FieldError[] = [];
  (obj.subsets ?? []).forEach((s: any, i: number) => {
    for (const k of ['addresses', 'notReadyAddresses'])
      (s?.[k] ?? []).forEach((a: any, j: number) => {
        if (!a?.ip) errs.push(required(`subsets[${i}].${k}[${j}].ip`));
      });
    (s?.ports ?? []).forEach((p: any, j: number) => {
      for (const m of isValidPortNum(p?.port)) errs.push(invalid(`subsets[${i}].ports[${j}].port`, p?.port ?? 0, m));
    });
  });
  return errs;
}

export function validateEndpointSlice(obj: any): FieldError[] {
  const errs: FieldError[] = [];
  const types = ['IPv4', 'IPv6', 'FQDN'];
  if (!types.includes(obj.addressType)) errs.push(notSupported('addressType', obj.addressType ?? '', types));
  (obj.endpoints ?? []).forEach((e: any, i: number) => {
    if (!Array.isArray(e?.addresses) || e.addresses.length === 0) errs.push(required(`endpoints[${i}].addresses`, 'must contain at least 1 address'));
    if (e?.nodeName) for (const m of isDNS1123Subdomain(e.nodeName)) errs.push(invalid(`endpoints[${i}].nodeName`, e.nodeName, m));
  });
  (obj.ports ?? []).forEach((p: any, i: number) => {
    if (p?.port !== undefined && p.port !== null) for (const m of isValidPortNum(p.port)) errs.push(invalid(`ports[${i}].port`, p.port, m));
  });
  return errs;
}

/** Node updates: podCIDR and providerID may only go from unset to set. */
export function validateNodeUpdate(obj: any, old: any): FieldError[] {
  const errs: FieldError[] = [];
  const o = old.spec ?? {};
  const n = obj.spec ?? {};
  const oldCidrs: unknown[] = Array.isArray(o.podCIDRs) ? o.podCIDRs : [];
  const newCidrs: unknown[] = Array.isArray(n.podCIDRs) ? n.podCIDRs : [];
  const cidrsChanged = oldCidrs.length > 0 && (oldCidrs.length !== newCidrs.length || oldCidrs.some((c, i) => c !== newCidrs[i]));
  if ((o.podCIDR && n.podCIDR !== o.podCIDR) || cidrsChanged) errs.push(forbiddenImmutable('spec.podCIDRs', 'node updates may not change podCIDR except from "" to valid'));
  if (o.providerID && n.providerID !== o.providerID) errs.push(forbiddenImmutable('spec.providerID', 'node updates may not change providerID except from "" to valid'));
  return errs;
}
