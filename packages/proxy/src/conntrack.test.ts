import { test } from 'node:test';
import assert from 'node:assert/strict';
import { staleUdpCommands } from './conntrack.js';
import type { ServicePortInfo } from './service-ports.js';

const port = (eps: string[], protocol: 'udp' | 'tcp' = 'udp'): ServicePortInfo => ({
  name: 'kube-system/dns:dns',
  protocol,
  port: 53,
  clusterIP: '10.96.0.10',
  nodePort: 30053,
  loadBalancerIPs: [],
  externalIPs: [],
  affinitySeconds: 0,
  externalLocal: false,
  endpoints: eps.map((ip) => ({ ip, port: 53 })),
});

test('stale UDP entries: removed endpoints and the first endpoint after none', () => {
  let r = staleUdpCommands(new Map(), [port([])]);
  assert.deepEqual(r.commands, []);
  r = staleUdpCommands(r.next, [port(['10.213.0.5', '10.213.0.6'])]);
  assert.deepEqual(r.commands, [
    ['-D', '-p', 'udp', '--orig-dst', '10.96.0.10'],
    ['-D', '-p', 'udp', '--dport', '30053'],
  ]);
  r = staleUdpCommands(r.next, [port(['10.213.0.6'])]);
  assert.deepEqual(r.commands, [
    ['-D', '-p', 'udp', '--orig-dst', '10.96.0.10', '--dst-nat', '10.213.0.5'],
    ['-D', '-p', 'udp', '--dport', '30053', '--dst-nat', '10.213.0.5'],
  ]);
  r = staleUdpCommands(r.next, [port(['10.213.0.6'])]);
  assert.deepEqual(r.commands, []);
  assert.deepEqual(staleUdpCommands(new Map(), [port(['10.213.0.5'], 'tcp')]).next.size, 0);
});
