import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseDuration as parseDurationMs } from './duration.js';

test('durations as Kubernetes flags take them; bare numbers are seconds', () => {
  assert.equal(parseDurationMs('4'), 4000);
  assert.equal(parseDurationMs('4s'), 4000);
  assert.equal(parseDurationMs('250ms'), 250);
  assert.equal(parseDurationMs('1m30s'), 90_000);
  assert.equal(parseDurationMs('0.5'), 500);
  assert.throws(() => parseDurationMs('4x'));
  assert.throws(() => parseDurationMs(''));
});
