import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { KubeObject } from '@k8ts/api';
import { FakeClient } from './fake-client.js';
import { EventRecorder } from './events.js';

const silent = { warn() {}, debug() {} };

test('creates a core/v1 Event and folds repeats into count/lastTimestamp', async () => {
  const c = new FakeClient();
  const pod = await c.create<KubeObject>('pods', { metadata: { name: 'web-1', namespace: 'shop' }, spec: {} });
  let clock = new Date('2026-11-23T12:00:00Z');
  const r = new EventRecorder(c, 'default-scheduler', 'host-a', { logger: silent, now: () => clock });
  await r.event(pod, 'Normal', 'Scheduled', 'Successfully assigned shop/web-1 to n1');
  const [ev] = c.objects<KubeObject>('events', 'shop');
  assert.ok(ev);
  assert.match(ev.metadata.name!, /^web-1\.[0-9a-f]+$/);
  assert.deepEqual(ev.involvedObject, { kind: 'Pod', namespace: 'shop', name: 'web-1', uid: pod.metadata.uid, apiVersion: 'v1', resourceVersion: pod.metadata.resourceVersion });
  assert.deepEqual(ev.source, { component: 'default-scheduler', host: 'host-a' });
  assert.equal(ev.reason, 'Scheduled');
  assert.equal(ev.type, 'Normal');
  assert.equal(ev.count, 1);
  assert.equal(ev.firstTimestamp, '2026-11-23T12:00:00Z');
  assert.equal(ev.reportingComponent, 'default-scheduler');

  clock = new Date('2026-11-23T12:01:00Z');
  void r.event(pod, 'Normal', 'Scheduled', 'Successfully assigned shop/web-1 to n1');
  void r.event(pod, 'Normal', 'Scheduled', 'Successfully assigned shop/web-1 to n1');
  await r.flush();
  let evs = c.objects<KubeObject>('events', 'shop');
  assert.equal(evs.length, 1);
  assert.equal(evs[0]!.count, 3);
  assert.equal(evs[0]!.lastTimestamp, '2026-11-23T12:01:00Z');
  assert.equal(evs[0]!.firstTimestamp, '2026-11-23T12:00:00Z');

  await r.event(pod, 'Warning', 'FailedScheduling', 'other message');
  assert.equal(c.objects('events', 'shop').length, 2);

  // After 10 minutes a repeat starts a new Event.
  clock = new Date('2026-11-23T12:12:00Z');
  await r.event(pod, 'Normal', 'Scheduled', 'Successfully assigned shop/web-1 to n1');
  evs = c.objects<KubeObject>('events', 'shop');
  assert.equal(evs.length, 3);
});

test('cluster-scoped objects get events in default; failures are logged, never thrown', async () => {
  const c = new FakeClient();
  const node = await c.create<KubeObject>('nodes', { metadata: { name: 'n1' } });
  const warnings: unknown[] = [];
  const r = new EventRecorder(c, 'node-controller', undefined, { logger: { warn: (o: unknown) => void warnings.push(o), debug() {} } });
  await r.event(node, 'Normal', 'RegisteredNode', 'Node n1 event: Registered Node n1 in Controller');
  const [ev] = c.objects<KubeObject>('events', 'default');
  const io = ev!.involvedObject as { kind: string; namespace?: string };
  assert.equal(io.kind, 'Node');
  assert.equal(io.namespace, undefined);
  assert.deepEqual(ev!.source, { component: 'node-controller' });
  c.prependReactor('create', 'events', () => {
    throw new Error('apiserver down');
  });
  await r.event(node, 'Warning', 'X', 'y');
  assert.equal(warnings.length, 1);
});

test('a repeat whose Event was deleted creates a fresh one', async () => {
  const c = new FakeClient();
  const pod = await c.create<KubeObject>('pods', { metadata: { name: 'p', namespace: 'default' }, spec: {} });
  const r = new EventRecorder(c, 'kubelet', 'n1', { logger: silent });
  await r.event(pod, 'Normal', 'Pulled', 'ok');
  const [first] = c.objects<KubeObject>('events');
  await c.delete('events', 'default', first!.metadata.name!);
  await r.event(pod, 'Normal', 'Pulled', 'ok');
  const evs = c.objects<KubeObject>('events');
  assert.equal(evs.length, 1);
  assert.equal(evs[0]!.count, 1);
});
