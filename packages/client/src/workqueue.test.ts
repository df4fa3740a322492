import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Registry } from 'prom-client';
import { WorkQueue, runWorkers, ItemExponentialFailureRateLimiter, BucketRateLimiter, defaultControllerRateLimiter } from './workqueue.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

test('dedups queued keys and never hands one key to two workers', async () => {
  const q = new WorkQueue();
  q.add('a');
  q.add('a');
  q.add('b');
  assert.equal(q.len(), 2);
  const first = await q.get();
  assert.equal(first, 'a');
  q.add('a'); // while processing: marked dirty, not queued
  assert.equal(q.len(), 1);
  assert.equal(await q.get(), 'b');
  const pending = q.get();
  let got: string | undefined;
  void pending.then((x) => (got = x));
  await sleep(5);
  assert.equal(got, undefined, 'a is still processing');
  q.done('a');
  assert.equal(await pending, 'a');
  q.done('a');
  q.done('b');
  q.shutDown();
  assert.equal(await q.get(), undefined);
  q.add('c');
  assert.equal(q.len(), 0, 'no adds after shutdown');
});

test('addAfter delivers later; the earliest of two delays wins', async () => {
  const q = new WorkQueue();
  const t0 = Date.now();
  q.addAfter('x', 200);
  q.addAfter('x', 30);
  assert.equal(q.len(), 0);
  assert.equal(await q.get(), 'x');
  const dt = Date.now() - t0;
  assert.ok(dt >= 25 && dt < 150, `took ${dt} ms`);
  q.done('x');
  await sleep(220);
  assert.equal(q.len(), 0, 'the later delay was dropped');
  q.shutDown();
});

test('rate limiters: per-item exponential backoff and token bucket', () => {
  const r = new ItemExponentialFailureRateLimiter(5, 1000);
  assert.deepEqual([1, 2, 3, 4].map(() => r.when('k')), [5, 10, 20, 40]);
  assert.equal(r.numRequeues('k'), 4);
  for (let i = 0; i < 20; i++) r.when('k');
  assert.equal(r.when('k'), 1000);
  r.forget('k');
  assert.equal(r.when('k'), 5);
  const b = new BucketRateLimiter(10, 3);
  assert.deepEqual([b.when(), b.when(), b.when()], [0, 0, 0]);
  const d = b.when();
  assert.ok(d > 90 && d <= 100, `4th token waits ~100ms, got ${d}`);
  const def = defaultControllerRateLimiter();
  assert.equal(def.when('a'), 5);
  assert.equal(def.when('a'), 10);
  assert.equal(def.numRequeues('a'), 2);
});

test('runWorkers retries failures with backoff, forgets successes, never runs a key twice at once', async () => {
  const q = new WorkQueue({ name: 'test' });
  const attempts = new Map<string, number>();
  const running = new Set<string>();
  let overlap = false;
  const warnings: unknown[] = [];
  const logger = { warn: (o: unknown) => void warnings.push(o), error: () => {} } as any;
  const finished = runWorkers(q, 3, async (key) => {
    if (running.has(key)) overlap = true;
    running.add(key);
    await sleep(10);
    running.delete(key);
    const n = (attempts.get(key) ?? 0) + 1;
    attempts.set(key, n);
    if (key === 'flaky' && n < 3) throw new Error('not yet');
    q.add(key === 'again' && n === 1 ? 'again' : 'zzz-noop');
  }, logger);
  q.add('flaky');
  q.add('again');
  q.add('again');
  await sleep(20);
  q.add('again'); // during processing
  await sleep(200);
  assert.equal(attempts.get('flaky'), 3);
  assert.equal(q.numRequeues('flaky'), 0, 'forgotten after success');
  assert.ok((attempts.get('again') ?? 0) >= 2);
  assert.equal(warnings.length, 2);
  assert.equal(overlap, false);
  q.shutDown();
  await finished;
});

test('runWorkers drops a key after maxRetries', async () => {
  const q = new WorkQueue({ rateLimiter: new ItemExponentialFailureRateLimiter(1, 10) });
  let calls = 0;
  const errors: unknown[] = [];
  const done = runWorkers(q, 1, async () => {
    calls++;
    throw new Error('always');
  }, { warn: () => {}, error: (o: unknown) => void errors.push(o) } as any, { maxRetries: 3 });
  q.add('k');
  await sleep(150);
  assert.equal(calls, 4);
  assert.equal(errors.length, 1);
  q.shutDown();
  await done;
});

test('metrics: depth, adds, retries and work duration per queue name', async () => {
  const registry = new Registry();
  const q = new WorkQueue({ name: 'pods', registry, rateLimiter: new ItemExponentialFailureRateLimiter(1, 5) });
  const q2 = new WorkQueue({ name: 'nodes', registry });
  q.add('a');
  q.add('b');
  q.add('b');
  q2.add('n');
  let fails = 1;
  const done = runWorkers(q, 1, async () => {
    if (fails-- > 0) throw new Error('once');
  }, { warn() {}, error() {} } as any);
  await sleep(50);
  const text = await registry.metrics();
  assert.match(text, /workqueue_adds_total\{name="pods"\} 3/);
  assert.match(text, /workqueue_retries_total\{name="pods"\} 1/);
  assert.match(text, /workqueue_depth\{name="pods"\} 0/);
  assert.match(text, /workqueue_depth\{name="nodes"\} 1/);
  assert.match(text, /workqueue_work_duration_seconds_count\{name="pods"\} 3/);
  q.shutDown();
  q2.shutDown();
  await done;
});
