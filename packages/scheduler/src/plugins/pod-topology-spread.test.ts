import { test } from 'node:test';
import assert from 'node:assert/strict';
import { PodTopologySpread, ERR_REASON_CONSTRAINTS, ERR_REASON_MISSING_LABEL } from './pod-topology-spread.js';
import { filterAll, scoreAll } from '../testing/run-plugin.js';
import { makeNode, makePod, nodeInfo } from '../testing/fixtures.js';

const web = (n: string, extra = {}) => makePod(n, { labels: { app: 'web' }, ...extra });
const spread = (topologyKey: string, maxSkew: number, whenUnsatisfiable = 'DoNotSchedule', extra = {}) =>
  web('new', { topologySpreadConstraints: [{ maxSkew, topologyKey, whenUnsatisfiable, labelSelector: { matchLabels: { app: 'web' } }, ...extra }] });

test('maxSkew 1 over zones: the fuller zone is refused', () => {
  const nodes = [
    nodeInfo(makeNode('a1', { labels: { zone: 'a' } }), web('w0'), web('w1')),
    nodeInfo(makeNode('a2', { labels: { zone: 'a' } })),
    nodeInfo(makeNode('b1', { labels: { zone: 'b' } }), web('w2')),
    nodeInfo(makeNode('c1', { labels: { zone: 'c' } }), web('w3'), makePod('other', { labels: { app: 'db' } })),
  ];
  // counts a=2, b=1, c=1; min 1: a → 2+1-1 = 2 > 1.
  assert.deepEqual(filterAll(PodTopologySpread, spread('zone', 1), nodes), { a1: ERR_REASON_CONSTRAINTS, a2: ERR_REASON_CONSTRAINTS, b1: '', c1: '' });
  assert.deepEqual(filterAll(PodTopologySpread, spread('zone', 2), nodes), { a1: '', a2: '', b1: '', c1: '' });
});

test('a node without the topology key is refused as missing the label', () => {
  const nodes = [nodeInfo(makeNode('z', { labels: { zone: 'a' } })), nodeInfo(makeNode('bare'))];
  assert.deepEqual(filterAll(PodTopologySpread, spread('zone', 1), nodes), { z: '', bare: ERR_REASON_MISSING_LABEL });
});

test('minDomains above the number of domains makes the global minimum 0', () => {
  const nodes = [nodeInfo(makeNode('a', { labels: { zone: 'a' } }), web('w0')), nodeInfo(makeNode('b', { labels: { zone: 'b' } }), web('w1'))];
  assert.deepEqual(filterAll(PodTopologySpread, spread('zone', 1), nodes), { a: '', b: '' });
  assert.deepEqual(filterAll(PodTopologySpread, spread('zone', 1, 'DoNotSchedule', { minDomains: 3 }), nodes), { a: ERR_REASON_CONSTRAINTS, b: ERR_REASON_CONSTRAINTS });
});

test('nodes excluded by the pod nodeSelector do not count as domains (nodeAffinityPolicy Honor)', () => {
  const nodes = [
    nodeInfo(makeNode('a', { labels: { zone: 'a', pool: 'x' } }), web('w0')),
    nodeInfo(makeNode('b', { labels: { zone: 'b', pool: 'x' } }), web('w1')),
    nodeInfo(makeNode('c', { labels: { zone: 'c' } })),
  ];
  const pod = spread('zone', 1);
  pod.spec!.nodeSelector = { pool: 'x' };
  assert.deepEqual(filterAll(PodTopologySpread, pod, nodes), { a: '', b: '', c: '' });
  delete pod.spec!.nodeSelector;
  assert.deepEqual(filterAll(PodTopologySpread, pod, nodes), { a: ERR_REASON_CONSTRAINTS, b: ERR_REASON_CONSTRAINTS, c: '' });
});

test('ScheduleAnyway scores emptier domains higher and does not filter', () => {
  const nodes = [nodeInfo(makeNode('n1'), web('w0'), web('w1')), nodeInfo(makeNode('n2'), web('w2')), nodeInfo(makeNode('n3'))];
  const pod = spread('kubernetes.io/hostname', 1, 'ScheduleAnyway');
  assert.deepEqual(filterAll(PodTopologySpread, pod, nodes), { n1: '', n2: '', n3: '' });
  const s = scoreAll(PodTopologySpread, pod, nodes)!;
  assert.ok(s.n3! > s.n2! && s.n2! > s.n1!, JSON.stringify(s));
  assert.equal(s.n3, 100);
});

test('bad whenUnsatisfiable is an error', () => {
  const r = filterAll(PodTopologySpread, spread('zone', 1, 'Sometimes'), [nodeInfo(makeNode('a', { labels: { zone: 'a' } }))]);
  assert.match(r.a!, /^error: .*whenUnsatisfiable: Unsupported value: "Sometimes"/);
});
