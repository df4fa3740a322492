import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Deployment, KubeObject, Pod, PodDisruptionBudget, ReplicaSet } from '@k8ts/api';
import { DisruptionController, DELETION_TIMEOUT_MS } from './controller.js';
import { ctxFor, deployment, pod, replicaSet, staticLister, FakeClient, seedWorld } from '../testing/fixtures.js';

const NOW = Date.parse('2024-01-01T01:00:00Z');

function pdb(name: string, spec: Record<string, unknown>, status?: Record<string, unknown>): PodDisruptionBudget {
  return { apiVersion: 'policy/v1', kind: 'PodDisruptionBudget', metadata: { name, namespace: 'default', uid: `pdb-${name}`, generation: 2 }, spec: { selector: { matchLabels: { app: 'web' } }, ...spec }, ...(status ? { status } : {}) } as PodDisruptionBudget;
}

function setup(objs: [string, KubeObject][]) {
  const client = new FakeClient();
  const world = seedWorld(client, objs);
  const { ctx, recorder, queue } = ctxFor(client, () => NOW);
  const of = <T extends KubeObject>(r: string) => staticLister((world.get(r) ?? []) as T[]);
  const c = new DisruptionController(ctx, { pdbs: of<PodDisruptionBudget>('poddisruptionbudgets'), pods: of<Pod>('pods'), replicasets: of<ReplicaSet>('replicasets'), deployments: of<Deployment>('deployments') }, queue);
  const status = () => client.actionsOf('update', 'poddisruptionbudgets').filter((a) => a.subresource === 'status').at(-1)?.object?.status;
  return { client, recorder, queue, c, status };
}

test('minAvailable as an integer: healthy pods beyond it may be disrupted, condition SufficientPods', async () => {
  const ready = (n: string) => pod(n, { app: 'web' }, { node: 'n1', ready: true });
  const { c, status } = setup([['poddisruptionbudgets', pdb('web', { minAvailable: 2 })], ['pods', ready('a')], ['pods', ready('b')], ['pods', ready('c')], ['pods', pod('d', { app: 'web' }, { node: 'n1', ready: false })]]);
  await c.sync('default/web');
  const s = status();
  assert.deepEqual([s.currentHealthy, s.desiredHealthy, s.expectedPods, s.disruptionsAllowed, s.observedGeneration], [3, 2, 4, 1, 2]);
  assert.deepEqual(s.conditions.map((x: any) => [x.type, x.status, x.reason, x.observedGeneration]), [['DisruptionAllowed', 'True', 'SufficientPods', 2]]);
});

test('a budget no drain can meet shows it: 0 allowed, InsufficientPods', async () => {
  const { c, status } = setup([['poddisruptionbudgets', pdb('web', { minAvailable: 3 })], ['pods', pod('a', { app: 'web' }, { node: 'n1', ready: true })], ['pods', pod('b', { app: 'web' }, { node: 'n1', ready: true })]]);
  await c.sync('default/web');
  assert.equal(status().disruptionsAllowed, 0);
  assert.deepEqual(status().conditions.map((x: any) => [x.status, x.reason]), [['False', 'InsufficientPods']]);
});

test('maxUnavailable and percentages count the controllers’ scale (a Deployment through its ReplicaSet)', async () => {
  const d = deployment('web', 4);
  const rs = replicaSet('web-abc', 4);
  (rs.metadata as any).ownerReferences = [{ apiVersion: 'apps/v1', kind: 'Deployment', name: 'web', uid: d.metadata.uid, controller: true }];
  const pods = ['a', 'b', 'c'].map((n) => pod(n, { app: 'web' }, { owner: rs, node: 'n1', ready: true }));
  const { c, status } = setup([['deployments', d], ['replicasets', rs], ...pods.map((p) => ['pods', p] as [string, KubeObject]), ['poddisruptionbudgets', pdb('web', { maxUnavailable: '25%' })]]);
  await c.sync('default/web');
  assert.deepEqual([status().expectedPods, status().desiredHealthy, status().currentHealthy, status().disruptionsAllowed], [4, 3, 3, 0]);
});

test('a pod whose controller cannot be found fails safe: SyncFailed, nothing allowed, an event', async () => {
  const rs = replicaSet('gone', 2);
  const p = pod('a', { app: 'web' }, { owner: rs, node: 'n1', ready: true });
  const { c, status, recorder } = setup([['pods', p], ['poddisruptionbudgets', pdb('web', { minAvailable: '50%' }, { disruptionsAllowed: 1, currentHealthy: 1, desiredHealthy: 0, expectedPods: 1 })]]);
  await c.sync('default/web');
  assert.equal(status().disruptionsAllowed, 0);
  assert.deepEqual(status().conditions.map((x: any) => [x.status, x.reason, x.message]), [['False', 'SyncFailed', 'found no controllers for pod "a"']]);
  assert.ok(recorder.events.some((e) => e.reason === 'CalculateExpectedPodCountFailed'));
});

test('a pod just evicted is not healthy until its deletion shows, and counts again after the timeout', async () => {
  const recent = new Date(NOW - 1000).toISOString().replace(/\.\d{3}Z$/, 'Z');
  const old = new Date(NOW - DELETION_TIMEOUT_MS - 1000).toISOString().replace(/\.\d{3}Z$/, 'Z');
  const ready = (n: string) => pod(n, { app: 'web' }, { node: 'n1', ready: true });
  const { c, status, queue } = setup([
    ['pods', ready('a')],
    ['pods', ready('b')],
    ['pods', ready('c')],
    ['poddisruptionbudgets', pdb('web', { minAvailable: 1 }, { disruptedPods: { a: recent, b: old, gone: recent } })],
  ]);
  await c.sync('default/web');
  assert.deepEqual(status().disruptedPods, { a: recent });
  assert.equal(status().currentHealthy, 2);
  assert.equal(status().disruptionsAllowed, 1);
  assert.ok(queue.after.some((a) => a.key === 'default/web' && a.delayMs > 0 && a.delayMs <= DELETION_TIMEOUT_MS));
});

test('pod events queue the budgets that select the pod', () => {
  const { c, queue } = setup([['poddisruptionbudgets', pdb('web', { minAvailable: 1 })], ['poddisruptionbudgets', { ...pdb('other', { minAvailable: 1 }), spec: { selector: { matchLabels: { app: 'db' } } } } as any]]);
  c.onPod(pod('x', { app: 'web' }));
  assert.deepEqual(queue.added, ['default/web']);
});

test('any controller serving /scale counts by its Scale (as a StatefulSet would)', async () => {
  const owner = deployment('direct', 5);
  const p = pod('a', { app: 'web' }, { owner, ownerKind: 'Deployment', node: 'n1', ready: true });
  const client = new FakeClient();
  const world = seedWorld(client, [['pods', p], ['poddisruptionbudgets', pdb('web', { maxUnavailable: 1 })]]);
  const { ctx } = ctxFor(client, () => NOW);
  const asked: string[] = [];
  const of = <T extends KubeObject>(r: string) => staticLister((world.get(r) ?? []) as T[]);
  const c = new DisruptionController(
    ctx,
    {
      pdbs: of<PodDisruptionBudget>('poddisruptionbudgets'),
      pods: of<Pod>('pods'),
      replicasets: of<ReplicaSet>('replicasets'),
      deployments: staticLister<Deployment>([]),
      getScale: async (resource, ns, name) => {
        asked.push(`${resource}/${ns}/${name}`);
        return { apiVersion: 'autoscaling/v1', kind: 'Scale', metadata: { name, namespace: ns, uid: owner.metadata.uid }, spec: { replicas: 5 } };
      },
    },
    new (await import('../framework/types.js')).RecordingQueue(),
  );
  await c.sync('default/web');
  assert.deepEqual(asked, ['deployments/default/direct']);
  const s = client.actionsOf('update', 'poddisruptionbudgets').at(-1)!.object!.status;
  assert.deepEqual([s.expectedPods, s.desiredHealthy, s.currentHealthy], [5, 4, 1]);
});
