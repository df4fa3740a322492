import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { KubeObject } from '@k8ts/api';
import { FakeClient } from './fake-client.js';
import { LeaderElector } from './leader-election.js';
import { ApiError, type Client } from './types.js';

const silent = { debug() {}, info() {}, warn() {}, error() {} };
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
async function until(cond: () => boolean, ms = 5000): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error('condition not met in time');
    await sleep(10);
  }
}

/** A view of the shared FakeClient that can be cut off, as a partitioned process would be. */
function partitionable(inner: FakeClient): { client: Client; cut(): void } {
  let cut = false;
  const guard = <T>(fn: () => Promise<T>): Promise<T> =>
    cut ? Promise.reject(new ApiError(503, 'ServiceUnavailable', { code: 503, message: 'partitioned' })) : fn();
  const client: Client = {
    get: (...a) => guard(() => inner.get(...a)),
    list: (...a) => guard(() => inner.list(...a)),
    create: (...a) => guard(() => inner.create(...a)),
    update: (...a) => guard(() => inner.update(...a)),
    patch: (...a) => guard(() => inner.patch(...a)),
    delete: (...a) => guard(() => inner.delete(...a)),
    createSubresource: (...a) => guard(() => inner.createSubresource(...a)),
    watch: (...a) => inner.watch(...a),
    close: () => {},
  };
  return { client, cut: () => void (cut = true) };
}

const timing = { leaseDurationSeconds: 1, renewDeadlineSeconds: 0.6, retryPeriodSeconds: 0.1 };

function candidate(client: Client, identity: string, log: string[]) {
  return new LeaderElector({
    client,
    name: 'scheduler',
    identity,
    ...timing,
    logger: silent,
    onStartedLeading: () => void log.push(`${identity} started`),
    onStoppedLeading: () => void log.push(`${identity} stopped`),
    onNewLeader: (id) => void log.push(`${identity} sees ${id}`),
  });
}

test('one of two candidates leads; when it stops renewing the other takes over', async (t) => {
  const fake = new FakeClient();
  const a = partitionable(fake);
  const log: string[] = [];
  const ea = candidate(a.client, 'a', log);
  const eb = candidate(fake, 'b', log);
  t.after(() => Promise.all([ea.stop(), eb.stop()]));
  const runA = ea.run();
  await until(() => ea.isLeader());
  void eb.run();
  await until(() => log.includes('b sees a'));
  await sleep(1500); // longer than the lease: a keeps renewing, so b must not take over
  assert.equal(eb.isLeader(), false);
  const lease = fake.peek<KubeObject>('leases', 'kube-system', 'scheduler')!;
  assert.equal(lease.spec.holderIdentity, 'a');
  assert.equal(lease.spec.leaseTransitions, 0);
  assert.equal(lease.spec.leaseDurationSeconds, 1);
  assert.match(lease.spec.renewTime, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$/);
  assert.equal(lease.spec.acquireTime.length, 27);
  assert.ok(Number(lease.metadata.resourceVersion) > 5, 'renewed several times');

  const cutAt = Date.now();
  a.cut();
  await runA; // a steps down after renewDeadline
  const steppedDown = Date.now() - cutAt;
  assert.ok(steppedDown >= 500 && steppedDown < 1200, `a stepped down after ${steppedDown} ms`);
  assert.equal(ea.isLeader(), false);
  await until(() => eb.isLeader(), 3000);
  const tookOver = Date.now() - cutAt;
  assert.ok(tookOver >= 900, `b waited for the lease to expire (${tookOver} ms)`);
  const after = fake.peek<KubeObject>('leases', 'kube-system', 'scheduler')!;
  assert.equal(after.spec.holderIdentity, 'b');
  assert.equal(after.spec.leaseTransitions, 1);
  assert.deepEqual(log.filter((l) => l.endsWith('started') || l.endsWith('stopped')), ['a started', 'a stopped', 'b started']);
  assert.ok(log.includes('b sees b'));
});

test('stop() releases the lease so the next candidate leads at once; onStartedLeading gets an abort signal', async (t) => {
  const fake = new FakeClient();
  const log: string[] = [];
  let signal: AbortSignal | undefined;
  const ea = new LeaderElector({ client: fake, name: 'cm', identity: 'a', ...timing, logger: silent, onStartedLeading: (s) => void (signal = s) });
  const eb = candidate(fake, 'b', log);
  t.after(() => Promise.all([ea.stop(), eb.stop()]));
  void ea.run();
  await until(() => ea.isLeader());
  void eb.run();
  await sleep(200);
  const stoppedAt = Date.now();
  await ea.stop();
  assert.equal(signal!.aborted, true);
  const released = fake.peek<KubeObject>('leases', 'kube-system', 'cm')!;
  assert.equal(released.spec.holderIdentity, '');
  await until(() => eb.isLeader(), 3000);
  // A released lease is free after its 1 s duration at most, not after a full renew cycle.
  assert.ok(Date.now() - stoppedAt < 1500);
});

test('candidates that start together never both lead', async (t) => {
  const fake = new FakeClient();
  const log: string[] = [];
  const es = ['x', 'y', 'z'].map((id) => candidate(fake, id, log));
  t.after(() => Promise.all(es.map((e) => e.stop())));
  for (const e of es) void e.run();
  await until(() => es.some((e) => e.isLeader()));
  for (let i = 0; i < 10; i++) {
    assert.equal(es.filter((e) => e.isLeader()).length, 1);
    await sleep(50);
  }
  assert.equal(log.filter((l) => l.endsWith('started')).length, 1);
});

test('a leader renews with one update from the Lease it last saw (client-go\'s fast path), and reads it again after a conflict', async (t) => {
  const fake = new FakeClient();
  const e = candidate(fake, 'a', []);
  t.after(() => e.stop());
  void e.run();
  await until(() => e.isLeader());
  const from = fake.actions.length;
  await until(() => fake.actions.slice(from).filter((a) => a.verb === 'update').length >= 5);
  assert.deepEqual([...new Set(fake.actions.slice(from).map((a) => a.verb))], ['update'], 'renewals without a get');
  // Someone else writes the Lease: the next optimistic update conflicts, the leader reads and renews.
  const lease = fake.peek<KubeObject>('leases', 'kube-system', 'scheduler')!;
  await fake.update('leases', { ...lease, metadata: { ...lease.metadata, labels: { touched: 'yes' } } });
  const touched = fake.actions.length;
  await until(() => fake.actions.slice(touched).some((a) => a.verb === 'get') && fake.actions.slice(touched).filter((a) => a.verb === 'update').length >= 3);
  assert.equal(e.isLeader(), true);
  const now = fake.peek<KubeObject>('leases', 'kube-system', 'scheduler')!;
  assert.equal(now.spec.holderIdentity, 'a');
  assert.equal(now.metadata.labels?.touched, 'yes');
  assert.equal(now.spec.leaseTransitions, 0);
});

test('rejects timings client-go rejects', () => {
  assert.throws(() => new LeaderElector({ client: new FakeClient(), name: 'x', identity: 'i', leaseDurationSeconds: 2, renewDeadlineSeconds: 2, logger: silent }));
});
