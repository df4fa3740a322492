import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SchedulerCache } from './scheduler-cache.js';
import { newPodInfo } from '../framework/pod-info.js';
import { makeNode, makePod } from '../testing/fixtures.js';

const bound = (name: string, node: string, cpu = '500m') => ({ ...makePod(name, { cpu }), spec: { ...makePod(name, { cpu }).spec!, nodeName: node } });

test('assume counts the pod at once; the watch confirms it; a failed bind forgets it', () => {
  let now = 0;
  const c = new SchedulerCache({ assumedTtlMs: 1000, now: () => now });
  c.addNode(makeNode('a', { cpu: '2' }));
  const p1 = newPodInfo(makePod('p1', { cpu: '500m' }));
  c.assumePod(p1, 'a');
  assert.equal(c.get('a')!.requested.cpuMillis, 500);
  assert.equal(c.isAssumed('default/p1'), true);
  // The watch shows it bound: confirmed, counted once.
  c.addOrUpdatePod(bound('p1', 'a'));
  assert.equal(c.isAssumed('default/p1'), false);
  assert.equal(c.get('a')!.requested.cpuMillis, 500);
  assert.equal(c.get('a')!.pods.size, 1);
  // A second assumption whose bind fails is forgotten.
  c.assumePod(newPodInfo(makePod('p2', { cpu: '1' })), 'a');
  assert.equal(c.get('a')!.requested.cpuMillis, 1500);
  c.forgetPod('default/p2');
  assert.equal(c.get('a')!.requested.cpuMillis, 500);
  assert.equal(c.nodeOf('default/p2'), undefined);
});

test('a finished bind the watch never confirms expires after the TTL, not before', () => {
  let now = 0;
  const c = new SchedulerCache({ assumedTtlMs: 1000, now: () => now });
  c.addNode(makeNode('a'));
  c.assumePod(newPodInfo(makePod('p', { cpu: '1' })), 'a');
  now = 5000;
  assert.deepEqual(c.cleanupExpired(), []); // bind still in flight: no clock yet
  c.finishBinding('default/p');
  now = 5999;
  assert.deepEqual(c.cleanupExpired(), []);
  now = 6000;
  assert.deepEqual(c.cleanupExpired(), ['default/p']);
  assert.equal(c.get('a')!.requested.cpuMillis, 0);
  // Confirmed by the watch after its bind finished: bound, never expired.
  c.assumePod(newPodInfo(makePod('q', { cpu: '1' })), 'a');
  c.finishBinding('default/q');
  c.addOrUpdatePod(bound('q', 'a', '1'));
  now = 60_000;
  assert.deepEqual(c.cleanupExpired(), []);
  assert.equal(c.get('a')!.requested.cpuMillis, 1000);
  // Assumed again after being forgotten: its clock starts anew.
  c.assumePod(newPodInfo(makePod('r', { cpu: '1' })), 'a');
  c.forgetPod('default/r');
  c.assumePod(newPodInfo(makePod('r', { cpu: '1' })), 'a');
  assert.deepEqual(c.cleanupExpired(), []);
});

test('the watch placing a pod elsewhere than assumed moves it; deletes and terminal pods free resources', () => {
  const c = new SchedulerCache();
  c.addNode(makeNode('a'));
  c.addNode(makeNode('b'));
  c.assumePod(newPodInfo(makePod('p', { cpu: '500m' })), 'a');
  c.addOrUpdatePod(bound('p', 'b'));
  assert.equal(c.get('a')!.requested.cpuMillis, 0);
  assert.equal(c.get('b')!.requested.cpuMillis, 500);
  const done = bound('p', 'b');
  done.status = { phase: 'Succeeded' };
  c.addOrUpdatePod(done);
  assert.equal(c.get('b')!.requested.cpuMillis, 0);
  c.addOrUpdatePod(bound('q', 'b'));
  c.removePod('default/q');
  assert.equal(c.get('b')!.pods.size, 0);
});

test('nodes: pods on a deleted node keep a placeholder outside the snapshot', () => {
  const c = new SchedulerCache();
  c.addNode(makeNode('a'));
  c.addOrUpdatePod(bound('p', 'a'));
  c.removeNode('a');
  assert.equal(c.nodes.length, 0);
  assert.equal(c.get('a'), undefined);
  c.addNode(makeNode('a'));
  assert.equal(c.get('a')!.pods.size, 1);
  // A pod seen before its node: counted once the node arrives.
  c.addOrUpdatePod(bound('early', 'late-node'));
  assert.equal(c.nodes.length, 1);
  c.addNode(makeNode('late-node'));
  assert.equal(c.get('late-node')!.pods.size, 1);
});

test('a confirmed pod keeps the parsed spec of its assumption but takes its new labels; another pod of the same name is read anew', () => {
  const c = new SchedulerCache({ assumedTtlMs: 1000, now: () => 0 });
  c.addNode(makeNode('a', { cpu: '4' }));
  const pending = { ...makePod('p', { cpu: '500m' }), metadata: { ...makePod('p').metadata, uid: 'u-1', labels: { app: 'web' } } };
  const assumed = newPodInfo(pending);
  c.assumePod(assumed, 'a');
  const confirmed = { ...pending, metadata: { ...pending.metadata, labels: { app: 'web', tier: 'front' } }, spec: { ...pending.spec!, nodeName: 'a' } };
  c.addOrUpdatePod(confirmed);
  const info = c.get('a')!.pods.get('default/p')!;
  assert.equal(info.pod, confirmed);
  assert.equal(info.requests, assumed.requests); // not parsed again
  assert.deepEqual(info.labels, { app: 'web', tier: 'front' });
  assert.equal(c.get('a')!.requested.cpuMillis, 500);
  // Deleted and created again under the same name (a new uid), bound with other requests.
  const successor = { ...makePod('p', { cpu: '1' }), metadata: { ...makePod('p').metadata, uid: 'u-2' }, spec: { ...makePod('p', { cpu: '1' }).spec!, nodeName: 'a' } };
  c.addOrUpdatePod(successor);
  assert.equal(c.get('a')!.requested.cpuMillis, 1000);
  assert.equal(c.get('a')!.pods.size, 1);
});
