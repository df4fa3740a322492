import { test } from 'node:test';
import assert from 'node:assert/strict';
import { formatLabelSelector } from './labels.js';

test('formatLabelSelector as metav1.FormatLabelSelector: sorted, <none> when empty, <error> when bad', () => {
  assert.equal(formatLabelSelector({ matchLabels: { tier: 'web', app: 'a' }, matchExpressions: [{ key: 'env', operator: 'In', values: ['prod', 'dev'] }] }), 'app=a,env in (dev,prod),tier=web');
  assert.equal(formatLabelSelector({ matchExpressions: [{ key: 'x', operator: 'DoesNotExist' }, { key: 'y', operator: 'Exists' }] }), '!x,y');
  assert.equal(formatLabelSelector({}), '<none>');
  assert.equal(formatLabelSelector(undefined), '<none>');
  assert.equal(formatLabelSelector({ matchExpressions: [{ key: 'x', operator: 'Near' }] }), '<error>');
});
