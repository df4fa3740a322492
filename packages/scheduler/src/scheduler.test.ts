// The whole scheduler (informers, queue, cache, plugins, binding, feedback) over FakeClient.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Pod } from '@k8ts/api';
import { ApiError, createLogger } from '@k8ts/client';
import { FakeClient } from '@k8ts/client/testing';
import { startScheduler, type RunningScheduler } from './start.js';
import { makeNode, makePod } from './testing/fixtures.js';

const logger = createLogger('scheduler-test');
logger.level = process.env.K8TS_LOG_LEVEL ?? 'silent';

async function until<T>(what: string, f: () => T | undefined | false, timeoutMs = 5000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = f();
    if (v) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(10);
  }
}

function nodeOf(c: FakeClient, name: string): string | undefined {
  return c.peek<Pod>('pods', 'default', name)?.spec?.nodeName;
}

async function start(c: FakeClient, t: { after(fn: () => Promise<void>): void }, extra = {}): Promise<RunningScheduler> {
  const s = await startScheduler({ client: c, leaderElect: false, logger, queue: { initialBackoffMs: 50, maxBackoffMs: 200 }, ...extra });
  t.after(() => s.stop());
  return s;
}

test('3 replicas of one ReplicaSet on 3 equal nodes land one per node', async (t) => {
  const c = new FakeClient();
  for (const n of ['agent-1', 'agent-2', 'agent-3']) c.seed('nodes', makeNode(n));
  await start(c, t);
  for (const p of ['web-1', 'web-2', 'web-3']) await c.create('pods', makePod(p, { owner: 'web', cpu: '100m', labels: { app: 'web' } }));
  const placed = await until('all bound', () => {
    const ns = ['web-1', 'web-2', 'web-3'].map((p) => nodeOf(c, p));
    return ns.every(Boolean) && ns;
  });
  assert.deepEqual([...placed].sort(), ['agent-1', 'agent-2', 'agent-3']);
  // A Normal Scheduled event per pod, Kubernetes wording.
  await until('events', () => c.actions.filter((a) => a.resource === 'events' && a.verb === 'create').length >= 3);
  const evs = (await c.list('events', { namespace: 'default' })).items as any[];
  const w1 = evs.find((e) => e.involvedObject.name === 'web-1');
  assert.equal(w1.reason, 'Scheduled');
  assert.equal(w1.type, 'Normal');
  assert.equal(w1.message, `Successfully assigned default/web-1 to ${nodeOf(c, 'web-1')}`);
  assert.equal(w1.source.component, 'default-scheduler');
});

test('metrics on the ops port: attempts by result, e2e latency, queue lengths', async (t) => {
  const c = new FakeClient();
  c.seed('nodes', makeNode('n', { cpu: '1' }));
  const s = await start(c, t, { opsPort: 0 });
  await c.create('pods', makePod('fits', { cpu: '100m' }));
  await c.create('pods', makePod('too-big', { cpu: '4' }));
  await until('bound', () => nodeOf(c, 'fits'));
  await until('parked', () => s.scheduler.queue.whereIs('default/too-big') === 'unschedulable');
  const text = await (await fetch(`http://127.0.0.1:${s.opsPort}/metrics`)).text();
  const metric = (name: string, labels: Record<string, string>) =>
    text
      .split('\n')
      .filter((l) => l.startsWith(`${name}{`) && Object.entries(labels).every(([k, v]) => l.includes(`${k}="${v}"`)))
      .map((l) => Number(l.split(' ').pop()))[0];
  assert.equal(metric('scheduler_schedule_attempts_total', { result: 'scheduled' }), 1);
  assert.equal(metric('scheduler_schedule_attempts_total', { result: 'unschedulable' }), 1);
  assert.equal(metric('scheduler_e2e_scheduling_duration_seconds_count', { result: 'scheduled' }), 1);
  assert.equal(metric('scheduler_pending_pods', { queue: 'unschedulable' }), 1);
  assert.equal(metric('scheduler_pending_pods', { queue: 'active' }), 0);
  assert.equal((await fetch(`http://127.0.0.1:${s.opsPort}/readyz`)).status, 200);
});

test('assumed pods: back-to-back pods see each other before the watch confirms', async (t) => {
  const c = new FakeClient();
  c.seed('nodes', makeNode('a', { cpu: '1' }));
  c.seed('nodes', makeNode('b', { cpu: '1' }));
  // Slow binds: the second pod is scheduled while the first bind is still in flight.
  c.prependReactor('create', 'pods', (a) => {
    if (a.subresource === 'binding') return sleep(100).then(() => undefined);
    return undefined;
  });
  await start(c, t);
  await c.create('pods', makePod('p1', { cpu: '700m' }));
  await c.create('pods', makePod('p2', { cpu: '700m' }));
  const [n1, n2] = await until('both bound', () => nodeOf(c, 'p1') && nodeOf(c, 'p2') && [nodeOf(c, 'p1'), nodeOf(c, 'p2')]);
  assert.notEqual(n1, n2);
});

test('no room: PodScheduled=False/Unschedulable with the message and a FailedScheduling event, until a node fits', async (t) => {
  const c = new FakeClient();
  c.seed('nodes', makeNode('agent-1', { cpu: '1' }));
  c.seed('nodes', makeNode('agent-2', { cpu: '1', labels: { disk: 'hdd' } }));
  c.seed('nodes', makeNode('agent-3', { cpu: '1' }));
  const s = await start(c, t);
  const pod = makePod('big', { cpu: '2', affinity: { nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [{ matchExpressions: [{ key: 'disk', operator: 'NotIn', values: ['hdd'] }] }] } } } });
  await c.create('pods', pod);
  const cond = await until('condition', () => (c.peek<Pod>('pods', 'default', 'big')?.status?.conditions ?? []).find((x) => x.type === 'PodScheduled'));
  assert.equal(cond.status, 'False');
  assert.equal(cond.reason, 'Unschedulable');
  assert.equal(cond.message, "0/3 nodes are available: 1 node(s) didn't match Pod's node affinity/selector, 2 Insufficient cpu.");
  const ev = await until('FailedScheduling event', () => c.actions.find((a) => a.resource === 'events' && (a.object as any)?.reason === 'FailedScheduling'));
  assert.equal((ev.object as any).type, 'Warning');
  assert.equal((ev.object as any).message, cond.message);
  assert.equal(s.scheduler.queue.whereIs('default/big'), 'unschedulable');
  // A node with room appears: the pod is retried and lands there.
  await c.create('nodes', makeNode('agent-4', { cpu: '4' }));
  assert.equal(await until('bound', () => nodeOf(c, 'big')), 'agent-4');
});

test('a failed bind releases the assumption and is retried after backoff', async (t) => {
  const c = new FakeClient();
  c.seed('nodes', makeNode('only', { cpu: '1' }));
  let failures = 1;
  c.prependReactor('create', 'pods', (a) => {
    if (a.subresource === 'binding' && failures-- > 0) throw new ApiError(500, 'InternalError', { message: 'etcd hiccup' } as any);
    return undefined;
  });
  const s = await start(c, t);
  await c.create('pods', makePod('p', { cpu: '800m' }));
  assert.equal(await until('bound', () => nodeOf(c, 'p')), 'only');
  assert.equal(s.scheduler.stats.bindFailures, 1);
  // The failed assumption did not linger: the node holds exactly the bound pod.
  await until('confirmed', () => !s.scheduler.cache.isAssumed('default/p') && s.scheduler.cache.get('only')?.requested.cpuMillis === 800);
});

test('bad input: an unknown operator marks the pod Unschedulable with the reason; the queue keeps going', async (t) => {
  const c = new FakeClient();
  c.seed('nodes', makeNode('n'));
  await start(c, t);
  await c.create('pods', makePod('bad', { affinity: { nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [{ matchExpressions: [{ key: 'x', operator: 'Near', values: ['y'] }] }] } } } }));
  await c.create('pods', makePod('bad-cpu', { cpu: 'a lot' }));
  await c.create('pods', makePod('good'));
  assert.equal(await until('good bound', () => nodeOf(c, 'good')), 'n');
  const cond = await until('bad condition', () => c.peek<Pod>('pods', 'default', 'bad')?.status?.conditions?.find((x) => x.type === 'PodScheduled'));
  assert.equal(cond.reason, 'Unschedulable');
  assert.match(cond.message ?? '', /running PreFilter plugin "NodeAffinity": .*Unsupported value: "Near"/);
  const cond2 = await until('bad-cpu condition', () => c.peek<Pod>('pods', 'default', 'bad-cpu')?.status?.conditions?.find((x) => x.type === 'PodScheduled'));
  assert.match(cond2.message ?? '', /invalid resource requests/);
});

test('pods for another scheduler, already bound or terminating are left alone', async (t) => {
  const c = new FakeClient();
  c.seed('nodes', makeNode('n'));
  await start(c, t);
  await c.create('pods', makePod('other', { schedulerName: 'my-scheduler' }));
  await c.create('pods', makePod('mine'));
  await until('mine bound', () => nodeOf(c, 'mine'));
  await sleep(100);
  assert.equal(nodeOf(c, 'other'), undefined);
});

test('leader election: only the leader binds; the standby takes over when it stops', async (t) => {
  const c = new FakeClient();
  c.seed('nodes', makeNode('n', { pods: '500' }));
  const opts = { leaderElect: true, leaseDurationMs: 1000, renewDeadlineMs: 800, retryPeriodMs: 100 };
  const a = await start(c, t, { ...opts, identity: 'a' });
  await until('a leads', () => a.isLeader());
  const b = await start(c, t, { ...opts, identity: 'b' });
  for (let i = 0; i < 20; i++) await c.create('pods', makePod(`p${i}`));
  await until('bound', () => [...Array(20).keys()].every((i) => nodeOf(c, `p${i}`)));
  assert.equal(b.isLeader(), false);
  assert.equal(b.scheduler.stats.scheduled, 0);
  await a.stop();
  await until('b leads', () => b.isLeader(), 3000);
  for (let i = 20; i < 30; i++) await c.create('pods', makePod(`p${i}`));
  await until('bound by b', () => [...Array(30).keys()].every((i) => nodeOf(c, `p${i}`)));
  assert.equal(a.scheduler.stats.scheduled + b.scheduler.stats.scheduled, 30);
  const bindings = c.actions.filter((x) => x.subresource === 'binding').length;
  assert.equal(bindings, 30);
});
