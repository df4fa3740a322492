import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FakeClient } from '@k8ts/client/testing';
import { ctxFor } from '../testing/fixtures.js';
import { PersistentVolumeController } from './binder.js';
import { claim, clientLister, storageClass, volume } from './testing.js';
import { claimKey, volumeKey } from './keys.js';

function setup(seed: [string, any][]) {
  const client = new FakeClient(seed);
  const { ctx, recorder, queue } = ctxFor(client);
  const c = new PersistentVolumeController(ctx, { claims: clientLister(client, 'persistentvolumeclaims'), volumes: clientLister(client, 'persistentvolumes'), classes: clientLister(client, 'storageclasses') }, queue);
  return { client, c, recorder, queue };
}

test('an Immediate claim binds to the smallest fitting Available volume, both ways', async () => {
  const { client, c } = setup([
    ['storageclasses', storageClass('manual', { provisioner: 'kubernetes.io/no-provisioner', volumeBindingMode: 'Immediate' })],
    ['persistentvolumes', volume('big', { storageClassName: 'manual', capacity: { storage: '10Gi' } })],
    ['persistentvolumes', volume('fit', { storageClassName: 'manual', capacity: { storage: '2Gi' } })],
    ['persistentvolumeclaims', claim('data', { storageClassName: 'manual' })],
  ]);
  await c.sync(claimKey('default', 'data'));
  const pvc = client.peek('persistentvolumeclaims', 'default', 'data')!;
  const pv = client.peek('persistentvolumes', '', 'fit')!;
  assert.equal(pvc.spec.volumeName, 'fit');
  assert.equal(pvc.status.phase, 'Bound');
  assert.deepEqual(pvc.status.capacity, { storage: '2Gi' });
  assert.deepEqual(pvc.status.accessModes, ['ReadWriteOnce']);
  assert.equal(pvc.metadata.annotations?.['pv.kubernetes.io/bind-completed'], 'yes');
  assert.equal(pv.spec.claimRef.uid, pvc.metadata.uid);
  assert.equal(pv.status.phase, 'Bound');
  assert.equal(client.peek('persistentvolumes', '', 'big')!.spec.claimRef, undefined);
  // a second sync writes nothing
  const writes = client.actions.length;
  await c.sync(claimKey('default', 'data'));
  await c.sync(volumeKey('fit'));
  assert.equal(client.actions.filter((a) => a.verb !== 'get' && a.verb !== 'list').length, client.actions.slice(0, writes).filter((a) => a.verb !== 'get' && a.verb !== 'list').length);
});

test('WaitForFirstConsumer: waits for the selected node, then hands the claim to its provisioner', async () => {
  const { client, c, recorder } = setup([['storageclasses', storageClass('local-path')], ['persistentvolumeclaims', claim('data', { storageClassName: 'local-path' })]]);
  await c.sync(claimKey('default', 'data'));
  assert.deepEqual(recorder.events.map((e) => e.reason), ['WaitForFirstConsumer']);
  assert.equal(client.peek('persistentvolumeclaims', 'default', 'data')!.metadata.annotations?.['volume.kubernetes.io/storage-provisioner'], undefined);
  const pvc = client.peek('persistentvolumeclaims', 'default', 'data')!;
  pvc.metadata.annotations = { 'volume.kubernetes.io/selected-node': 'n1' };
  await client.update('persistentvolumeclaims', pvc);
  await c.sync(claimKey('default', 'data'));
  const after = client.peek('persistentvolumeclaims', 'default', 'data')!;
  assert.equal(after.metadata.annotations?.['volume.kubernetes.io/storage-provisioner'], 'rancher.io/local-path');
  assert.equal(after.metadata.annotations?.['volume.beta.kubernetes.io/storage-provisioner'], 'rancher.io/local-path');
  assert.equal(recorder.events.at(-1)!.reason, 'ExternalProvisioning');
  assert.equal(after.status.phase, 'Pending');
});

test('a claim no class can serve stays Pending with an event saying why', async () => {
  const { client, c, recorder } = setup([
    ['persistentvolumeclaims', claim('ghost', { storageClassName: 'fast' })],
    ['persistentvolumeclaims', claim('none', { storageClassName: '' })],
  ]);
  await c.sync(claimKey('default', 'ghost'));
  await c.sync(claimKey('default', 'none'));
  assert.deepEqual(recorder.events.map((e) => [e.name, e.type, e.reason, e.message]), [
    ['ghost', 'Warning', 'ProvisioningFailed', 'storageclass.storage.k8s.io "fast" not found'],
    ['none', 'Normal', 'FailedBinding', 'no persistent volumes available for this claim and no storage class is set'],
  ]);
  assert.equal(client.peek('persistentvolumeclaims', 'default', 'ghost')!.status.phase, 'Pending');
});

test('a provisioned volume reserved for its claim is bound to it', async () => {
  const { client, c } = setup([['storageclasses', storageClass('local-path')]]);
  const pvc = await client.create('persistentvolumeclaims', claim('data', { storageClassName: 'local-path' }, { 'volume.kubernetes.io/selected-node': 'n1' }));
  await client.create('persistentvolumes', volume('pvc-1', { storageClassName: 'local-path', claimRef: { namespace: 'default', name: 'data', uid: pvc.metadata.uid } }, { 'pv.kubernetes.io/provisioned-by': 'rancher.io/local-path' }, 'Pending'));
  await c.sync(claimKey('default', 'data'));
  assert.equal(client.peek('persistentvolumeclaims', 'default', 'data')!.status.phase, 'Bound');
  assert.equal(client.peek('persistentvolumes', '', 'pvc-1')!.status.phase, 'Bound');
  assert.equal(client.peek('persistentvolumes', '', 'pvc-1')!.metadata.annotations?.['pv.kubernetes.io/bound-by-controller'], undefined, 'reserved by its maker, not by the binder');
});

test('a volume whose claim is gone is Released: Retain keeps it, Delete without a provisioner fails', async () => {
  const { client, c, recorder } = setup([
    ['persistentvolumes', volume('kept', { claimRef: { namespace: 'default', name: 'gone', uid: 'old' } }, {}, 'Bound')],
    ['persistentvolumes', volume('manual-delete', { persistentVolumeReclaimPolicy: 'Delete', claimRef: { namespace: 'default', name: 'gone2', uid: 'old2' } }, {}, 'Bound')],
    ['persistentvolumes', volume('provisioned', { persistentVolumeReclaimPolicy: 'Delete', claimRef: { namespace: 'default', name: 'gone3', uid: 'old3' } }, { 'pv.kubernetes.io/provisioned-by': 'rancher.io/local-path' }, 'Bound')],
    ['persistentvolumes', volume('free')],
  ]);
  for (const n of ['kept', 'manual-delete', 'provisioned', 'free']) await c.sync(volumeKey(n));
  assert.equal(client.peek('persistentvolumes', '', 'kept')!.status.phase, 'Released');
  assert.equal(client.peek('persistentvolumes', '', 'provisioned')!.status.phase, 'Released', 'left to its provisioner');
  const failed = client.peek('persistentvolumes', '', 'manual-delete')!;
  assert.equal(failed.status.phase, 'Failed');
  assert.match(failed.status.message, /no deletable volume plugin matched/);
  assert.equal(client.peek('persistentvolumes', '', 'free')!.status.phase, 'Available');
  assert.deepEqual(recorder.events.map((e) => e.reason), ['VolumeFailedDelete']);
  // a new claim of the same name does not take the released volume back
  await client.create('persistentvolumeclaims', claim('gone'));
  await c.sync(volumeKey('kept'));
  assert.equal(client.peek('persistentvolumes', '', 'kept')!.status.phase, 'Released');
});

test('a bound claim whose volume disappeared is Lost', async () => {
  const { client, c, recorder } = setup([['persistentvolumeclaims', { ...claim('data', { volumeName: 'vanished' }, { 'pv.kubernetes.io/bind-completed': 'yes' }), status: { phase: 'Bound' } }]]);
  await c.sync(claimKey('default', 'data'));
  assert.equal(client.peek('persistentvolumeclaims', 'default', 'data')!.status.phase, 'Lost');
  assert.equal(recorder.events[0]!.reason, 'ClaimLost');
});

test('deleting a claim requeues its volume', () => {
  const { c, queue } = setup([]);
  c.deleteClaim(claim('data', { volumeName: 'pvc-9' }));
  assert.ok(queue.added.includes(volumeKey('pvc-9')));
});
