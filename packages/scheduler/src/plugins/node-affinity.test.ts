import { test } from 'node:test';
import assert from 'node:assert/strict';
import { NodeAffinity, ERR_REASON_NODE_AFFINITY } from './node-affinity.js';
import { filterAll, scoreAll } from '../testing/run-plugin.js';
import { makeNode, makePod, nodeInfo } from '../testing/fixtures.js';

const nodes = () => [
  nodeInfo(makeNode('gpu', { labels: { gpu: 'true', zone: 'a', cores: '16' } })),
  nodeInfo(makeNode('plain', { labels: { zone: 'b', cores: '4' } })),
  nodeInfo(makeNode('other', { labels: { zone: 'c', cores: 'many' } })),
];
const required = (...matchExpressions: any[]) => ({
  nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [{ matchExpressions }] } },
});

test('nodeSelector: only the labelled node fits', () => {
  const r = filterAll(NodeAffinity, makePod('p', { nodeSelector: { gpu: 'true' } }), nodes());
  assert.deepEqual(r, { gpu: '', plain: ERR_REASON_NODE_AFFINITY, other: ERR_REASON_NODE_AFFINITY });
});

test('no selector and no affinity: PreFilter skips, every node fits', () => {
  assert.deepEqual(filterAll(NodeAffinity, makePod('p'), nodes()), { gpu: '', plain: '', other: '' });
});

test('operators In, NotIn, Exists, DoesNotExist, Gt, Lt', () => {
  const fits = (expr: any) =>
    Object.entries(filterAll(NodeAffinity, makePod('p', { affinity: required(expr) }), nodes()))
      .filter(([, v]) => v === '')
      .map(([k]) => k);
  assert.deepEqual(fits({ key: 'zone', operator: 'In', values: ['a', 'c'] }), ['gpu', 'other']);
  assert.deepEqual(fits({ key: 'zone', operator: 'NotIn', values: ['a'] }), ['plain', 'other']);
  assert.deepEqual(fits({ key: 'gpu', operator: 'Exists' }), ['gpu']);
  assert.deepEqual(fits({ key: 'gpu', operator: 'DoesNotExist' }), ['plain', 'other']);
  // A label that is not an integer never satisfies Gt/Lt.
  assert.deepEqual(fits({ key: 'cores', operator: 'Gt', values: ['8'] }), ['gpu']);
  assert.deepEqual(fits({ key: 'cores', operator: 'Lt', values: ['8'] }), ['plain']);
});

test('terms are ORed, expressions within a term ANDed, nodeSelector ANDed with affinity', () => {
  const pod = makePod('p', {
    nodeSelector: { zone: 'a' },
    affinity: {
      nodeAffinity: {
        requiredDuringSchedulingIgnoredDuringExecution: {
          nodeSelectorTerms: [
            { matchExpressions: [{ key: 'zone', operator: 'In', values: ['b'] }] },
            { matchExpressions: [{ key: 'gpu', operator: 'Exists' }, { key: 'zone', operator: 'In', values: ['a'] }] },
          ],
        },
      },
    },
  });
  assert.deepEqual(filterAll(NodeAffinity, pod, nodes()), { gpu: '', plain: ERR_REASON_NODE_AFFINITY, other: ERR_REASON_NODE_AFFINITY });
});

test('matchFields on metadata.name (as DaemonSet pods use)', () => {
  const pod = makePod('p', {
    affinity: {
      nodeAffinity: {
        requiredDuringSchedulingIgnoredDuringExecution: {
          nodeSelectorTerms: [{ matchFields: [{ key: 'metadata.name', operator: 'In', values: ['plain'] }] }],
        },
      },
    },
  });
  assert.deepEqual(filterAll(NodeAffinity, pod, nodes()), { gpu: ERR_REASON_NODE_AFFINITY, plain: '', other: ERR_REASON_NODE_AFFINITY });
});

test('bad input: an unknown operator or a non-integer Gt value is an error, not a crash', () => {
  const r = filterAll(NodeAffinity, makePod('p', { affinity: required({ key: 'zone', operator: 'Near', values: ['a'] }) }), nodes());
  assert.match(r.gpu!, /^error: .*operator: Unsupported value: "Near"/);
  const g = filterAll(NodeAffinity, makePod('p', { affinity: required({ key: 'cores', operator: 'Gt', values: ['x'] }) }), nodes());
  assert.match(g.gpu!, /^error: .*values: Invalid value/);
});

test('preferred terms score by weight, normalized to 0..100', () => {
  const pod = makePod('p', {
    affinity: {
      nodeAffinity: {
        preferredDuringSchedulingIgnoredDuringExecution: [
          { weight: 80, preference: { matchExpressions: [{ key: 'zone', operator: 'In', values: ['a'] }] } },
          { weight: 20, preference: { matchExpressions: [{ key: 'zone', operator: 'In', values: ['a', 'b'] }] } },
        ],
      },
    },
  });
  assert.deepEqual(scoreAll(NodeAffinity, pod, nodes()), { gpu: 100, plain: 20, other: 0 });
  assert.equal(scoreAll(NodeAffinity, makePod('q'), nodes()), undefined);
});
