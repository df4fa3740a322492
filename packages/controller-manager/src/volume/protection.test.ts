import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FakeClient } from '@k8ts/client/testing';
import { ctxFor, pod } from '../testing/fixtures.js';
import { PVCProtectionController } from './pvc-protection.js';
import { PVProtectionController } from './pv-protection.js';
import { claim, clientLister, volume } from './testing.js';

const withFinalizer = (o: any, fin: string) => ({ ...o, metadata: { ...o.metadata, finalizers: [fin] } });
const unversioned = <T extends { metadata?: any }>(o: T): T => {
  delete o.metadata.resourceVersion;
  return o;
};

/** Seeds the objects, then deletes the ones named: their finalizers hold them, marked. */
async function seeded(seed: [string, any][], deleting: [string, string, string][]): Promise<FakeClient> {
  const client = new FakeClient(seed);
  for (const [r, ns, n] of deleting) await client.delete(r, ns, n);
  return client;
}

test('pvc-protection: the finalizer stays while a scheduled pod names the claim', async () => {
  const user = pod('user', {}, { node: 'n1' });
  user.spec!.volumes = [{ name: 'd', persistentVolumeClaim: { claimName: 'data' } }];
  const client = await seeded([['persistentvolumeclaims', withFinalizer(claim('data'), 'kubernetes.io/pvc-protection')], ['pods', unversioned(user)]], [['persistentvolumeclaims', 'default', 'data']]);
  const { ctx, queue } = ctxFor(client);
  const c = new PVCProtectionController(ctx, { claims: clientLister(client, 'persistentvolumeclaims'), pods: clientLister(client, 'pods') }, queue);
  await c.sync('default/data');
  assert.deepEqual(client.peek('persistentvolumeclaims', 'default', 'data')!.metadata.finalizers, ['kubernetes.io/pvc-protection']);
  await client.delete('pods', 'default', 'user', { gracePeriodSeconds: 0 });
  c.onPod(user);
  assert.deepEqual(queue.added, ['default/data']);
  await c.sync('default/data');
  assert.equal(client.peek('persistentvolumeclaims', 'default', 'data'), undefined, 'finalizer removed: the deletion completes');
});

test('pvc-protection: an unscheduled pod does not hold the claim', async () => {
  const pending = pod('pending', {});
  pending.spec!.volumes = [{ name: 'd', persistentVolumeClaim: { claimName: 'data' } }];
  const client = await seeded([['persistentvolumeclaims', withFinalizer(claim('data'), 'kubernetes.io/pvc-protection')], ['pods', unversioned(pending)]], [['persistentvolumeclaims', 'default', 'data']]);
  const { ctx, queue } = ctxFor(client);
  const c = new PVCProtectionController(ctx, { claims: clientLister(client, 'persistentvolumeclaims'), pods: clientLister(client, 'pods') }, queue);
  await c.sync('default/data');
  assert.equal(client.peek('persistentvolumeclaims', 'default', 'data'), undefined);
});

test('pv-protection: a Bound volume keeps its finalizer, a Released one lets go', async () => {
  const client = await seeded(
    [
      ['persistentvolumes', withFinalizer(volume('bound', {}, {}, 'Bound'), 'kubernetes.io/pv-protection')],
      ['persistentvolumes', withFinalizer(volume('released', {}, {}, 'Released'), 'kubernetes.io/pv-protection')],
    ],
    [['persistentvolumes', '', 'bound'], ['persistentvolumes', '', 'released']],
  );
  const { ctx, queue } = ctxFor(client);
  const c = new PVProtectionController(ctx, { volumes: clientLister(client, 'persistentvolumes') }, queue);
  await c.sync('bound');
  await c.sync('released');
  assert.ok(client.peek('persistentvolumes', '', 'bound'));
  assert.equal(client.peek('persistentvolumes', '', 'released'), undefined);
});
