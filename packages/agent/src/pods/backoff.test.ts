import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Backoff, formatDuration } from './backoff.js';

test('first failure restarts at once, then 10s doubling to the cap', () => {
  let now = 1_000_000;
  const b = new Backoff(10_000, 40_000, () => now);
  const key = 'uid/c';
  // crash 1: no back-off yet
  assert.equal(b.isInBackOffSince(key, now), false);
  assert.equal(b.next(key, now), 10_000);
  // crash 2 right after: waits 10 s counted from its finish
  now += 1000;
  const finished2 = now;
  assert.equal(b.isInBackOffSince(key, finished2), true);
  assert.equal(b.remaining(key, finished2), 10_000);
  now += 10_001;
  assert.equal(b.isInBackOffSince(key, finished2), false);
  assert.equal(b.next(key, finished2), 20_000);
  assert.equal(b.next(key, now), 40_000);
  assert.equal(b.next(key, now), 40_000, 'capped');
});

test('a long quiet period resets to the base', () => {
  let now = 0;
  const b = new Backoff(1000, 4000, () => now);
  b.next('k', 0);
  b.next('k', 0);
  assert.equal(b.get('k'), 2000);
  now = 9000;
  assert.equal(b.next('k', 9000), 1000, 'more than 2×max since the last failure');
});

test('resetPrefix forgets a pod', () => {
  const b = new Backoff(1000, 4000);
  b.next('u1/a');
  b.next('u1/b');
  b.next('u2/a');
  b.resetPrefix('u1/');
  assert.equal(b.get('u1/a'), 0);
  assert.equal(b.get('u2/a'), 1000);
});

test('durations print as Kubernetes prints them', () => {
  assert.equal(formatDuration(10_000), '10s');
  assert.equal(formatDuration(300_000), '5m0s');
  assert.equal(formatDuration(80_000), '1m20s');
});
