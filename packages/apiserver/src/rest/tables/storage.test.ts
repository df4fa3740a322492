import { test } from 'node:test';
import assert from 'node:assert/strict';
import { persistentVolumeClaimPrinter, persistentVolumePrinter, storageClassPrinter } from './storage.js';

const NOW = Date.parse('2026-01-10T12:00:00Z');
const created = new Date(NOW - 120_000).toISOString();

test('pv, pvc and sc rows as kubectl 1.32 prints them', () => {
  assert.deepEqual(persistentVolumePrinter.columns.filter((c) => c.priority === 0).map((c) => c.name), [
    'Name', 'Capacity', 'Access Modes', 'Reclaim Policy', 'Status', 'Claim', 'StorageClass', 'VolumeAttributesClass', 'Reason', 'Age',
  ]);
  const pv = {
    metadata: { name: 'pvc-1', creationTimestamp: created },
    spec: { capacity: { storage: '1Gi' }, accessModes: ['ReadWriteMany', 'ReadWriteOnce'], persistentVolumeReclaimPolicy: 'Delete', claimRef: { namespace: 'default', name: 'data' }, storageClassName: 'local-path', volumeMode: 'Filesystem' },
    status: { phase: 'Bound' },
  };
  assert.deepEqual(persistentVolumePrinter.row(pv, NOW), ['pvc-1', '1Gi', 'RWO,RWX', 'Delete', 'Bound', 'default/data', 'local-path', '<unset>', '', '2m', 'Filesystem']);
  assert.equal(persistentVolumePrinter.row({ ...pv, metadata: { ...pv.metadata, deletionTimestamp: created } }, NOW)[4], 'Terminating');

  const pending = { metadata: { name: 'data', creationTimestamp: created }, spec: { storageClassName: 'local-path', resources: { requests: { storage: '1Gi' } } }, status: { phase: 'Pending' } };
  assert.deepEqual(persistentVolumeClaimPrinter.row(pending, NOW), ['data', 'Pending', '', '', '', 'local-path', '<unset>', '2m', '<unset>']);
  const bound = { ...pending, spec: { ...pending.spec, volumeName: 'pvc-1', volumeMode: 'Filesystem' }, status: { phase: 'Bound', capacity: { storage: '2Gi' }, accessModes: ['ReadWriteOnce'] } };
  assert.deepEqual(persistentVolumeClaimPrinter.row(bound, NOW), ['data', 'Bound', 'pvc-1', '2Gi', 'RWO', 'local-path', '<unset>', '2m', 'Filesystem']);

  const sc = { metadata: { name: 'local-path', creationTimestamp: created, annotations: { 'storageclass.kubernetes.io/is-default-class': 'true' } }, provisioner: 'rancher.io/local-path', reclaimPolicy: 'Delete', volumeBindingMode: 'WaitForFirstConsumer' };
  assert.deepEqual(storageClassPrinter.row(sc, NOW), ['local-path (default)', 'rancher.io/local-path', 'Delete', 'WaitForFirstConsumer', false, '2m']);
});
