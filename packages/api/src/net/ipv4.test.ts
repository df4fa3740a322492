import { test } from 'node:test';
import assert from 'node:assert/strict';
import { intToIpv4, ipv4CidrText, ipv4CidrsOverlap, ipv4ToInt, parseIpv4Cidr } from './ipv4.js';

test('IPv4 addresses and CIDRs: masked as Go parses them; anything else is undefined', () => {
  assert.equal(ipv4ToInt('10.0.0.1'), 0x0a000001);
  assert.equal(intToIpv4(0xffffffff), '255.255.255.255');
  for (const bad of ['10.0.0', '10.0.0.256', '10.00.0.1', '1.2.3.4.5', '', 'a.b.c.d', '10.0.0.-1']) assert.equal(ipv4ToInt(bad), undefined, bad);
  assert.deepEqual(parseIpv4Cidr('10.0.1.7/16'), { base: 0x0a000000, prefix: 16, size: 65536 });
  assert.equal(ipv4CidrText(parseIpv4Cidr('10.213.128.9/24')!), '10.213.128.0/24');
  for (const bad of ['10.0.0.0', '10.0.0.0/33', '10.0.0.0/-1', '10.0.0.0/24/5', '999.1.1.1/24', '10.0.0.0/ 24', 'fd00::/64']) assert.equal(parseIpv4Cidr(bad), undefined, bad);
  assert.ok(ipv4CidrsOverlap(parseIpv4Cidr('10.0.0.0/16')!, parseIpv4Cidr('10.0.5.0/24')!));
  assert.ok(!ipv4CidrsOverlap(parseIpv4Cidr('10.0.0.0/24')!, parseIpv4Cidr('10.0.1.0/24')!));
});
