import { test } from 'node:test';
import assert from 'node:assert/strict';
import { NodeResourcesFit } from './node-resources-fit.js';
import { LeastAllocated } from './least-allocated.js';
import { BalancedAllocation } from './balanced-allocation.js';
import { filterAll, scoreAll } from '../testing/run-plugin.js';
import { makeNode, makePod, nodeInfo } from '../testing/fixtures.js';

test('cpu and memory against allocatable minus the requests of pods already there', () => {
  const nodes = [
    nodeInfo(makeNode('busy', { cpu: '2', memory: '4Gi' }), makePod('a', { cpu: '1500m', memory: '1Gi' })),
    nodeInfo(makeNode('full', { cpu: '1', memory: '1Gi' }), makePod('b', { cpu: '800m', memory: '900Mi' })),
    nodeInfo(makeNode('free', { cpu: '2', memory: '4Gi' })),
  ];
  const r = filterAll(NodeResourcesFit, makePod('p', { cpu: '600m', memory: '512Mi' }), nodes);
  assert.deepEqual(r, { busy: 'Insufficient cpu', full: 'Insufficient cpu, Insufficient memory', free: '' });
  // Exactly the remainder fits.
  assert.equal(filterAll(NodeResourcesFit, makePod('p', { cpu: '500m' }), nodes).busy, '');
});

test('pod count against allocatable pods: Too many pods', () => {
  const n = nodeInfo(makeNode('small', { pods: '2' }), makePod('a'), makePod('b'));
  assert.deepEqual(filterAll(NodeResourcesFit, makePod('p'), [n]), { small: 'Too many pods' });
});

test('init containers count as Kubernetes counts them: max(largest init, sum of apps)', () => {
  const n = nodeInfo(makeNode('n', { cpu: '1' }));
  // Apps need 200m, the init container 900m: the pod needs 900m.
  assert.equal(filterAll(NodeResourcesFit, makePod('p', { cpu: '200m', initCpu: '900m' }), [n]).n, '');
  assert.equal(filterAll(NodeResourcesFit, makePod('p', { cpu: '200m', initCpu: '1100m' }), [n]).n, 'Insufficient cpu');
  // Once placed, such a pod holds 900m.
  const m = nodeInfo(makeNode('m', { cpu: '1' }), makePod('q', { cpu: '200m', initCpu: '900m' }));
  assert.equal(filterAll(NodeResourcesFit, makePod('p', { cpu: '200m' }), [m]).m, 'Insufficient cpu');
});

test('a pod with a bad quantity is bad input, not a crash', async () => {
  const { newPodInfo } = await import('../framework/pod-info.js');
  const pod = makePod('p', { cpu: 'lots' });
  assert.match(newPodInfo(pod).parseError ?? '', /invalid resource requests/);
});

test('LeastAllocated prefers the emptier node; BalancedAllocation the evenly used one', () => {
  const nodes = [
    nodeInfo(makeNode('empty', { cpu: '4', memory: '4Gi' })),
    nodeInfo(makeNode('half', { cpu: '4', memory: '4Gi' }), makePod('a', { cpu: '2', memory: '2Gi' })),
    nodeInfo(makeNode('lopsided', { cpu: '4', memory: '4Gi' }), makePod('b', { cpu: '3', memory: '0' })),
  ];
  const pod = makePod('p', { cpu: '1', memory: '1Gi' });
  const least = scoreAll(LeastAllocated, pod, nodes)!;
  assert.deepEqual(least, { empty: 75, half: 25, lopsided: 37 });
  const bal = scoreAll(BalancedAllocation, pod, nodes)!;
  assert.equal(bal.empty, 100);
  assert.equal(bal.half, 100);
  assert.equal(bal.lopsided, 62); // cpu 100%, memory 25%: std 0.375
});
