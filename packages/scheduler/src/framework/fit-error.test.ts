import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fitErrorMessage } from './fit-error.js';
import { unresolvable, unschedulable } from './status.js';
import { Framework } from './framework.js';
import { PodScheduler } from './schedule-pod.js';
import { defaultPlugins } from '../plugins/registry.js';
import { snapshotOf } from './snapshot.js';
import { makeNode, makePod, nodeInfo, podInfo } from '../testing/fixtures.js';

test('message format: counts per reason, sorted as strings, Kubernetes wording', () => {
  const msg = fitErrorMessage(3, [
    unschedulable('Insufficient cpu'),
    unresolvable("node(s) didn't match Pod's node affinity/selector"),
    unschedulable('Insufficient cpu'),
  ]);
  assert.equal(msg, "0/3 nodes are available: 1 node(s) didn't match Pod's node affinity/selector, 2 Insufficient cpu.");
  // Go's sort.Strings: "10 ..." sorts before "2 ...".
  const many = [...Array(10)].map(() => unschedulable('Too many pods')).concat([unschedulable('Insufficient memory'), unschedulable('Insufficient memory')]);
  assert.equal(fitErrorMessage(12, many), '0/12 nodes are available: 10 Too many pods, 2 Insufficient memory.');
  // A node with several reasons counts once per reason.
  assert.equal(fitErrorMessage(1, [unschedulable('Insufficient cpu', 'Insufficient memory')]), '0/1 nodes are available: 1 Insufficient cpu, 1 Insufficient memory.');
});

test('the default profile produces the issue example for a real cluster shape', () => {
  const nodes = [
    nodeInfo(makeNode('agent-1', { cpu: '1' }), makePod('big', { cpu: '900m' })),
    nodeInfo(makeNode('agent-2', { cpu: '1' }), makePod('big2', { cpu: '900m' })),
    nodeInfo(makeNode('agent-3', { cpu: '8', labels: { disk: 'hdd' } })),
  ];
  const pod = makePod('web-1', { cpu: '500m', affinity: { nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [{ matchExpressions: [{ key: 'disk', operator: 'NotIn', values: ['hdd'] }] }] } } } });
  const s = new PodScheduler(new Framework(defaultPlugins()));
  assert.throws(
    () => s.schedule(snapshotOf(nodes), podInfo(pod)),
    (e: Error) => e.message === "0/3 nodes are available: 1 node(s) didn't match Pod's node affinity/selector, 2 Insufficient cpu.",
  );
});

test('a feasible node is chosen; ties break at random among the best', () => {
  const nodes = [nodeInfo(makeNode('a')), nodeInfo(makeNode('b')), nodeInfo(makeNode('c'))];
  const seen = new Set<string>();
  const s = new PodScheduler(new Framework(defaultPlugins()));
  for (let i = 0; i < 60; i++) seen.add(s.schedule(snapshotOf(nodes), podInfo(makePod('p', { cpu: '100m' }))).node);
  assert.deepEqual([...seen].sort(), ['a', 'b', 'c']);
  // The emptier node wins when they differ.
  const busy = [nodeInfo(makeNode('a'), makePod('x', { cpu: '3', memory: '6Gi' })), nodeInfo(makeNode('b'))];
  assert.equal(s.schedule(snapshotOf(busy), podInfo(makePod('p', { cpu: '100m' }))).node, 'b');
});

test('bad input surfaces as a PluginError naming the plugin', () => {
  const s = new PodScheduler(new Framework(defaultPlugins()));
  const pod = makePod('p', { affinity: { nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [{ matchExpressions: [{ key: 'a', operator: 'Sometimes' }] }] } } } });
  assert.throws(() => s.schedule(snapshotOf([nodeInfo(makeNode('a'))]), podInfo(pod)), /running PreFilter plugin "NodeAffinity": .*Unsupported value: "Sometimes"/);
  assert.throws(() => s.schedule(snapshotOf([]), podInfo(makePod('p'))), /no nodes available to schedule pods/);
});
