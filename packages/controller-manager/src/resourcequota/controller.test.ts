import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { KubeObject } from '@k8ts/api';
import { ResourceQuotaController } from './controller.js';
import { ctxFor, pod, staticLister, FakeClient, seedWorld } from '../testing/fixtures.js';

const quota = (hard: Record<string, string>, extra: Record<string, unknown> = {}): KubeObject => ({ apiVersion: 'v1', kind: 'ResourceQuota', metadata: { name: 'q', namespace: 'default', uid: 'q1' }, spec: { hard, ...extra } });

function withResources(name: string, requests: Record<string, string>, limits: Record<string, string>, phase = 'Running') {
  const p = pod(name, { app: 'x' }, { node: 'n1', phase });
  p.spec!.containers[0]!.resources = { requests, limits };
  return p;
}

function setup(objs: [string, KubeObject][]) {
  const client = new FakeClient();
  const world = seedWorld(client, objs);
  const { ctx, queue } = ctxFor(client);
  const of = (r: string) => staticLister((world.get(r) ?? []) as KubeObject[]);
  const c = new ResourceQuotaController(ctx, { resourcequotas: of('resourcequotas'), pods: of('pods'), services: of('services'), configmaps: of('configmaps'), secrets: of('secrets') }, queue);
  const status = () => client.actionsOf('update', 'resourcequotas').filter((a) => a.subresource === 'status').at(-1)?.object?.status;
  return { client, c, queue, status };
}

test('status.used sums what the namespace holds of each limited resource; status.hard copies the spec', async () => {
  const { c, status } = setup([
    ['resourcequotas', quota({ pods: '10', 'requests.cpu': '2', 'limits.memory': '1Gi', configmaps: '5', 'count/deployments.apps': '3' })],
    ['pods', withResources('a', { cpu: '250m', memory: '64Mi' }, { memory: '128Mi' })],
    ['pods', withResources('b', { cpu: '500m' }, { memory: '256Mi' })],
    ['pods', withResources('done', { cpu: '1' }, { memory: '1Gi' }, 'Succeeded')],
    ['configmaps', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'cm', namespace: 'default' } }],
  ]);
  await c.sync('default/q');
  assert.deepEqual(status(), {
    hard: { pods: '10', 'requests.cpu': '2', 'limits.memory': '1Gi', configmaps: '5', 'count/deployments.apps': '3' },
    used: { configmaps: '1', 'count/deployments.apps': '0', 'limits.memory': '384Mi', pods: '2', 'requests.cpu': '750m' },
  });
});

test('scopes: a BestEffort quota counts only pods without requests or limits', async () => {
  const { c, status } = setup([
    ['resourcequotas', quota({ pods: '5' }, { scopes: ['BestEffort'] })],
    ['pods', pod('be', { app: 'x' }, { node: 'n1' })],
    ['pods', withResources('burst', { cpu: '100m' }, {})],
  ]);
  await c.sync('default/q');
  assert.equal(status().used.pods, '1');
});

test('an unchanged count writes nothing; deletes, finished pods and spec changes queue a recount, status changes do not', async () => {
  const q = { ...quota({ pods: '1' }), status: { hard: { pods: '1' }, used: { pods: '0' } } };
  const { c, client, queue } = setup([['resourcequotas', q]]);
  await c.sync('default/q');
  assert.equal(client.actionsOf('update', 'resourcequotas').length, 0);
  const running = pod('p', { app: 'x' }, { node: 'n1' });
  c.updatePod(running, { ...running, status: { ...running.status, phase: 'Running' } });
  c.updateQuota(q, { ...q, status: { hard: { pods: '1' }, used: { pods: '1' } } });
  assert.deepEqual(queue.added, []);
  c.deleteObject(running);
  c.updatePod(running, { ...running, status: { ...running.status, phase: 'Succeeded' } });
  c.updateQuota(q, { ...q, spec: { hard: { pods: '2' } } });
  assert.deepEqual(queue.added, ['default/q', 'default/q', 'default/q']);
});
