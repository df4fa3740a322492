import { test } from 'node:test';
import assert from 'node:assert/strict';
import { TokenBucket } from './token-bucket.js';

test('token bucket: full at the start, refills at qps up to burst, rate 0 never grants', () => {
  let now = 0;
  const b = new TokenBucket(2, 3, () => now);
  assert.deepEqual([b.tryAccept(), b.tryAccept(), b.tryAccept(), b.tryAccept()], [true, true, true, false]);
  assert.equal(b.waitMs(), 500);
  now += 500;
  assert.equal(b.tryAccept(), true);
  now += 60_000;
  assert.equal(b.waitMs(), 0);
  assert.deepEqual([b.tryAccept(), b.tryAccept(), b.tryAccept(), b.tryAccept()], [true, true, true, false], 'no more than burst');
  b.setRate(0);
  now += 60_000;
  assert.equal(b.tryAccept(), false);
  assert.equal(b.waitMs(), Infinity);
});

test('reserve takes a token on credit and says how long to wait for it', () => {
  let now = 0;
  const b = new TokenBucket(10, 1, () => now);
  assert.equal(b.reserve(), 0);
  assert.equal(b.reserve(), 100);
  assert.equal(b.reserve(), 200);
  now += 300;
  assert.equal(b.reserve(), 0);
});
