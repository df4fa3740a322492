import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { KubeObject } from '@k8ts/api';
import { defaultStorageClassAdmission, persistentVolumeClaimResize, storageObjectInUseProtection } from './storage.js';
import type { AdmissionRequest } from '../registry/admission.js';

const cls = (name: string, def: boolean, ts: string): KubeObject => ({
  apiVersion: 'storage.k8s.io/v1',
  kind: 'StorageClass',
  metadata: { name, creationTimestamp: ts, annotations: def ? { 'storageclass.kubernetes.io/is-default-class': 'true' } : {} },
});
const registry = (items: KubeObject[]) => ({ list: async () => ({ apiVersion: 'v1', kind: 'List', metadata: {}, items }) }) as any;
const create = (resource: string, object: KubeObject): AdmissionRequest => ({ operation: 'CREATE', resource, subresource: '', namespace: 'default', name: object.metadata.name!, object, dryRun: false });
const pvc = (spec: any = {}, annotations?: Record<string, string>): KubeObject => ({ apiVersion: 'v1', kind: 'PersistentVolumeClaim', metadata: { name: 'data', annotations }, spec });

test('DefaultStorageClass: a claim without a class gets the newest default; "" and named classes are kept', async () => {
  const plugin = defaultStorageClassAdmission(registry([cls('old', true, '2025-01-01T00:00:00Z'), cls('new', true, '2026-01-01T00:00:00Z'), cls('plain', false, '2026-06-01T00:00:00Z')]));
  const none = pvc();
  await plugin.admit!(create('persistentvolumeclaims', none));
  assert.equal(none.spec.storageClassName, 'new');
  const empty = pvc({ storageClassName: '' });
  await plugin.admit!(create('persistentvolumeclaims', empty));
  assert.equal(empty.spec.storageClassName, '');
  const beta = pvc({}, { 'volume.beta.kubernetes.io/storage-class': 'plain' });
  await plugin.admit!(create('persistentvolumeclaims', beta));
  assert.equal(beta.spec.storageClassName, undefined);
  const nodefault = pvc();
  await defaultStorageClassAdmission(registry([cls('plain', false, '2026-06-01T00:00:00Z')])).admit!(create('persistentvolumeclaims', nodefault));
  assert.equal(nodefault.spec.storageClassName, undefined);
});

test('StorageObjectInUseProtection: new claims and volumes carry their protection finalizer once', async () => {
  const plugin = storageObjectInUseProtection();
  const c = pvc();
  await plugin.admit!(create('persistentvolumeclaims', c));
  await plugin.admit!(create('persistentvolumeclaims', c));
  assert.deepEqual(c.metadata.finalizers, ['kubernetes.io/pvc-protection']);
  const v: KubeObject = { apiVersion: 'v1', kind: 'PersistentVolume', metadata: { name: 'v', finalizers: ['other'] } };
  await plugin.admit!(create('persistentvolumes', v));
  assert.deepEqual(v.metadata.finalizers, ['other', 'kubernetes.io/pv-protection']);
});

test('PersistentVolumeClaimResize: a bound claim grows only when its class allows expansion', async () => {
  const classes: Record<string, KubeObject> = { grow: { ...cls('grow', false, '2026-01-01T00:00:00Z'), allowVolumeExpansion: true } as KubeObject, fixed: cls('fixed', false, '2026-01-01T00:00:00Z') };
  const plugin = persistentVolumeClaimResize({ get: async (_r: string, _ns: string, name: string) => { if (!classes[name]) throw new Error('not found'); return classes[name]!; } } as any);
  const sized = (storage: string, className: string): KubeObject => ({ ...pvc({ storageClassName: className, resources: { requests: { storage } } }), status: { phase: 'Bound' } });
  const update = (o: KubeObject, n: KubeObject): AdmissionRequest => ({ operation: 'UPDATE', resource: 'persistentvolumeclaims', subresource: '', namespace: 'default', name: 'data', object: n, oldObject: o, dryRun: false });
  await plugin.validate!(update(sized('1Gi', 'grow'), sized('2Gi', 'grow')));
  await plugin.validate!(update(sized('1Gi', 'fixed'), sized('1Gi', 'fixed')));
  await assert.rejects(plugin.validate!(update(sized('1Gi', 'fixed'), sized('2Gi', 'fixed')) as any) as Promise<void>, (e: any) => e.code === 403 && /must support resize/.test(e.message));
});
