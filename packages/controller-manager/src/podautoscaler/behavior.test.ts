import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ScalingHistory, rulesOf, type Behavior } from './behavior.js';

function clock(start = 1_000_000) {
  let t = start;
  return { now: () => t, advance: (s: number) => void (t += s * 1000) };
}

test('no behavior: scale-down waits out the 300 s window, taking its highest recommendation', () => {
  const c = clock();
  const h = new ScalingHistory(c.now, 300_000);
  h.recordInitial('k', 5);
  let d = h.normalize('k', 5, 2, 1, 10);
  assert.equal(d.replicas, 5);
  assert.deepEqual(d.able, ['ScaleDownStabilized', 'recent recommendations were higher than current one, applying the highest recent recommendation']);
  c.advance(299);
  assert.equal(h.normalize('k', 5, 2, 1, 10).replicas, 5);
  c.advance(2);
  d = h.normalize('k', 5, 2, 1, 10);
  assert.equal(d.replicas, 2);
  assert.deepEqual(d.able, ['ReadyForNewScale', 'recommended size matches current size']);
});

test('no behavior: scale-up at once, at most double (min 4), then the max', () => {
  const c = clock();
  const h = new ScalingHistory(c.now, 300_000);
  let d = h.normalize('k', 1, 20, 1, 10);
  assert.equal(d.replicas, 4);
  assert.deepEqual(d.limited, [true, 'ScaleUpLimit', 'the desired replica count is increasing faster than the maximum scale rate']);
  d = h.normalize('k', 8, 20, 1, 10);
  assert.equal(d.replicas, 10);
  assert.deepEqual(d.limited, [true, 'TooManyReplicas', 'the desired replica count is more than the maximum replica count']);
  d = h.normalize('other', 3, 3, 4, 10);
  assert.deepEqual([d.replicas, d.limited[1]], [4, 'TooFewReplicas']);
});

test('behavior: a short scale-down window and a Pods policy bound the rate', () => {
  const c = clock();
  const h = new ScalingHistory(c.now, 300_000);
  const b: Behavior = { scaleDown: { stabilizationWindowSeconds: 10, policies: [{ type: 'Pods', value: 1, periodSeconds: 5 }] } };
  h.recordInitial('k', 4);
  // Within the window the earlier 4 holds.
  assert.equal(h.normalizeWithBehavior('k', b, 4, 1, 1, 10).replicas, 4);
  c.advance(11);
  // Past the window: down, but one pod per 5 s.
  let d = h.normalizeWithBehavior('k', b, 4, 1, 1, 10);
  assert.equal(d.replicas, 3);
  assert.deepEqual(d.limited, [true, 'ScaleDownLimit', 'the desired replica count is decreasing faster than the maximum scale rate']);
  h.storeScaleEvent('k', b, 4, 3);
  c.advance(1);
  d = h.normalizeWithBehavior('k', b, 3, 1, 1, 10);
  assert.equal(d.replicas, 3, 'the period has already had its one pod');
  c.advance(5);
  assert.equal(h.normalizeWithBehavior('k', b, 3, 1, 1, 10).replicas, 2);
});

test('behavior: scale-up defaults allow max(4 pods, 100 %) per 15 s; Disabled holds', () => {
  const c = clock();
  const h = new ScalingHistory(c.now, 300_000);
  const b: Behavior = {};
  assert.equal(h.normalizeWithBehavior('k', b, 2, 50, 1, 100).replicas, 6);
  h.storeScaleEvent('k', b, 2, 6);
  c.advance(1);
  assert.equal(h.normalizeWithBehavior('k', b, 6, 50, 1, 100).replicas, 6, 'this period has added its 4 already');
  c.advance(15);
  assert.equal(h.normalizeWithBehavior('k', b, 6, 50, 1, 100).replicas, 12);
  const off: Behavior = { scaleUp: { selectPolicy: 'Disabled' } };
  assert.equal(new ScalingHistory(c.now, 300_000).normalizeWithBehavior('x', off, 2, 50, 1, 100).replicas, 2);
});

test('behavior: a scale-up stabilization window takes the lowest recent recommendation', () => {
  const c = clock();
  const h = new ScalingHistory(c.now, 300_000);
  const b: Behavior = { scaleUp: { stabilizationWindowSeconds: 30 } };
  h.recordInitial('k', 2);
  const d = h.normalizeWithBehavior('k', b, 2, 5, 1, 10);
  assert.equal(d.replicas, 2);
  assert.equal(d.able[0], 'ScaleUpStabilized');
  c.advance(31);
  assert.equal(h.normalizeWithBehavior('k', b, 2, 5, 1, 10).replicas, 5);
});

test('rules: the object wins field by field; the scale-down window comes from the flag', () => {
  assert.equal(rulesOf({}, 'scaleDown', 300_000).stabilizationWindowSeconds, 300);
  assert.equal(rulesOf({ scaleDown: { stabilizationWindowSeconds: 5 } }, 'scaleDown', 300_000).stabilizationWindowSeconds, 5);
  assert.deepEqual(rulesOf({}, 'scaleUp', 300_000).policies, [{ type: 'Pods', value: 4, periodSeconds: 15 }, { type: 'Percent', value: 100, periodSeconds: 15 }]);
});
