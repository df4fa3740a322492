import { test } from 'node:test';
import assert from 'node:assert/strict';
import { bridgeOf } from './pod-cidr.js';

test('the bridge of a podCIDR: the whole range for pods, its first address the gateway', () => {
  assert.deepEqual(bridgeOf('10.213.129.0/24'), { subnet: '10.213.129.0/24', ipRange: '10.213.129.0/24', gateway: '10.213.129.1' });
  assert.deepEqual(bridgeOf('10.1.2.77/23'), { subnet: '10.1.2.0/23', ipRange: '10.1.2.0/23', gateway: '10.1.2.1' });
});

test('a podCIDR the agent cannot bridge is refused with its value', () => {
  for (const bad of ['fd00::/64', '10.0.0.0/31', '10.0.0.0', '300.1.1.0/24', '']) assert.throws(() => bridgeOf(bad), /podCIDR .* is not an IPv4 range/);
});
