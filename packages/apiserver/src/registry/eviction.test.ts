// pods/eviction against PodDisruptionBudgets, on the real registry over the in-memory etcd.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import type { KubeObject } from '@k8ts/api';
import { ApiError } from '@k8ts/client';
import { EtcdRegistry } from './registry.js';
import { memoryStore } from '../storage/memory-kv.js';

let registry: EtcdRegistry;
const NS = 'default';

before(async () => {
  registry = new EtcdRegistry({ store: memoryStore().store });
  await registry.ensureSystemNamespaces();
});
after(() => registry.close());

async function runningPod(name: string, labels: Record<string, string>, ready = true): Promise<void> {
  await registry.create('pods', NS, { apiVersion: 'v1', kind: 'Pod', metadata: { name, labels }, spec: { containers: [{ name: 'c', image: 'busybox' }], nodeName: 'n1' } });
  const p = await registry.get('pods', NS, name);
  p.status = { ...p.status, phase: 'Running', conditions: [{ type: 'Ready', status: ready ? 'True' : 'False' }] };
  await registry.update('pods', NS, name, p, { subresource: 'status' });
}

async function pdb(name: string, app: string, status: Record<string, unknown>): Promise<void> {
  const created = await registry.create('poddisruptionbudgets', NS, { apiVersion: 'policy/v1', kind: 'PodDisruptionBudget', metadata: { name }, spec: { minAvailable: 2, selector: { matchLabels: { app } } } });
  await registry.update('poddisruptionbudgets', NS, name, { ...created, status: { observedGeneration: 1, ...status } }, { subresource: 'status' });
}

const evict = (name: string) => registry.createSubresource('pods', NS, name, 'eviction', { apiVersion: 'policy/v1', kind: 'Eviction', metadata: { name, namespace: NS } } as KubeObject);

describe('pods/eviction and PodDisruptionBudgets', () => {
  it('refuses with 429 and the DisruptionBudget cause when no disruption is allowed, and changes nothing', async () => {
    await runningPod('a1', { app: 'a' });
    await runningPod('a2', { app: 'a' });
    await pdb('a', 'a', { currentHealthy: 2, desiredHealthy: 2, expectedPods: 2, disruptionsAllowed: 0 });
    const err = await evict('a1').then(
      () => assert.fail('evicted'),
      (e: unknown) => e as ApiError,
    );
    assert.ok(err instanceof ApiError);
    assert.equal(err.code, 429);
    assert.equal(err.status.reason, 'TooManyRequests');
    assert.equal(err.status.message, "Cannot evict pod as it would violate the pod's disruption budget.");
    assert.deepEqual(err.status.details?.causes, [{ reason: 'DisruptionBudget', message: 'The disruption budget a needs 2 healthy pods and has 2 currently' }]);
    assert.ok(await registry.get('pods', NS, 'a1'));
    assert.equal((await registry.get('poddisruptionbudgets', NS, 'a')).status.disruptionsAllowed, 0);
  });

  it('a pod under two budgets is a 429 that says so (kube-apiserver answers 500), and stays', async () => {
    await runningPod('t1', { app: 't', tier: 'x' });
    await pdb('t-app', 't', { currentHealthy: 3, desiredHealthy: 1, expectedPods: 3, disruptionsAllowed: 2 });
    await registry.create('poddisruptionbudgets', NS, { apiVersion: 'policy/v1', kind: 'PodDisruptionBudget', metadata: { name: 't-tier' }, spec: { maxUnavailable: 1, selector: { matchLabels: { tier: 'x' } } } });
    const err = await evict('t1').then(
      () => assert.fail('evicted'),
      (e: unknown) => e as ApiError,
    );
    assert.equal(err.code, 429);
    assert.match(err.status.message ?? '', /more than one PodDisruptionBudget/);
    assert.ok(await registry.get('pods', NS, 't1'));
  });

  it('takes an allowed disruption: decrements the budget, records the pod, deletes it', async () => {
    await runningPod('b1', { app: 'b' });
    await runningPod('b2', { app: 'b' });
    await runningPod('b3', { app: 'b' });
    await pdb('b', 'b', { currentHealthy: 3, desiredHealthy: 2, expectedPods: 3, disruptionsAllowed: 1 });
    const ok = await evict('b1');
    assert.equal((ok as any).status, 'Success');
    const budget = await registry.get('poddisruptionbudgets', NS, 'b');
    assert.equal(budget.status.disruptionsAllowed, 0);
    assert.ok(budget.status.disruptedPods.b1);
    assert.deepEqual(
      budget.status.conditions.map((c: any) => [c.type, c.status, c.reason]),
      [['DisruptionAllowed', 'False', 'InsufficientPods']],
    );
    const gone = await registry.get('pods', NS, 'b1').then((p) => !!p.metadata.deletionTimestamp, (e) => e instanceof ApiError && e.code === 404);
    assert.ok(gone);
    await assert.rejects(evict('b2'), (e: unknown) => e instanceof ApiError && e.code === 429);
  });

  it('a budget not yet observed by its controller is a 429 "still being processed"; pending pods need no budget', async () => {
    await runningPod('c1', { app: 'c' });
    await registry.create('poddisruptionbudgets', NS, { apiVersion: 'policy/v1', kind: 'PodDisruptionBudget', metadata: { name: 'c' }, spec: { maxUnavailable: 0, selector: { matchLabels: { app: 'c' } } } });
    await assert.rejects(evict('c1'), (e: unknown) => e instanceof ApiError && e.code === 429 && /still being processed/.test(String(e.status.details?.causes?.[0]?.message)));
    await registry.create('pods', NS, { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'c2', labels: { app: 'c' } }, spec: { containers: [{ name: 'c', image: 'busybox' }] } });
    await evict('c2');
  });

  it('an unready pod may go while the budget is met (IfHealthyBudget)', async () => {
    await runningPod('d1', { app: 'd' });
    await runningPod('d2', { app: 'd' });
    await runningPod('d3', { app: 'd' }, false);
    await pdb('d', 'd', { currentHealthy: 2, desiredHealthy: 2, expectedPods: 3, disruptionsAllowed: 0 });
    await evict('d3');
    await assert.rejects(evict('d1'), (e: unknown) => e instanceof ApiError && e.code === 429);
  });
});

describe('pods/eviction marks the pod', () => {
  it('a running pod being evicted carries DisruptionTarget (EvictionByEvictionAPI)', async () => {
    await runningPod('e1', { app: 'e' });
    const p = await registry.get('pods', NS, 'e1');
    p.metadata.finalizers = ['example.com/hold'];
    await registry.update('pods', NS, 'e1', p);
    await evict('e1');
    const after = await registry.get('pods', NS, 'e1');
    assert.ok(after.metadata.deletionTimestamp);
    assert.deepEqual(
      after.status.conditions.filter((c: any) => c.type === 'DisruptionTarget').map((c: any) => [c.status, c.reason, c.message]),
      [['True', 'EvictionByEvictionAPI', 'Eviction API: evicting']],
    );
  });
});
