// Validation of a CustomResourceDefinition (apiextensions' ValidateCustomResourceDefinition,
// the parts k8ts serves), worded as kube-apiserver words it. The body is a client's JSON of
// any shape: every read checks its type first.
import { isDNS1035Label, isDNS1123Subdomain } from '../selectors/label-syntax.js';
import { duplicate, invalid, notSupported, required, type FieldError } from '../validation/field-error.js';
import { validateStructuralSchema } from './structural.js';
import { parseJsonPath } from './jsonpath.js';

const isObject = (v: unknown): v is Record<string, any> => !!v && typeof v === 'object' && !Array.isArray(v);
const COLUMN_TYPES = ['boolean', 'date', 'integer', 'number', 'string'];
const COLUMN_FORMATS = ['byte', 'date', 'date-time', 'double', 'float', 'int32', 'int64', 'name', 'password', ''];

function dns1035(v: unknown, fld: string, errs: FieldError[], mixedCase = false): void {
  if (typeof v !== 'string' || v === '') return void errs.push(required(fld));
  const msgs = isDNS1035Label(mixedCase ? v.toLowerCase() : v);
  for (const m of msgs) errs.push(invalid(fld, v, mixedCase ? `may have mixed case, but should otherwise match: ${m}` : m));
}

export function validateCustomResourceDefinition(crd: any): FieldError[] {
  const errs: FieldError[] = [];
  const spec = crd?.spec;
  if (!isObject(spec)) return [required('spec')];
  const group = spec.group;
  if (typeof group !== 'string' || group === '') errs.push(required('spec.group'));
  else {
    for (const m of isDNS1123Subdomain(group)) errs.push(invalid('spec.group', group, m));
    if (!group.includes('.')) errs.push(invalid('spec.group', group, 'should be a domain with at least one dot'));
  }
  const names = spec.names;
  if (!isObject(names)) errs.push(required('spec.names'));
  else validateNames(names, 'spec.names', errs);
  const plural = isObject(names) ? names.plural : undefined;
  const name = crd?.metadata?.name;
  if (typeof plural === 'string' && typeof group === 'string' && name !== `${plural}.${group}`) {
    errs.push(invalid('metadata.name', name ?? '', 'must be spec.names.plural+"."+spec.group'));
  }
  if (spec.scope !== 'Namespaced' && spec.scope !== 'Cluster') errs.push(spec.scope === undefined || spec.scope === '' ? required('spec.scope') : notSupported('spec.scope', spec.scope, ['Cluster', 'Namespaced']));
  validateVersions(spec.versions, errs);
  const conv = spec.conversion;
  if (conv !== undefined && !isObject(conv)) errs.push(invalid('spec.conversion', conv, 'must be an object'));
  else if (conv && conv.strategy !== 'None') errs.push(notSupported('spec.conversion.strategy', conv.strategy, ['None']));
  if (spec.preserveUnknownFields === true) errs.push(invalid('spec.preserveUnknownFields', true, 'cannot set to true, set x-kubernetes-preserve-unknown-fields to true in spec.versions[*].schema instead'));
  return errs;
}

function validateNames(n: Record<string, any>, fld: string, errs: FieldError[]): void {
  dns1035(n.plural, `${fld}.plural`, errs);
  if (n.singular !== undefined && n.singular !== '') dns1035(n.singular, `${fld}.singular`, errs);
  dns1035(n.kind, `${fld}.kind`, errs, true);
  if (n.listKind !== undefined && n.listKind !== '') dns1035(n.listKind, `${fld}.listKind`, errs, true);
  if (typeof n.kind === 'string' && n.kind === n.listKind) errs.push(invalid(`${fld}.listKind`, n.listKind, 'kind and listKind must be different'));
  for (const key of ['shortNames', 'categories'] as const) {
    const list = n[key];
    if (list === undefined || list === null) continue;
    if (!Array.isArray(list)) {
      errs.push(invalid(`${fld}.${key}`, list, 'must be a list of strings'));
      continue;
    }
    const seen = new Set<string>();
    list.forEach((v, i) => {
      if (key === 'shortNames') dns1035(v, `${fld}.${key}[${i}]`, errs);
      else if (typeof v !== 'string' || v === '') errs.push(required(`${fld}.${key}[${i}]`));
      if (typeof v === 'string' && seen.has(v)) errs.push(duplicate(`${fld}.${key}[${i}]`, v));
      seen.add(v);
    });
  }
}

function validateVersions(versions: unknown, errs: FieldError[]): void {
  if (!Array.isArray(versions) || versions.length === 0) return void errs.push(invalid('spec.versions', versions ?? null, 'must have exactly one version marked as storage version'));
  let storage = 0;
  let served = 0;
  const seen = new Set<string>();
  versions.forEach((v, i) => {
    const fld = `spec.versions[${i}]`;
    if (!isObject(v)) return void errs.push(invalid(fld, v, 'must be an object'));
    dns1035(v.name, `${fld}.name`, errs);
    if (typeof v.name === 'string') {
      if (seen.has(v.name)) errs.push(invalid('spec.versions', v.name, 'must contain unique version names'));
      seen.add(v.name);
    }
    if (typeof v.served !== 'boolean') errs.push(required(`${fld}.served`));
    if (typeof v.storage !== 'boolean') errs.push(required(`${fld}.storage`));
    if (v.storage === true) storage++;
    if (v.served === true) served++;
    if (!isObject(v.schema)) errs.push(required(`${fld}.schema.openAPIV3Schema`, 'schemas are required'));
    else errs.push(...validateStructuralSchema(v.schema.openAPIV3Schema, `${fld}.schema.openAPIV3Schema`));
    validateSubresources(v.subresources, `${fld}.subresources`, errs);
    validateColumns(v.additionalPrinterColumns, `${fld}.additionalPrinterColumns`, errs);
  });
  if (storage !== 1) errs.push(invalid('spec.versions', versions.length, 'must have exactly one version marked as storage version'));
  if (served === 0) errs.push(invalid('spec.versions', versions.length, 'must have at least one version marked as served'));
}

function validateSubresources(s: unknown, fld: string, errs: FieldError[]): void {
  if (s === undefined || s === null) return;
  if (!isObject(s)) return void errs.push(invalid(fld, s, 'must be an object'));
  if (s.status !== undefined && s.status !== null && !isObject(s.status)) errs.push(invalid(`${fld}.status`, s.status, 'must be an object'));
  const sc = s.scale;
  if (sc === undefined || sc === null) return;
  if (!isObject(sc)) return void errs.push(invalid(`${fld}.scale`, sc, 'must be an object'));
  for (const [k, under] of [['specReplicasPath', '.spec'], ['statusReplicasPath', '.status'], ['labelSelectorPath', '']] as const) {
    const p = sc[k];
    if (p === undefined && k === 'labelSelectorPath') continue;
    if (typeof p !== 'string' || p === '') {
      errs.push(required(`${fld}.scale.${k}`));
      continue;
    }
    const where = under || (p.startsWith('.status') ? '.status' : '.spec');
    if (!/^\.[A-Za-z0-9_]+(\.[A-Za-z0-9_]+)*$/.test(p) || !(p === where || p.startsWith(`${where}.`)) || p === where) {
      errs.push(invalid(`${fld}.scale.${k}`, p, `should be a json path under ${under || '.spec or .status'}`));
    }
  }
}

function validateColumns(cols: unknown, fld: string, errs: FieldError[]): void {
  if (cols === undefined || cols === null) return;
  if (!Array.isArray(cols)) return void errs.push(invalid(fld, cols, 'must be a list'));
  cols.forEach((c, i) => {
    const f = `${fld}[${i}]`;
    if (!isObject(c)) return void errs.push(invalid(f, c, 'must be an object'));
    if (typeof c.name !== 'string' || c.name === '') errs.push(required(`${f}.name`));
    if (!COLUMN_TYPES.includes(c.type)) errs.push(c.type ? notSupported(`${f}.type`, c.type, COLUMN_TYPES) : required(`${f}.type`));
    if (c.format !== undefined && !COLUMN_FORMATS.includes(c.format)) errs.push(notSupported(`${f}.format`, c.format, COLUMN_FORMATS.filter(Boolean)));
    if (c.priority !== undefined && (!Number.isInteger(c.priority) || c.priority < 0)) errs.push(invalid(`${f}.priority`, c.priority, 'must be greater than or equal to 0'));
    if (typeof c.jsonPath !== 'string' || c.jsonPath === '') errs.push(required(`${f}.jsonPath`));
    else if (!parseJsonPath(c.jsonPath)) errs.push(invalid(`${f}.jsonPath`, c.jsonPath, 'must be a simple json path starting with .'));
  });
}

/** What may not change in an update: the group and the scope (upstream's immutable fields). */
export function validateCustomResourceDefinitionUpdate(crd: any, old: any): FieldError[] {
  const errs: FieldError[] = [];
  if (crd?.spec?.group !== old?.spec?.group) errs.push(invalid('spec.group', crd?.spec?.group ?? '', 'field is immutable'));
  if (crd?.spec?.scope !== old?.spec?.scope && old?.status?.storedVersions?.length) errs.push(invalid('spec.scope', crd?.spec?.scope ?? '', 'field is immutable'));
  return errs;
}

/** SetDefaults of a CRD: singular, listKind, conversion strategy None. */
export function defaultCustomResourceDefinition(crd: any): void {
  const spec = crd?.spec;
  if (!isObject(spec)) return;
  if (isObject(spec.names)) {
    if (!spec.names.singular && typeof spec.names.kind === 'string') spec.names.singular = spec.names.kind.toLowerCase();
    if (!spec.names.listKind && typeof spec.names.kind === 'string') spec.names.listKind = `${spec.names.kind}List`;
  }
  if (spec.conversion === undefined || spec.conversion === null) spec.conversion = { strategy: 'None' };
}
