import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Namespace } from '@k8ts/api';
import { NamespaceController } from './controller.js';
import { ctxFor, pod, replicaSet, staticLister, FakeClient } from '../testing/fixtures.js';

test('a terminating namespace has its content deleted and is finalized once empty', async () => {
  const client = new FakeClient();
  client.seed('namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'team' }, spec: { finalizers: ['kubernetes'] } });
  client.seed('pods', { ...pod('p', {}), metadata: { name: 'p', namespace: 'team' } });
  client.seed('replicasets', { ...replicaSet('r', 1), metadata: { name: 'r', namespace: 'team' } });
  client.seed('configmaps', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c', namespace: 'team' } });
  client.seed('configmaps', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'keep', namespace: 'default' } });
  const nsObj = client.peek<Namespace>('namespaces', '', 'team')!;
  (nsObj.metadata as any).deletionTimestamp = '2024-01-01T00:00:00Z';
  const { ctx, queue } = ctxFor(client);
  const c = new NamespaceController(ctx, { namespaces: staticLister([nsObj]) }, queue);
  // First pass: content existed when listed, so it comes back later.
  await c.sync('team');
  assert.deepEqual(queue.after.map((x) => x.key), ['team']);
  assert.equal(client.objects('pods', 'team').length, 0);
  assert.equal(client.objects('configmaps', 'team').length, 0);
  assert.equal(client.objects('configmaps', 'default').length, 1);
  await c.sync('team');
  const fin = client.actionsOf('update', 'namespaces').find((a) => a.subresource === 'finalize');
  assert.ok(fin);
  assert.deepEqual(fin.object!.spec.finalizers, []);
});
