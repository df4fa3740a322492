import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Pod, ReplicaSet } from '@k8ts/api';
import { ReplicaSetController } from './controller.js';
import { rankPodsForDeletion } from './pod-ranking.js';
import { ctxFor, pod, replicaSet, staticLister, FakeClient, seedWorld } from '../testing/fixtures.js';

function setup(rs: ReplicaSet, pods: Pod[]) {
  const client = new FakeClient();
  const world = seedWorld(client, [['replicasets', rs], ...pods.map((p) => ['pods', p] as ['pods', Pod])]);
  const { ctx, recorder, queue } = ctxFor(client);
  const rsl = staticLister((world.get('replicasets') ?? []) as ReplicaSet[]);
  const pl = staticLister((world.get('pods') ?? []) as Pod[]);
  const c = new ReplicaSetController(ctx, { replicasets: rsl, pods: pl }, queue);
  return { client, recorder, queue, c, rsl, pl };
}

test('creates missing pods with generateName and a controller reference, adopting orphans and ignoring terminating pods', async () => {
  const rs = replicaSet('web', 3);
  const owned = pod('web-aaaaa', { app: 'web' }, { owner: rs, node: 'n1', ready: true });
  const orphan = pod('stray', { app: 'web' }, { node: 'n1' });
  const dying = pod('web-bbbbb', { app: 'web' }, { owner: rs, node: 'n1', deleting: true });
  const other = pod('db', { app: 'db' });
  const { client, recorder, c } = setup(rs, [owned, orphan, dying, other]);
  await c.sync('default/web');
  const creates = client.actionsOf('create', 'pods');
  assert.equal(creates.length, 1);
  const created = creates[0]!.object!;
  assert.equal(created.metadata.generateName, 'web-');
  assert.deepEqual(created.metadata.ownerReferences, [
    { apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'web', uid: rs.metadata.uid, controller: true, blockOwnerDeletion: true },
  ]);
  const adopted = client.actionsOf('update', 'pods').map((a) => a.object!);
  assert.equal(adopted.length, 1);
  assert.equal(adopted[0]!.metadata.name, 'stray');
  assert.equal(adopted[0]!.metadata.ownerReferences![0]!.uid, rs.metadata.uid);
  assert.ok(recorder.events.some((e) => e.reason === 'SuccessfulCreate' && /^Created pod: web-/.test(e.message)));
  const status = client.actionsOf('update', 'replicasets').find((a) => a.subresource === 'status')!.object!.status;
  assert.equal(status.replicas, 2); // owned + adopted, not the terminating one
  assert.equal(status.readyReplicas, 1);
  assert.equal(status.observedGeneration, 1);
});

test('expectations stop a second sync from creating again before the cache shows the pods', async () => {
  const rs = replicaSet('web', 4);
  const { client, c } = setup(rs, []);
  await c.sync('default/web');
  assert.equal(client.actionsOf('create', 'pods').length, 4);
  await c.sync('default/web'); // cache still empty
  assert.equal(client.actionsOf('create', 'pods').length, 4);
  for (const a of client.actionsOf('create', 'pods')) c.addPod({ ...(a.object as Pod), metadata: { ...a.object!.metadata, name: 'x' + Math.random() } });
  assert.ok(c.expectations.satisfied('default/web'));
});

test('releases a pod whose labels no longer match and deletes extras by Kubernetes preference', async () => {
  const rs = replicaSet('web', 2);
  const relabelled = pod('web-debug', { app: 'debug' }, { owner: rs, node: 'n1', ready: true });
  const ready = pod('web-1', { app: 'web' }, { owner: rs, node: 'n1', ready: true });
  const notReady = pod('web-2', { app: 'web' }, { owner: rs, node: 'n1', ready: false });
  const unscheduled = pod('web-3', { app: 'web' }, { owner: rs });
  const ready2 = pod('web-4', { app: 'web' }, { owner: rs, node: 'n2', ready: true });
  const { client, recorder, c } = setup(rs, [relabelled, ready, notReady, unscheduled, ready2]);
  await c.sync('default/web');
  const released = client.actionsOf('update', 'pods').map((a) => a.object!);
  assert.equal(released.length, 1);
  assert.equal(released[0]!.metadata.name, 'web-debug');
  assert.deepEqual(released[0]!.metadata.ownerReferences, []);
  const deleted = client.actionsOf('delete', 'pods').map((a) => a.name).sort();
  assert.deepEqual(deleted, ['web-2', 'web-3']);
  assert.equal(recorder.events.filter((e) => e.reason === 'SuccessfulDelete').length, 2);
});

test('ranking: pending before running, fewer restarts last, newer first', () => {
  const a = pod('a', {}, { node: 'n', phase: 'Running', ready: true, created: '2024-01-01T00:00:00Z' });
  const b = pod('b', {}, { node: 'n', phase: 'Running', ready: true, created: '2024-01-02T00:00:00Z' });
  const c = pod('c', {}, { node: 'n', phase: 'Pending' });
  const d = pod('d', {}, { node: 'n', phase: 'Running', ready: true, restarts: 5, created: '2024-01-01T00:00:00Z' });
  assert.deepEqual(rankPodsForDeletion([a, b, c, d]).map((p) => p.metadata.name), ['c', 'd', 'b', 'a']);
});

test('create failures are reported as events and a ReplicaFailure condition, then retried', async () => {
  const rs = replicaSet('web', 2);
  const { client, recorder, c } = setup(rs, []);
  client.prependReactor('create', 'pods', () => {
    throw new Error('quota exceeded');
  });
  await assert.rejects(c.sync('default/web'), /quota exceeded/);
  assert.equal(client.actionsOf('create', 'pods').length, 1); // slow start: first batch of one failed
  assert.ok(recorder.events.some((e) => e.reason === 'FailedCreate'));
  const st = client.actionsOf('update', 'replicasets')[0]!.object!.status;
  assert.equal(st.conditions[0].type, 'ReplicaFailure');
  assert.ok(c.expectations.satisfied('default/web'));
});
