import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FakeClient } from '@k8ts/client/testing';
import { ctxFor } from '../../testing/fixtures.js';
import { LocalPathProvisioner } from './provisioner.js';
import { claim, clientLister, node, storageClass, volume } from '../testing.js';
import { claimKey, volumeKey } from '../keys.js';

const HANDED = { 'volume.kubernetes.io/storage-provisioner': 'rancher.io/local-path' };

function setup(seed: [string, any][]) {
  const client = new FakeClient(seed);
  const { ctx, recorder, queue } = ctxFor(client);
  const p = new LocalPathProvisioner(
    ctx,
    {
      claims: clientLister(client, 'persistentvolumeclaims'),
      volumes: clientLister(client, 'persistentvolumes'),
      classes: clientLister(client, 'storageclasses'),
      nodes: clientLister(client, 'nodes'),
      pods: clientLister(client, 'pods'),
    },
    queue,
  );
  return { client, p, recorder, queue };
}

test('provisions a hostPath volume on the selected node, reserved for the claim', async () => {
  const { client, p, recorder } = setup([
    ['storageclasses', storageClass('local-path')],
    ['nodes', node('n1', '/state/n1/local-path')],
    ['persistentvolumeclaims', claim('data', { storageClassName: 'local-path' }, { ...HANDED, 'volume.kubernetes.io/selected-node': 'n1' })],
  ]);
  const pvc = client.peek('persistentvolumeclaims', 'default', 'data')!;
  await p.sync(claimKey('default', 'data'));
  const pv = client.peek('persistentvolumes', '', `pvc-${pvc.metadata.uid}`)!;
  assert.ok(pv, 'volume created');
  assert.equal(pv.spec.hostPath.path, `/state/n1/local-path/pvc-${pvc.metadata.uid}_default_data`);
  assert.equal(pv.spec.hostPath.type, 'DirectoryOrCreate');
  assert.deepEqual(pv.spec.nodeAffinity.required.nodeSelectorTerms[0].matchExpressions[0], { key: 'kubernetes.io/hostname', operator: 'In', values: ['n1'] });
  assert.equal(pv.spec.claimRef.uid, pvc.metadata.uid);
  assert.equal(pv.spec.persistentVolumeReclaimPolicy, 'Delete');
  assert.deepEqual(pv.spec.capacity, { storage: '1Gi' });
  assert.equal(pv.metadata.annotations?.['pv.kubernetes.io/provisioned-by'], 'rancher.io/local-path');
  assert.deepEqual(recorder.events.map((e) => e.reason), ['Provisioning', 'ProvisioningSucceeded']);
});

test('waits for the selected node; refuses what a node folder cannot give, with a reason', async () => {
  const { client, p, recorder } = setup([
    ['storageclasses', storageClass('local-path')],
    ['nodes', node('n1', '/s')],
    ['persistentvolumeclaims', claim('waiting', { storageClassName: 'local-path' }, HANDED)],
    ['persistentvolumeclaims', claim('shared', { storageClassName: 'local-path', accessModes: ['ReadWriteMany'] }, { ...HANDED, 'volume.kubernetes.io/selected-node': 'n1' })],
  ]);
  await p.sync(claimKey('default', 'waiting'));
  await p.sync(claimKey('default', 'shared'));
  assert.equal(client.objects('persistentvolumes').length, 0);
  assert.deepEqual(recorder.events.map((e) => [e.name, e.reason, e.message]), [
    ['shared', 'ProvisioningFailed', 'failed to provision volume with StorageClass "local-path": NodePath only supports ReadWriteOnce and ReadWriteOncePod (1.22+) access modes'],
  ]);
});

test('a selected node that is gone is given back to the scheduler', async () => {
  const { client, p, recorder } = setup([
    ['storageclasses', storageClass('local-path')],
    ['persistentvolumeclaims', claim('data', { storageClassName: 'local-path' }, { ...HANDED, 'volume.kubernetes.io/selected-node': 'gone' })],
  ]);
  await p.sync(claimKey('default', 'data'));
  assert.equal(client.peek('persistentvolumeclaims', 'default', 'data')!.metadata.annotations?.['volume.kubernetes.io/selected-node'], undefined);
  assert.match(recorder.events[0]!.message, /node "gone" not found/);
});

test('a released Delete volume: folder removed by a helper pod on its node, then the volume deleted', async () => {
  const affinity = { required: { nodeSelectorTerms: [{ matchExpressions: [{ key: 'kubernetes.io/hostname', operator: 'In', values: ['n1'] }] }] } };
  const { client, p } = setup([
    ['nodes', node('n1', '/s')],
    ['persistentvolumes', volume('pvc-1', { persistentVolumeReclaimPolicy: 'Delete', hostPath: { path: '/s/pvc-1_default_data', type: 'DirectoryOrCreate' }, nodeAffinity: affinity, claimRef: { namespace: 'default', name: 'data', uid: 'u' } }, { 'pv.kubernetes.io/provisioned-by': 'rancher.io/local-path' }, 'Released')],
    ['persistentvolumes', volume('pvc-2', { persistentVolumeReclaimPolicy: 'Retain', nodeAffinity: affinity }, { 'pv.kubernetes.io/provisioned-by': 'rancher.io/local-path' }, 'Released')],
  ]);
  await p.sync(volumeKey('pvc-2'));
  assert.equal(client.objects('pods').length, 0, 'Retain: nothing removed');
  await p.sync(volumeKey('pvc-1'));
  const helper = client.peek('pods', 'kube-system', 'helper-pod-delete-pvc-1')!;
  assert.equal(helper.spec.nodeName, 'n1');
  assert.deepEqual(helper.spec.containers[0].command, ['rm', '-rf', '/volumes/pvc-1_default_data']);
  assert.equal(helper.spec.volumes[0].hostPath.path, '/s');
  assert.ok(client.peek('persistentvolumes', '', 'pvc-1'), 'kept until the folder is gone');
  helper.status = { phase: 'Succeeded' };
  await client.update('pods', helper, { subresource: 'status' });
  await p.sync(volumeKey('pvc-1'));
  assert.equal(client.peek('persistentvolumes', '', 'pvc-1'), undefined);
  assert.equal(client.peek('pods', 'kube-system', 'helper-pod-delete-pvc-1'), undefined);
});
