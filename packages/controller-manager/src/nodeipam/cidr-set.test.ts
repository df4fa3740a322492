import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CidrSet, ErrCIDRRangeNoCIDRsRemaining, ErrCIDRSetSubNetTooBig } from './cidr-set.js';

test('node ranges are handed out in order, round-robin after a release, until none is left', () => {
  const s = new CidrSet('10.244.0.0/22', 24);
  assert.deepEqual([s.allocateNext(), s.allocateNext(), s.allocateNext()], ['10.244.0.0/24', '10.244.1.0/24', '10.244.2.0/24']);
  s.release('10.244.1.0/24');
  // The next candidate is after the last one given, not the range just freed.
  assert.equal(s.allocateNext(), '10.244.3.0/24');
  assert.equal(s.allocateNext(), '10.244.1.0/24');
  assert.throws(() => s.allocateNext(), { message: ErrCIDRRangeNoCIDRsRemaining });
});

test('occupy marks every node range a CIDR covers; outside the cluster range is refused', () => {
  const s = new CidrSet('10.244.0.0/16', 24);
  s.occupy('10.244.0.0/23');
  s.occupy('10.244.2.128/25');
  assert.equal(s.allocatedCount, 3);
  assert.equal(s.allocateNext(), '10.244.3.0/24');
  assert.throws(() => s.occupy('10.245.0.0/24'), { message: 'cidr 10.245.0.0/24 is out the range of cluster cidr 10.244.0.0/16' });
  // A service range that contains the cluster range takes all of it.
  const t = new CidrSet('10.96.4.0/24', 26);
  t.occupy('10.96.0.0/16');
  assert.throws(() => t.allocateNext(), { message: ErrCIDRRangeNoCIDRsRemaining });
});

test('bad masks are refused as upstream refuses them', () => {
  assert.throws(() => new CidrSet('10.0.0.0/8', 25), { message: ErrCIDRSetSubNetTooBig });
  assert.throws(() => new CidrSet('10.0.0.0/16', 15), /--node-cidr-mask-size 15/);
  assert.throws(() => new CidrSet('10.0.0.0/33', 24), /invalid CIDR address/);
  assert.throws(() => new CidrSet('300.0.0.0/16', 24), /invalid CIDR address/);
});
