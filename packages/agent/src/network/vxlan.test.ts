import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Node } from '@k8ts/api';
import { vtepMacOf, vtepOf, vxlanPeers } from './vxlan.js';
import { routeChanges } from './host-gw.js';

const node = (name: string, ip: string, podCIDR?: string): Node => ({
  apiVersion: 'v1',
  kind: 'Node',
  metadata: { name },
  spec: podCIDR ? { podCIDR, podCIDRs: [podCIDR] } : {},
  status: { addresses: [{ type: 'InternalIP', address: ip }] },
});

test('a VTEP per podCIDR: its network address and a locally administered MAC from it', () => {
  assert.equal(vtepOf('10.213.129.0/24'), '10.213.129.0');
  assert.equal(vtepMacOf('10.213.129.0/24'), '0a:58:0a:d5:81:00');
});

test('peers: every other node with a range, its VTEP and its InternalIP as the underlay', () => {
  const nodes = [node('a', '10.1.255.11', '10.1.128.0/24'), node('b', '10.1.255.12', '10.1.129.0/24'), node('c', '10.1.255.13')];
  assert.deepEqual(vxlanPeers(nodes, 'a'), [{ dst: '10.1.129.0/24', vtep: '10.1.129.0', mac: '0a:58:0a:01:81:00', underlay: '10.1.255.12' }]);
});

test('a host-gw route becomes a VXLAN one when the mode changes (same destination, other device)', () => {
  const current = [{ dst: '10.1.129.0/24', via: '10.1.255.12' }];
  const want = [{ dst: '10.1.129.0/24', via: '10.1.129.0', dev: 'k8ts.1' }];
  assert.deepEqual(routeChanges(current, want), { replace: want, remove: [] });
  assert.deepEqual(routeChanges(want, want), { replace: [], remove: [] });
});
