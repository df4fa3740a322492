import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { KubeObject } from '../types.js';
import { applyDefaults } from '../defaults.js';
import { fieldErrorString } from './field-error.js';
import { validate } from './index.js';
import { accessModesAsString, defaultStorageClass, findMatchingVolume, volumeFitsNode } from '../helpers/volumes.js';

function check(resource: string, obj: any, old?: any): string[] {
  const o = structuredClone(obj) as KubeObject;
  applyDefaults(resource, o);
  let prev: KubeObject | undefined;
  if (old) {
    prev = structuredClone(old) as KubeObject;
    applyDefaults(resource, prev);
  }
  return validate(resource, o, prev).map(fieldErrorString);
}

const pvc = (spec: any, status?: any) => ({ apiVersion: 'v1', kind: 'PersistentVolumeClaim', metadata: { name: 'data', namespace: 'default', uid: 'u1' }, spec, ...(status ? { status } : {}) });
const pv = (spec: any, name = 'vol') => ({ apiVersion: 'v1', kind: 'PersistentVolume', metadata: { name }, spec });
const okClaim = { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } } };

test('claim defaults: Filesystem, phase Pending', () => {
  const c = pvc(okClaim) as KubeObject;
  applyDefaults('persistentvolumeclaims', c);
  assert.equal(c.spec.volumeMode, 'Filesystem');
  assert.equal(c.status.phase, 'Pending');
});

test('claim validation: access modes and storage requests, in upstream words', () => {
  assert.deepEqual(check('persistentvolumeclaims', pvc(okClaim)), []);
  assert.deepEqual(check('persistentvolumeclaims', pvc({ ...okClaim, accessModes: [] })), ['spec.accessModes: Required value: at least 1 access mode is required']);
  assert.deepEqual(check('persistentvolumeclaims', pvc({ ...okClaim, accessModes: ['ReadWriteSometimes'] })), [
    'spec.accessModes: Unsupported value: "ReadWriteSometimes": supported values: "ReadOnlyMany", "ReadWriteMany", "ReadWriteOnce", "ReadWriteOncePod"',
  ]);
  assert.deepEqual(check('persistentvolumeclaims', pvc({ ...okClaim, accessModes: ['ReadWriteOncePod', 'ReadWriteOnce'] })), ['spec.accessModes: Forbidden: may not use ReadWriteOncePod with other access modes']);
  assert.deepEqual(check('persistentvolumeclaims', pvc({ accessModes: ['ReadWriteOnce'] })), ['spec.resources[storage]: Required value']);
  assert.deepEqual(check('persistentvolumeclaims', pvc({ ...okClaim, resources: { requests: { storage: '0' } } })), ['spec.resources[storage]: Invalid value: "0": must be greater than zero']);
  assert.equal(check('persistentvolumeclaims', pvc({ ...okClaim, resources: { requests: { storage: 'lots' } } })).length, 1);
  assert.deepEqual(check('persistentvolumeclaims', pvc({ ...okClaim, storageClassName: 'Bad_Class' })).length, 1);
});

test('claim update: spec immutable but volumeName (binder) and growth of a bound claim', () => {
  const old = pvc(okClaim, { phase: 'Bound' });
  assert.deepEqual(check('persistentvolumeclaims', pvc({ ...okClaim, volumeName: 'pvc-1' }, { phase: 'Bound' }), old), []);
  assert.deepEqual(check('persistentvolumeclaims', pvc({ ...okClaim, accessModes: ['ReadWriteMany'] }), old), [
    'spec: Forbidden: spec is immutable after creation except resources.requests and volumeAttributesClassName for bound claims',
  ]);
  assert.deepEqual(check('persistentvolumeclaims', pvc({ ...okClaim, resources: { requests: { storage: '2Gi' } } }), old), []);
  assert.deepEqual(check('persistentvolumeclaims', pvc({ ...okClaim, resources: { requests: { storage: '512Mi' } } }), old), [
    'spec.resources.requests.storage: Forbidden: field can not be less than previous value',
  ]);
  // an unbound claim's size is part of its immutable spec
  assert.equal(check('persistentvolumeclaims', pvc({ ...okClaim, resources: { requests: { storage: '2Gi' } } }), pvc(okClaim)).length, 1);
});

test('volume defaults and validation', () => {
  const v = pv({ capacity: { storage: '1Gi' }, accessModes: ['ReadWriteOnce'], hostPath: { path: '/data' } }) as KubeObject;
  applyDefaults('persistentvolumes', v);
  assert.equal(v.spec.persistentVolumeReclaimPolicy, 'Retain');
  assert.equal(v.status.phase, 'Pending');
  assert.deepEqual(validate('persistentvolumes', v), []);
  assert.deepEqual(check('persistentvolumes', pv({ capacity: { storage: '1Gi' }, accessModes: ['ReadWriteOnce'] })), ['spec: Required value: must specify a volume type']);
  assert.deepEqual(check('persistentvolumes', pv({ accessModes: ['ReadWriteOnce'], hostPath: { path: '/d' } })), ['spec.capacity: Required value']);
  assert.deepEqual(check('persistentvolumes', pv({ capacity: { storage: '1Gi' }, accessModes: ['ReadWriteOnce'], local: { path: '/d' } })), ['spec.nodeAffinity: Required value: Local volumes require node affinity']);
  assert.deepEqual(check('persistentvolumes', pv({ capacity: { storage: '1Gi' }, accessModes: ['ReadWriteOnce'], hostPath: { path: '/d' }, persistentVolumeReclaimPolicy: 'Shred' })), [
    'spec.persistentVolumeReclaimPolicy: Unsupported value: "Shred": supported values: "Delete", "Recycle", "Retain"',
  ]);
  const old = pv({ capacity: { storage: '1Gi' }, accessModes: ['ReadWriteOnce'], hostPath: { path: '/d' } });
  assert.deepEqual(check('persistentvolumes', pv({ capacity: { storage: '1Gi' }, accessModes: ['ReadWriteOnce'], hostPath: { path: '/e' } }), old), [
    'spec.persistentvolumesource: Forbidden: spec.persistentvolumesource is immutable after creation',
  ]);
});

test('storage class defaults, validation and immutable fields', () => {
  const sc = (o: any) => ({ apiVersion: 'storage.k8s.io/v1', kind: 'StorageClass', metadata: { name: 'fast' }, ...o });
  const s = sc({ provisioner: 'example.com/fast' }) as KubeObject;
  applyDefaults('storageclasses', s);
  assert.equal((s as any).reclaimPolicy, 'Delete');
  assert.equal((s as any).volumeBindingMode, 'Immediate');
  assert.deepEqual(check('storageclasses', sc({})), ['provisioner: Required value']);
  assert.deepEqual(check('storageclasses', sc({ provisioner: 'p', reclaimPolicy: 'Recycle' })), ['reclaimPolicy: Unsupported value: "Recycle": supported values: "Delete", "Retain"']);
  assert.deepEqual(check('storageclasses', sc({ provisioner: 'q' }), sc({ provisioner: 'p' })), ['provisioner: Forbidden: updates to provisioner are forbidden.']);
});

test('matching a claim to volumes: class, size, modes, node; smallest first; pre-bound wins', () => {
  const claim = { metadata: { name: 'data', namespace: 'default', uid: 'u1' }, spec: { ...okClaim, storageClassName: 'manual' } };
  const vol = (name: string, size: string, extra: any = {}) => ({ metadata: { name }, spec: { storageClassName: 'manual', capacity: { storage: size }, accessModes: ['ReadWriteOnce'], ...extra }, status: { phase: 'Available' } });
  const small = vol('small', '512Mi');
  const big = vol('big', '10Gi');
  const fit = vol('fit', '2Gi');
  const rox = vol('rox', '1Gi', { accessModes: ['ReadOnlyMany'] });
  assert.equal(findMatchingVolume(claim, [small, big, fit, rox])?.metadata.name, 'fit');
  const pre = vol('pre', '10Gi', { claimRef: { namespace: 'default', name: 'data' } });
  assert.equal(findMatchingVolume(claim, [fit, pre])?.metadata.name, 'pre');
  const other = vol('other', '1Gi', { claimRef: { namespace: 'default', name: 'else' } });
  assert.equal(findMatchingVolume(claim, [other]), undefined);
  const pinned = vol('pinned', '1Gi', { nodeAffinity: { required: { nodeSelectorTerms: [{ matchExpressions: [{ key: 'kubernetes.io/hostname', operator: 'In', values: ['n1'] }] }] } } });
  assert.equal(volumeFitsNode(pinned, { name: 'n1', labels: { 'kubernetes.io/hostname': 'n1' } }), true);
  assert.equal(volumeFitsNode(pinned, { name: 'n2', labels: { 'kubernetes.io/hostname': 'n2' } }), false);
  assert.equal(findMatchingVolume(claim, [pinned], { name: 'n2', labels: { 'kubernetes.io/hostname': 'n2' } }), undefined);
});

test('default class: newest annotated class; access modes abbreviated in kubectl order', () => {
  const c = (name: string, ts: string, def: boolean) => ({ metadata: { name, creationTimestamp: ts, annotations: def ? { 'storageclass.kubernetes.io/is-default-class': 'true' } : {} } });
  assert.equal(defaultStorageClass([c('a', '2024-01-01T00:00:00Z', true), c('b', '2025-01-01T00:00:00Z', true), c('c', '2026-01-01T00:00:00Z', false)])?.metadata.name, 'b');
  assert.equal(defaultStorageClass([c('c', '2026-01-01T00:00:00Z', false)]), undefined);
  assert.equal(accessModesAsString(['ReadWriteMany', 'ReadWriteOnce']), 'RWO,RWX');
});
