// NodeUnschedulable, NodeName and NodeReady.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { NodeUnschedulable, ERR_REASON_UNSCHEDULABLE } from './node-unschedulable.js';
import { NodeName, ERR_REASON_NODE_NAME } from './node-name.js';
import { NodeReady, ERR_REASON_NOT_READY } from './node-ready.js';
import { filterAll } from '../testing/run-plugin.js';
import { makeNode, makePod, nodeInfo } from '../testing/fixtures.js';

test('NodeUnschedulable: cordoned nodes only take pods tolerating the unschedulable taint', () => {
  const nodes = [nodeInfo(makeNode('cordoned', { unschedulable: true })), nodeInfo(makeNode('open'))];
  assert.deepEqual(filterAll(NodeUnschedulable, makePod('p'), nodes), { cordoned: ERR_REASON_UNSCHEDULABLE, open: '' });
  const tolerant = makePod('d', { tolerations: [{ key: 'node.kubernetes.io/unschedulable', operator: 'Exists', effect: 'NoSchedule' }] });
  assert.deepEqual(filterAll(NodeUnschedulable, tolerant, nodes), { cordoned: '', open: '' });
});

test('NodeName: a pod naming a node fits only there', () => {
  const nodes = [nodeInfo(makeNode('a')), nodeInfo(makeNode('b'))];
  assert.deepEqual(filterAll(NodeName, makePod('p', { nodeName: 'b' }), nodes), { a: ERR_REASON_NODE_NAME, b: '' });
});

test('NodeReady: NotReady, Unknown and condition-less nodes take no pods unless tolerated', () => {
  const nodes = [
    nodeInfo(makeNode('ready')),
    nodeInfo(makeNode('notready', { ready: 'False' })),
    nodeInfo(makeNode('unknown', { ready: 'Unknown' })),
    nodeInfo(makeNode('fresh', { ready: null })),
  ];
  assert.deepEqual(filterAll(NodeReady, makePod('p'), nodes), { ready: '', notready: ERR_REASON_NOT_READY, unknown: ERR_REASON_NOT_READY, fresh: ERR_REASON_NOT_READY });
  const ds = makePod('ds', {
    tolerations: [
      { key: 'node.kubernetes.io/not-ready', operator: 'Exists' },
      { key: 'node.kubernetes.io/unreachable', operator: 'Exists', effect: 'NoSchedule' },
    ],
  });
  assert.deepEqual(filterAll(NodeReady, ds, nodes), { ready: '', notready: '', unknown: '', fresh: '' });
});
