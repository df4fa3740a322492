import { test } from 'node:test';
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { SchedulingQueue } from './scheduling-queue.js';
import { makePod } from '../testing/fixtures.js';

test('activeQ: higher priority first, then older creationTimestamp, then arrival', async (t) => {
  const q = new SchedulingQueue();
  t.after(() => q.close());
  q.add(makePod('late', { creationTimestamp: '2024-01-01T00:00:05Z' }));
  q.add(makePod('early', { creationTimestamp: '2024-01-01T00:00:01Z' }));
  q.add(makePod('urgent', { creationTimestamp: '2024-01-01T00:00:09Z', priority: 1000 }));
  q.add(makePod('late2', { creationTimestamp: '2024-01-01T00:00:05Z' }));
  const order = [];
  for (let i = 0; i < 4; i++) order.push((await q.pop())!.pod.metadata!.name);
  assert.deepEqual(order, ['urgent', 'early', 'late', 'late2']);
});

test('pop waits for a pod; close releases it with undefined', async () => {
  const q = new SchedulingQueue();
  const p = q.pop();
  setTimeout(() => q.add(makePod('x')), 10);
  assert.equal((await p)!.key, 'default/x');
  const p2 = q.pop();
  q.close();
  assert.equal(await p2, undefined);
});

test('backoff doubles per attempt from the initial value up to the cap', () => {
  const q = new SchedulingQueue({ initialBackoffMs: 1000, maxBackoffMs: 10_000 });
  q.close();
  assert.deepEqual([1, 2, 3, 4, 5, 6].map((a) => q.backoffDuration(a)), [1000, 2000, 4000, 8000, 10_000, 10_000]);
});

test('a failed bind waits out its backoff in backoffQ, then becomes active again', async (t) => {
  const q = new SchedulingQueue({ initialBackoffMs: 80, maxBackoffMs: 400 });
  t.after(() => q.close());
  q.add(makePod('p'));
  const first = (await q.pop())!;
  q.addBackoff(first);
  assert.equal(q.whereIs('default/p'), 'backoff');
  const t0 = Date.now();
  const again = (await q.pop())!;
  const waited = Date.now() - t0;
  assert.equal(again.attempts, 2);
  assert.ok(waited >= 60 && waited < 400, `waited ${waited}ms`);
});

test('unschedulable pods move back only on events their plugins care about', async (t) => {
  const q = new SchedulingQueue({ initialBackoffMs: 1, maxBackoffMs: 1 });
  t.after(() => q.close());
  q.add(makePod('p'));
  const qp = (await q.pop())!;
  q.addUnschedulable(qp, new Set(['NodeAffinity']));
  assert.deepEqual(q.lengths(), { active: 0, backoff: 0, unschedulable: 1 });
  const matters = (ev: string, plugins: ReadonlySet<string>) => !(plugins.has('NodeAffinity') && ev === 'AssignedPodDelete');
  assert.equal(q.moveAllToActiveOrBackoff('AssignedPodDelete', matters), 0);
  await sleep(5);
  assert.equal(q.moveAllToActiveOrBackoff('NodeAdd', matters), 1);
  assert.equal(q.whereIs('default/p'), 'active');
});

test('an event during the backoff window parks the pod in backoffQ', async (t) => {
  const q = new SchedulingQueue({ initialBackoffMs: 5000, maxBackoffMs: 10_000 });
  t.after(() => q.close());
  q.add(makePod('p'));
  q.addUnschedulable((await q.pop())!, new Set(['NodeResourcesFit']));
  q.moveAllToActiveOrBackoff('NodeAdd');
  assert.equal(q.whereIs('default/p'), 'backoff');
});

test('unschedulable pods are retried after the timeout without any event', async (t) => {
  const q = new SchedulingQueue({ initialBackoffMs: 1, maxBackoffMs: 1, unschedulableTimeoutMs: 100 });
  t.after(() => q.close());
  q.add(makePod('p'));
  q.addUnschedulable((await q.pop())!, new Set(['NodeResourcesFit']));
  const t0 = Date.now();
  const again = await q.pop();
  assert.equal(again!.key, 'default/p');
  assert.ok(Date.now() - t0 >= 90);
});

test('updates: a spec change retries an unschedulable pod, a status-only change does not; delete removes', async (t) => {
  const q = new SchedulingQueue({ initialBackoffMs: 1, maxBackoffMs: 1 });
  t.after(() => q.close());
  const pod = makePod('p');
  q.add(pod);
  q.addUnschedulable((await q.pop())!, new Set(['NodeAffinity']));
  await sleep(5);
  const statusOnly = { ...pod, status: { phase: 'Pending', conditions: [{ type: 'PodScheduled', status: 'False' }] } };
  q.update(pod, statusOnly);
  assert.equal(q.whereIs('default/p'), 'unschedulable');
  const relabelled = { ...statusOnly, spec: { ...pod.spec!, nodeSelector: { gpu: 'true' } } };
  q.update(statusOnly, relabelled);
  assert.equal(q.whereIs('default/p'), 'active');
  q.delete(relabelled);
  assert.equal(q.whereIs('default/p'), undefined);
  assert.deepEqual(q.lengths(), { active: 0, backoff: 0, unschedulable: 0 });
});
