import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Node } from '@k8ts/api';
import { desiredRoutes, routeChanges } from './host-gw.js';

const node = (name: string, ip?: string, podCIDR?: string, deleting = false): Node => ({
  apiVersion: 'v1',
  kind: 'Node',
  metadata: { name, ...(deleting ? { deletionTimestamp: '2026-01-01T00:00:00Z' } : {}) },
  spec: podCIDR ? { podCIDR, podCIDRs: [podCIDR] } : {},
  status: { addresses: ip ? [{ type: 'InternalIP', address: ip }, { type: 'Hostname', address: name }] : [] },
});

test('a route per other node with a range and an address; itself, rangeless, addressless and deleting nodes have none', () => {
  const nodes = [
    node('m1', '10.1.255.11', '10.1.128.0/24'),
    node('m2', '10.1.255.12', '10.1.129.0/24'),
    node('m3', '10.1.255.13', '10.1.130.0/24'),
    node('new', '10.1.255.14'),
    node('bare', undefined, '10.1.131.0/24'),
    node('going', '10.1.255.15', '10.1.132.0/24', true),
    node('twin', '10.1.255.16', '10.1.129.0/24'),
  ];
  assert.deepEqual(desiredRoutes(nodes, 'm1'), [
    { dst: '10.1.129.0/24', via: '10.1.255.12' },
    { dst: '10.1.130.0/24', via: '10.1.255.13' },
  ]);
});

test('changes: new and moved routes are replaced, routes of nodes gone are removed, the rest left alone', () => {
  const current = [
    { dst: '10.1.129.0/24', via: '10.1.255.12' },
    { dst: '10.1.130.0/24', via: '10.1.255.99' },
    { dst: '10.1.140.0/24', via: '10.1.255.20' },
  ];
  const want = [
    { dst: '10.1.129.0/24', via: '10.1.255.12' },
    { dst: '10.1.130.0/24', via: '10.1.255.13' },
    { dst: '10.1.131.0/24', via: '10.1.255.14' },
  ];
  assert.deepEqual(routeChanges(current, want), {
    replace: [
      { dst: '10.1.130.0/24', via: '10.1.255.13' },
      { dst: '10.1.131.0/24', via: '10.1.255.14' },
    ],
    remove: [{ dst: '10.1.140.0/24', via: '10.1.255.20' }],
  });
});

test('overlapping ranges: the node created first keeps its route, a later one that overlaps it gets none', () => {
  const at = (n: Node, t: string): Node => ({ ...n, metadata: { ...n.metadata, creationTimestamp: t } });
  const nodes = [
    at(node('ghost', '10.1.255.30', '10.1.129.0/24'), '2026-12-07T12:00:00Z'),
    at(node('m2', '10.1.255.12', '10.1.129.0/24'), '2026-12-07T10:00:00Z'),
    at(node('wide', '10.1.255.31', '10.1.0.0/16'), '2026-12-07T12:00:01Z'),
    at(node('m3', '10.1.255.13', '10.1.130.0/24'), '2026-12-07T10:00:01Z'),
  ];
  assert.deepEqual(desiredRoutes(nodes, 'm1'), [
    { dst: '10.1.129.0/24', via: '10.1.255.12' },
    { dst: '10.1.130.0/24', via: '10.1.255.13' },
  ]);
  // Once m2 is gone, the ghost holds 10.1.129.0/24 and is routed.
  assert.deepEqual(desiredRoutes(nodes.filter((n) => n.metadata.name !== 'm2'), 'm1')[0], { dst: '10.1.129.0/24', via: '10.1.255.30' });
});
