import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { KubeObject, Pod, ReplicaSet } from '@k8ts/api';
import { GarbageCollector, GCResources } from './controller.js';
import { ctxFor, pod, replicaSet, staticLister, FakeClient, seedWorld } from '../testing/fixtures.js';

function setup(objs: [string, KubeObject][]) {
  const client = new FakeClient();
  const world = seedWorld(client, objs);
  const { ctx, queue } = ctxFor(client);
  const listers = Object.fromEntries(GCResources.map((r) => [r, staticLister(world.get(r) ?? [])]));
  const gc = new GarbageCollector(ctx, listers, queue);
  gc.resync();
  const refresh = () => {
    for (const r of GCResources) (listers[r] as ReturnType<typeof staticLister>).set(client.objects(r));
  };
  const drain = async () => {
    while (queue.added.length) await gc.sync(queue.added.shift()!);
  };
  return { client, gc, queue, drain, refresh };
}

test('dependents of a deleted owner are deleted in the background', async () => {
  const rs = replicaSet('web', 2);
  const p1 = pod('web-1', { app: 'web' }, { owner: rs });
  const p2 = pod('web-2', { app: 'web' }, { owner: rs });
  const other = pod('solo', { app: 'web' });
  const w = setup([['replicasets', rs], ['pods', p1], ['pods', p2], ['pods', other]]);
  await w.drain();
  assert.equal(w.client.actionsOf('delete').length, 0); // owner alive
  const gone = w.client.peek<ReplicaSet>('replicasets', 'default', 'web')!;
  await w.client.delete('replicasets', 'default', 'web');
  w.refresh();
  w.gc.handlersFor('replicasets').delete(gone);
  await w.drain();
  const deleted = w.client.actionsOf('delete', 'pods').map((a) => a.name).sort();
  assert.deepEqual(deleted, ['web-1', 'web-2']);
  assert.equal((w.client.actionsOf('delete', 'pods')[0]!.options as any).propagationPolicy, 'Background');
});

test('orphan finalizer: references removed from dependents, then the finalizer', async () => {
  const rs = replicaSet('web', 1);
  (rs.metadata as any).finalizers = ['orphan'];
  const p1 = pod('web-1', { app: 'web' }, { owner: rs });
  const w = setup([['replicasets', rs], ['pods', p1]]);
  await w.client.delete('replicasets', 'default', 'web', { propagationPolicy: 'Orphan' });
  w.refresh();
  w.gc.handlersFor('replicasets').update(rs, w.client.peek('replicasets', 'default', 'web')!);
  await w.drain();
  assert.deepEqual(w.client.peek<Pod>('pods', 'default', 'web-1')!.metadata.ownerReferences, []);
  assert.equal(w.client.peek('replicasets', 'default', 'web'), undefined);
});

test('foreground: blocking dependents deleted first, then the owner finalizer removed', async () => {
  const rs = replicaSet('web', 1);
  (rs.metadata as any).finalizers = ['foregroundDeletion'];
  const p1 = pod('web-1', { app: 'web' }, { owner: rs });
  const w = setup([['replicasets', rs], ['pods', p1]]);
  await w.client.delete('replicasets', 'default', 'web');
  w.refresh();
  const cur = w.client.peek('replicasets', 'default', 'web')!;
  const storedPod = w.client.peek('pods', 'default', 'web-1')!;
  assert.ok(cur.metadata.deletionTimestamp);
  w.gc.handlersFor('replicasets').update(rs, cur);
  await w.drain();
  const del = w.client.actionsOf('delete', 'pods');
  assert.deepEqual([...new Set(del.map((a) => a.name))], ['web-1']);
  assert.ok(del.every((a) => (a.options as any).propagationPolicy === 'Foreground'));
  assert.ok(w.client.peek('replicasets', 'default', 'web')); // still waiting
  w.refresh();
  w.gc.handlersFor('pods').delete(storedPod);
  await w.drain();
  assert.equal(w.client.peek('replicasets', 'default', 'web'), undefined);
});

test('a dependent with another live owner only loses the dangling reference', async () => {
  const a = replicaSet('a', 1);
  const b = replicaSet('b', 1);
  const p = pod('p', {}, { owner: a });
  (p.metadata as any).ownerReferences.push({ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'b', uid: b.metadata.uid });
  const w = setup([['replicasets', a], ['replicasets', b], ['pods', p]]);
  const gone = w.client.peek('replicasets', 'default', 'a')!;
  await w.client.delete('replicasets', 'default', 'a');
  w.refresh();
  w.gc.handlersFor('replicasets').delete(gone);
  await w.drain();
  assert.equal(w.client.actionsOf('delete', 'pods').length, 0);
  assert.deepEqual(w.client.peek<Pod>('pods', 'default', 'p')!.metadata.ownerReferences!.map((r) => r.name), ['b']);
});
