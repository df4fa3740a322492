import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ApiError } from '@k8ts/client';
import { PriorityLevel } from './priority-level.js';
import { RequestLimiter } from './limiter.js';
import { classify } from './classify.js';

const is429 = (e: unknown) => e instanceof ApiError && e.code === 429 && e.reason === 'TooManyRequests' && e.status.details?.retryAfterSeconds === 1;

test('a level serves its seats at once, queues the next in order, refuses past the queue', async () => {
  const l = new PriorityLevel({ name: 't', seats: 2, queueLength: 2, maxWaitMs: 10_000 });
  const a = l.acquire() as () => void;
  const b = l.acquire() as () => void;
  assert.equal(typeof a, 'function');
  assert.equal(l.inflight, 2);
  const order: string[] = [];
  const c = (l.acquire() as Promise<() => void>).then((r) => (order.push('c'), r));
  const d = (l.acquire() as Promise<() => void>).then((r) => (order.push('d'), r));
  assert.throws(() => l.acquire(), is429);
  a();
  a(); // a second release of the same seat frees nothing more
  const rc = await c;
  assert.deepEqual(order, ['c']);
  assert.equal(l.inflight, 2);
  b();
  const rd = await d;
  rc();
  rd();
  assert.equal(l.inflight, 0);
  assert.equal(l.queued, 0);
  assert.equal(l.refusals['queue-full'], 1);
});

test('a queued request is refused with 429 once it has waited the cap', async () => {
  const l = new PriorityLevel({ name: 't', seats: 1, queueLength: 5, maxWaitMs: 30 });
  const a = l.acquire() as () => void;
  await assert.rejects(l.acquire() as Promise<unknown>, is429);
  assert.equal(l.queued, 0);
  assert.equal(l.refusals['time-out'], 1);
  a();
  assert.equal(l.inflight, 0);
});

test('the cluster\'s own traffic has levels of its own; a flood of one user does not take their seats', async () => {
  assert.equal(classify({ name: 'admin', groups: ['system:masters'] }, 'pods'), 'exempt');
  assert.equal(classify({ name: 'system:node:a', groups: ['system:nodes'] }, 'leases'), 'leader-election');
  assert.equal(classify({ name: 'system:node:a', groups: ['system:nodes'] }, 'pods'), 'node-high');
  assert.equal(classify({ name: 'system:kube-scheduler', groups: [] }, 'pods'), 'workload-high');
  assert.equal(classify({ name: 'system:serviceaccount:d:x', groups: ['system:serviceaccounts'] }, 'pods'), 'workload-low');
  assert.equal(classify({ name: 'alice', groups: ['system:authenticated'] }, 'pods'), 'global-default');

  const lim = new RequestLimiter({ totalSeats: 21, maxWaitMs: 10_000 });
  const alice = { name: 'alice', groups: ['system:authenticated'] };
  const held: (() => void)[] = [];
  let refused = 0;
  const waits: Promise<unknown>[] = [];
  for (let i = 0; i < 100; i++) {
    try {
      const r = lim.admit(alice, 'pods');
      if (typeof r === 'function') held.push(r);
      else waits.push(r.then((x) => held.push(x), () => refused++));
    } catch (e) {
      assert.ok(is429(e));
      refused++;
    }
  }
  assert.ok(refused > 80, `refused ${refused}`);
  const node = lim.admit({ name: 'system:node:a', groups: ['system:nodes'] }, 'leases');
  assert.equal(typeof node, 'function', 'a node renewing its lease gets a seat at once');
  (node as () => void)();
  for (const r of held.splice(0)) r();
  await Promise.all(waits);
  for (const r of held) r();
});
