// apps/v1 StatefulSet (pkg/apis/apps/validation: ValidateStatefulSetSpec, ValidateStatefulSetUpdate).
import { type FieldError, forbidden, invalid, notSupported, required } from './field-error.js';
import { validateNonNegative } from './common.js';
import { nameIsDNSSubdomain } from './meta.js';
import { canonicalJson } from './pod.js';
import { validateSelectorAndTemplate } from './workloads.js';

const retentionTypes = ['Retain', 'Delete'];

function validateRetentionPolicy(p: any, fld: string): FieldError[] {
  if (p === undefined || p === null) return [];
  const errs: FieldError[] = [];
  for (const k of ['whenDeleted', 'whenScaled']) {
    const v = p[k];
    if (v !== undefined && v !== null && !retentionTypes.includes(v)) errs.push(notSupported(`${fld}.${k}`, v, retentionTypes));
  }
  return errs;
}

function validateClaimTemplates(templates: any, fld: string): FieldError[] {
  if (!Array.isArray(templates)) return [];
  const errs: FieldError[] = [];
  const seen = new Set<string>();
  templates.forEach((t: any, i: number) => {
    const name = t?.metadata?.name;
    const f = `${fld}[${i}].metadata.name`;
    if (!name) errs.push(required(f, 'name or generateName is required'));
    else {
      for (const m of nameIsDNSSubdomain(name, false)) errs.push(invalid(f, name, m));
      if (seen.has(name)) errs.push(invalid(f, name, 'duplicate volume claim template name'));
      seen.add(name);
    }
  });
  return errs;
}

export function validateStatefulSet(obj: any): FieldError[] {
  const spec = obj.spec;
  if (!spec) return [required('spec')];
  const errs: FieldError[] = [];
  const pmp = spec.podManagementPolicy;
  if (pmp === undefined || pmp === null || pmp === '') errs.push(required('spec.podManagementPolicy', ''));
  else if (pmp !== 'OrderedReady' && pmp !== 'Parallel') errs.push(invalid('spec.podManagementPolicy', pmp, "must be 'OrderedReady' or 'Parallel'"));
  const us = spec.updateStrategy ?? {};
  switch (us.type) {
    case undefined:
    case null:
    case '':
      errs.push(required('spec.updateStrategy', ''));
      break;
    case 'OnDelete':
      if (us.rollingUpdate) errs.push(invalid('spec.updateStrategy.rollingUpdate', us.rollingUpdate, "only allowed for updateStrategy 'RollingUpdate'"));
      break;
    case 'RollingUpdate':
      errs.push(...validateNonNegative(us.rollingUpdate?.partition, 'spec.updateStrategy.rollingUpdate.partition'));
      break;
    default:
      errs.push(invalid('spec.updateStrategy', us, "must be 'RollingUpdate' or 'OnDelete'"));
  }
  errs.push(...validateNonNegative(spec.revisionHistoryLimit, 'spec.revisionHistoryLimit'));
  errs.push(...validateNonNegative(spec.replicas, 'spec.replicas'));
  errs.push(...validateNonNegative(spec.minReadySeconds, 'spec.minReadySeconds'));
  if (spec.ordinals) errs.push(...validateNonNegative(spec.ordinals.start, 'spec.ordinals.start'));
  errs.push(...validateSelectorAndTemplate(spec, 'spec', 'statefulset', ['Always']));
  errs.push(...validateRetentionPolicy(spec.persistentVolumeClaimRetentionPolicy, 'spec.persistentVolumeClaimRetentionPolicy'));
  errs.push(...validateClaimTemplates(spec.volumeClaimTemplates, 'spec.volumeClaimTemplates'));
  return errs;
}

/** The spec fields an update may change; every other one is immutable. */
const MUTABLE = ['replicas', 'ordinals', 'template', 'updateStrategy', 'revisionHistoryLimit', 'persistentVolumeClaimRetentionPolicy', 'minReadySeconds'];

export function validateStatefulSetUpdate(obj: any, old: any): FieldError[] {
  const rest = (s: any) => {
    const out: Record<string, unknown> = { ...(s ?? {}) };
    for (const k of MUTABLE) delete out[k];
    return out;
  };
  if (canonicalJson(rest(obj.spec)) === canonicalJson(rest(old.spec))) return [];
  return [
    forbidden(
      'spec',
      "updates to statefulset spec for fields other than 'replicas', 'ordinals', 'template', 'updateStrategy', 'revisionHistoryLimit', 'persistentVolumeClaimRetentionPolicy' and 'minReadySeconds' are forbidden",
    ),
  ];
}
