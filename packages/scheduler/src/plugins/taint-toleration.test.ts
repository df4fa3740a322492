import { test } from 'node:test';
import assert from 'node:assert/strict';
import { TaintToleration, ERR_REASON_UNTOLERATED } from './taint-toleration.js';
import { filterAll, scoreAll } from '../testing/run-plugin.js';
import { makeNode, makePod, nodeInfo } from '../testing/fixtures.js';

const nodes = () => [
  nodeInfo(makeNode('clean')),
  nodeInfo(makeNode('dedicated', { taints: [{ key: 'dedicated', value: 'db', effect: 'NoSchedule' }] })),
  nodeInfo(makeNode('evicting', { taints: [{ key: 'maintenance', effect: 'NoExecute' }] })),
  nodeInfo(makeNode('soft', { taints: [{ key: 'spot', value: 'yes', effect: 'PreferNoSchedule' }] })),
];

test('NoSchedule and NoExecute taints keep out pods without a toleration; PreferNoSchedule does not', () => {
  assert.deepEqual(filterAll(TaintToleration, makePod('p'), nodes()), {
    clean: '',
    dedicated: ERR_REASON_UNTOLERATED,
    evicting: ERR_REASON_UNTOLERATED,
    soft: '',
  });
});

test('Equal tolerations need key, value and effect to match; Exists ignores the value', () => {
  const r = (tolerations: any[]) => filterAll(TaintToleration, makePod('p', { tolerations }), nodes());
  assert.equal(r([{ key: 'dedicated', operator: 'Equal', value: 'db', effect: 'NoSchedule' }]).dedicated, '');
  assert.equal(r([{ key: 'dedicated', operator: 'Equal', value: 'web', effect: 'NoSchedule' }]).dedicated, ERR_REASON_UNTOLERATED);
  assert.equal(r([{ key: 'dedicated', operator: 'Exists', effect: 'NoExecute' }]).dedicated, ERR_REASON_UNTOLERATED);
  assert.equal(r([{ key: 'dedicated', operator: 'Exists' }]).dedicated, '');
  assert.equal(r([{ key: 'maintenance', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 60 }]).evicting, '');
  // An empty key with Exists tolerates everything.
  assert.deepEqual(r([{ operator: 'Exists' }]), { clean: '', dedicated: '', evicting: '', soft: '' });
  // An unknown operator tolerates nothing.
  assert.equal(r([{ key: 'dedicated', operator: 'Like', value: 'db' }]).dedicated, ERR_REASON_UNTOLERATED);
});

test('score: untolerated PreferNoSchedule taints lower the node', () => {
  const ns = [nodes()[0]!, nodes()[3]!];
  assert.deepEqual(scoreAll(TaintToleration, makePod('p'), ns), { clean: 100, soft: 0 });
  const tolerant = makePod('p', { tolerations: [{ key: 'spot', operator: 'Exists', effect: 'PreferNoSchedule' }] });
  assert.deepEqual(scoreAll(TaintToleration, tolerant, ns), { clean: 100, soft: 100 });
});
