import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Taint } from '../types.js';
import { findUntoleratedTaint, nodeFitsRequired, requiredNodeMatcher, tolerationMs, toleratesTaint } from './index.js';

const taint: Taint = { key: 'dedicated', value: 'db', effect: 'NoSchedule' };

test('ToleratesTaint as upstream: effect, key, then operator', () => {
  assert.equal(toleratesTaint({ key: 'dedicated', operator: 'Equal', value: 'db', effect: 'NoSchedule' }, taint), true);
  assert.equal(toleratesTaint({ key: 'dedicated', value: 'db' }, taint), true, 'no operator means Equal');
  assert.equal(toleratesTaint({ key: 'dedicated', operator: 'Equal', value: 'web' }, taint), false);
  assert.equal(toleratesTaint({ key: 'dedicated', operator: 'Exists', effect: 'NoExecute' }, taint), false);
  assert.equal(toleratesTaint({ key: 'other', operator: 'Exists' }, taint), false);
  assert.equal(toleratesTaint({ key: 'dedicated', operator: 'Like', value: 'db' }, taint), false);
  // An empty key with Exists matches every taint.
  assert.equal(toleratesTaint({ operator: 'Exists' }, taint), true);
  // An empty key with Equal matches any key whose value is equal (upstream's code; validation
  // forbids writing it, and the node lifecycle's copy used to refuse it).
  assert.equal(toleratesTaint({ operator: 'Equal', value: 'db' }, taint), true);
  assert.equal(toleratesTaint({ operator: 'Equal', value: 'web' }, taint), false);
  assert.equal(toleratesTaint({ value: '' }, { key: 'k', effect: 'NoExecute' }), true);
});

test('untolerated taints and NoExecute toleration time', () => {
  const soft: Taint = { key: 'spot', effect: 'PreferNoSchedule' };
  assert.equal(findUntoleratedTaint([soft], []), undefined, 'PreferNoSchedule keeps no pod off');
  assert.deepEqual(findUntoleratedTaint([soft, taint], [{ key: 'spot', operator: 'Exists' }]), taint);
  const notReady: Taint = { key: 'node.kubernetes.io/not-ready', effect: 'NoExecute' };
  assert.equal(tolerationMs([notReady], []), 0);
  assert.equal(tolerationMs([notReady], [{ key: notReady.key, operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 5 }]), 5000);
  assert.equal(tolerationMs([notReady], [{ operator: 'Exists' }]), Infinity);
});

test('required node affinity: terms ORed, requirements ANDed, an empty term matches nothing', () => {
  const node = { name: 'n1', labels: { zone: 'a', gen: '5' } };
  const fits = (spec: any) => nodeFitsRequired(spec, node);
  assert.equal(fits({}), true);
  assert.equal(fits({ nodeSelector: { zone: 'a' } }), true);
  assert.equal(fits({ nodeSelector: { zone: 'b' } }), false);
  const terms = (...t: any[]) => ({ affinity: { nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: t } } } });
  assert.equal(fits(terms({ matchExpressions: [{ key: 'zone', operator: 'In', values: ['b'] }] }, { matchFields: [{ key: 'metadata.name', operator: 'In', values: ['n1'] }] })), true);
  assert.equal(fits(terms({ matchExpressions: [{ key: 'gen', operator: 'Gt', values: ['4'] }, { key: 'zone', operator: 'NotIn', values: ['a'] }] })), false);
  assert.equal(fits(terms({ matchExpressions: [{ key: 'gen', operator: 'Gt', values: ['4'] }, { key: 'gpu', operator: 'DoesNotExist' }] })), true);
  assert.equal(fits(terms({})), false, 'an empty term matches no node');
  assert.equal(fits(terms({ matchExpressions: [{ key: 'gen', operator: 'Gt', values: ['x'] }] })), false, 'a bad Gt value fits no node');
  assert.throws(() => requiredNodeMatcher({ spec: <any>terms({ matchExpressions: [{ key: 'zone', operator: 'Near' }] }) }), /Unsupported value: "Near"/);
});
