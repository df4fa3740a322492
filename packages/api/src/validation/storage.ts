// Validation of PersistentVolumes, PersistentVolumeClaims (core/validation's
// ValidatePersistentVolume*, ValidatePersistentVolumeClaim*) and StorageClasses
// (storage/validation), in their words and field paths.
import { isDNS1123Subdomain, isQualifiedName } from '../selectors/label-syntax.js';
import { type FieldError, forbidden, invalid, notSupported, required, tooLong } from './field-error.js';
import { checkQuantity, validateLabelSelector } from './common.js';
import { validateNodeSelectorTerm } from './scheduling.js';
import { canonicalJson } from './pod.js';

export const ACCESS_MODES = ['ReadOnlyMany', 'ReadWriteMany', 'ReadWriteOnce', 'ReadWriteOncePod'] as const;
const VOLUME_MODES = ['Block', 'Filesystem'];
const PV_RECLAIM_POLICIES = ['Delete', 'Recycle', 'Retain'];
const SC_RECLAIM_POLICIES = ['Delete', 'Retain'];
const BINDING_MODES = ['Immediate', 'WaitForFirstConsumer'];
/** The volume sources of a PersistentVolumeSpec (its inlined PersistentVolumeSource). */
export const PV_SOURCES = [
  'gcePersistentDisk', 'awsElasticBlockStore', 'hostPath', 'glusterfs', 'nfs', 'rbd', 'iscsi', 'cinder', 'cephfs', 'fc', 'flocker',
  'flexVolume', 'azureFile', 'vsphereVolume', 'quobyte', 'azureDisk', 'photonPersistentDisk', 'portworxVolume', 'scaleIO', 'local',
  'storageos', 'csi',
];
const HOST_PATH_TYPES = ['', 'BlockDevice', 'CharDevice', 'Directory', 'DirectoryOrCreate', 'File', 'FileOrCreate', 'Socket'];
const MAX_PARAMETERS = 512;
const MAX_PARAMETERS_BYTES = 256 * 1024;

function validateAccessModes(modes: unknown, fld: string): FieldError[] {
  const list: unknown[] = Array.isArray(modes) ? modes : [];
  if (list.length === 0) return [required(fld, 'at least 1 access mode is required')];
  const errs: FieldError[] = [];
  for (const m of list) if (!(ACCESS_MODES as readonly unknown[]).includes(m)) errs.push(notSupported(fld, m, ACCESS_MODES));
  if (list.includes('ReadWriteOncePod') && list.length > 1) errs.push(forbidden(fld, 'may not use ReadWriteOncePod with other access modes'));
  return errs;
}

function validateStorageClassName(name: unknown, fld: string): FieldError[] {
  if (name === undefined || name === null || name === '') return [];
  return isDNS1123Subdomain(String(name)).map((m) => invalid(fld, name, m));
}

function validateVolumeMode(mode: unknown, fld: string): FieldError[] {
  return mode === undefined || VOLUME_MODES.includes(mode as string) ? [] : [notSupported(fld, mode, VOLUME_MODES)];
}

/** A storage quantity that must be present and above zero. */
function validatePositiveStorage(q: unknown, fld: string): FieldError[] {
  if (q === undefined || q === null || q === '') return [required(fld)];
  const errs: FieldError[] = [];
  const v = checkQuantity(q, fld, errs);
  if (v !== undefined && v <= 0) errs.push(invalid(fld, q, 'must be greater than zero'));
  return errs;
}

export function validatePersistentVolumeClaim(obj: any): FieldError[] {
  const spec = obj.spec ?? {};
  const errs: FieldError[] = [];
  errs.push(...validateAccessModes(spec.accessModes, 'spec.accessModes'));
  errs.push(...validateLabelSelector(spec.selector, 'spec.selector'));
  const requests = spec.resources?.requests ?? {};
  errs.push(...validatePositiveStorage(requests.storage, 'spec.resources[storage]'));
  for (const [k, q] of Object.entries(spec.resources?.limits ?? {})) checkQuantity(q, `spec.resources.limits[${k}]`, errs);
  errs.push(...validateStorageClassName(spec.storageClassName, 'spec.storageClassName'));
  errs.push(...validateVolumeMode(spec.volumeMode, 'spec.volumeMode'));
  if (spec.volumeName !== undefined && spec.volumeName !== '')
    errs.push(...isDNS1123Subdomain(String(spec.volumeName)).map((m) => invalid('spec.volumeName', spec.volumeName, m)));
  return errs;
}

/**
 * A claim's spec is fixed once created, except that the binder fills in volumeName and a
 * bound claim's storage request may grow (volume expansion) but never shrink.
 */
export function validatePersistentVolumeClaimUpdate(obj: any, old: any): FieldError[] {
  const errs: FieldError[] = [];
  const next = structuredClone(obj.spec ?? {});
  const prev = structuredClone(old.spec ?? {});
  if (!prev.volumeName) prev.volumeName = next.volumeName;
  const oldSize = old.spec?.resources?.requests?.storage;
  const newSize = obj.spec?.resources?.requests?.storage;
  if (old.status?.phase === 'Bound' && next.resources?.requests) {
    next.resources.requests.storage = oldSize;
    if (prev.resources?.requests) prev.resources.requests.storage = oldSize;
  }
  if (canonicalJson(next) !== canonicalJson(prev))
    errs.push(forbidden('spec', 'spec is immutable after creation except resources.requests and volumeAttributesClassName for bound claims'));
  const sizes: FieldError[] = [];
  const o = checkQuantity(oldSize ?? '0', 'spec.resources.requests.storage', sizes);
  const n = checkQuantity(newSize ?? '0', 'spec.resources.requests.storage', sizes);
  if (o !== undefined && n !== undefined && n < o) errs.push(forbidden('spec.resources.requests.storage', 'field can not be less than previous value'));
  return errs;
}

function validatePersistentVolumeSource(spec: any): FieldError[] {
  const present = PV_SOURCES.filter((s) => spec[s] !== undefined && spec[s] !== null);
  if (present.length === 0) return [required('spec', 'must specify a volume type')];
  const errs: FieldError[] = present.slice(1).map((s) => forbidden(`spec.${s}`, 'may not specify more than 1 volume type'));
  if (spec.hostPath) {
    const p = spec.hostPath.path;
    if (!p) errs.push(required('spec.hostPath.path'));
    else if (String(p).split('/').includes('..')) errs.push(invalid('spec.hostPath.path', p, "must not contain '..'"));
    const t = spec.hostPath.type ?? '';
    if (!HOST_PATH_TYPES.includes(t)) errs.push(notSupported('spec.hostPath.type', t, HOST_PATH_TYPES));
  }
  if (spec.local) {
    const p = spec.local.path;
    if (!p) errs.push(required('spec.local.path'));
    else if (String(p).split('/').includes('..')) errs.push(invalid('spec.local.path', p, "must not contain '..'"));
    if (!spec.nodeAffinity) errs.push(required('spec.nodeAffinity', 'Local volumes require node affinity'));
  }
  return errs;
}

function validateVolumeNodeAffinity(na: any): FieldError[] {
  if (!na) return [];
  const req = na.required;
  if (!req) return [];
  const p = 'spec.nodeAffinity.required.nodeSelectorTerms';
  const terms: any[] = Array.isArray(req.nodeSelectorTerms) ? req.nodeSelectorTerms : [];
  if (terms.length === 0) return [required(p, 'must have at least one node selector term')];
  const errs: FieldError[] = [];
  terms.forEach((t, i) => errs.push(...validateNodeSelectorTerm(t, `${p}[${i}]`)));
  return errs;
}

export function validatePersistentVolume(obj: any): FieldError[] {
  const spec = obj.spec ?? {};
  const errs: FieldError[] = [];
  errs.push(...validateAccessModes(spec.accessModes, 'spec.accessModes'));
  const cap = spec.capacity ?? {};
  if (Object.keys(cap).length === 0) errs.push(required('spec.capacity'));
  for (const k of Object.keys(cap)) if (k !== 'storage') errs.push(notSupported('spec.capacity', k, ['storage']));
  if (Object.keys(cap).length) errs.push(...validatePositiveStorage(cap.storage, 'spec.capacity[storage]'));
  const policy = spec.persistentVolumeReclaimPolicy;
  if (policy !== undefined && !PV_RECLAIM_POLICIES.includes(policy)) errs.push(notSupported('spec.persistentVolumeReclaimPolicy', policy, PV_RECLAIM_POLICIES));
  errs.push(...validateStorageClassName(spec.storageClassName, 'spec.storageClassName'));
  errs.push(...validateVolumeMode(spec.volumeMode, 'spec.volumeMode'));
  errs.push(...validatePersistentVolumeSource(spec));
  errs.push(...validateVolumeNodeAffinity(spec.nodeAffinity));
  if (spec.claimRef && !spec.claimRef.name) errs.push(required('spec.claimRef.name'));
  return errs;
}

export function validatePersistentVolumeUpdate(obj: any, old: any): FieldError[] {
  const errs: FieldError[] = [];
  const source = (s: any) => canonicalJson(Object.fromEntries(PV_SOURCES.filter((k) => s?.[k] !== undefined).map((k) => [k, s[k]])));
  if (source(obj.spec) !== source(old.spec)) errs.push(forbidden('spec.persistentvolumesource', 'spec.persistentvolumesource is immutable after creation'));
  if ((obj.spec?.volumeMode ?? 'Filesystem') !== (old.spec?.volumeMode ?? 'Filesystem')) errs.push(invalid('spec.volumeMode', obj.spec?.volumeMode, 'field is immutable'));
  if (old.spec?.nodeAffinity && canonicalJson(obj.spec?.nodeAffinity ?? null) !== canonicalJson(old.spec.nodeAffinity))
    errs.push(invalid('spec.nodeAffinity', obj.spec?.nodeAffinity ?? null, 'field is immutable'));
  return errs;
}

export function validateStorageClass(obj: any): FieldError[] {
  const errs: FieldError[] = [];
  if (!obj.provisioner) errs.push(required('provisioner'));
  else errs.push(...isQualifiedName(String(obj.provisioner).toLowerCase()).map((m) => invalid('provisioner', obj.provisioner, m)));
  const params = obj.parameters ?? {};
  const keys = Object.keys(params);
  if (keys.length > MAX_PARAMETERS) errs.push({ field: 'parameters', type: 'FieldValueTooLong', message: `Too long: must have at most ${MAX_PARAMETERS} items` });
  let size = 0;
  for (const k of keys) {
    if (!k) errs.push(invalid('parameters', k, 'field can not be empty.'));
    size += k.length + String(params[k]).length;
  }
  if (size > MAX_PARAMETERS_BYTES) errs.push(tooLong('parameters', MAX_PARAMETERS_BYTES));
  if (obj.reclaimPolicy !== undefined && !SC_RECLAIM_POLICIES.includes(obj.reclaimPolicy)) errs.push(notSupported('reclaimPolicy', obj.reclaimPolicy, SC_RECLAIM_POLICIES));
  if (obj.volumeBindingMode === undefined) errs.push(required('volumeBindingMode'));
  else if (!BINDING_MODES.includes(obj.volumeBindingMode)) errs.push(notSupported('volumeBindingMode', obj.volumeBindingMode, BINDING_MODES));
  return errs;
}

export function validateStorageClassUpdate(obj: any, old: any): FieldError[] {
  const errs: FieldError[] = [];
  if (canonicalJson(obj.parameters ?? {}) !== canonicalJson(old.parameters ?? {})) errs.push(forbidden('parameters', 'updates to parameters are forbidden.'));
  if (obj.provisioner !== old.provisioner) errs.push(forbidden('provisioner', 'updates to provisioner are forbidden.'));
  if ((obj.reclaimPolicy ?? 'Delete') !== (old.reclaimPolicy ?? 'Delete')) errs.push(forbidden('reclaimPolicy', 'updates to reclaimPolicy are forbidden.'));
  if (obj.volumeBindingMode !== old.volumeBindingMode) errs.push(invalid('volumeBindingMode', obj.volumeBindingMode, 'field is immutable'));
  return errs;
}
