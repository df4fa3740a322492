import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SelectorSpread } from './selector-spread.js';
import { scoreAll } from '../testing/run-plugin.js';
import { makeNode, makePod, nodeInfo } from '../testing/fixtures.js';

test('siblings of the same controller push the score down', () => {
  const nodes = [
    nodeInfo(makeNode('n1'), makePod('a', { owner: 'rs1' }), makePod('b', { owner: 'rs1' })),
    nodeInfo(makeNode('n2'), makePod('c', { owner: 'rs1' }), makePod('x', { owner: 'rs2' }), makePod('y', { owner: 'rs2' })),
    nodeInfo(makeNode('n3'), makePod('z', { owner: 'rs1', namespace: 'other' })),
  ];
  assert.deepEqual(scoreAll(SelectorSpread, makePod('new', { owner: 'rs1' }), nodes), { n1: 0, n2: 50, n3: 100 });
  assert.equal(scoreAll(SelectorSpread, makePod('bare'), nodes), undefined);
});

test('zones weigh two thirds when nodes carry topology.kubernetes.io/zone', () => {
  const z = (zone: string) => ({ labels: { 'topology.kubernetes.io/zone': zone } });
  const nodes = [
    nodeInfo(makeNode('a1', z('a')), makePod('p1', { owner: 'rs' })),
    nodeInfo(makeNode('a2', z('a'))),
    nodeInfo(makeNode('b1', z('b'))),
  ];
  assert.deepEqual(scoreAll(SelectorSpread, makePod('new', { owner: 'rs' }), nodes), { a1: 0, a2: 33, b1: 100 });
});
