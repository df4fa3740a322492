import { test } from 'node:test';
import assert from 'node:assert/strict';
import { NodePorts, ERR_REASON_PORTS } from './node-ports.js';
import { filterAll } from '../testing/run-plugin.js';
import { makeNode, makePod, nodeInfo } from '../testing/fixtures.js';
import { HostPortSet } from '../framework/host-ports.js';

test('a hostPort already taken on a node rejects it', () => {
  const nodes = [nodeInfo(makeNode('taken'), makePod('a', { hostPort: 8080 })), nodeInfo(makeNode('free'), makePod('b', { hostPort: 9090 }))];
  assert.deepEqual(filterAll(NodePorts, makePod('p', { hostPort: 8080 }), nodes), { taken: ERR_REASON_PORTS, free: '' });
  assert.deepEqual(filterAll(NodePorts, makePod('q'), nodes), { taken: '', free: '' });
});

test('addresses and protocols: 0.0.0.0 conflicts with every address, others only with themselves', () => {
  const s = new HostPortSet();
  s.add({ protocol: 'TCP', hostIP: '10.0.0.1', hostPort: 80 });
  assert.equal(s.conflicts({ protocol: 'TCP', hostIP: '10.0.0.1', hostPort: 80 }), true);
  assert.equal(s.conflicts({ protocol: 'TCP', hostIP: '10.0.0.2', hostPort: 80 }), false);
  assert.equal(s.conflicts({ protocol: 'TCP', hostIP: '0.0.0.0', hostPort: 80 }), true);
  assert.equal(s.conflicts({ protocol: 'UDP', hostIP: '10.0.0.1', hostPort: 80 }), false);
  s.add({ protocol: 'UDP', hostIP: '', hostPort: 53 });
  assert.equal(s.conflicts({ protocol: 'UDP', hostIP: '10.0.0.9', hostPort: 53 }), true);
  s.remove({ protocol: 'UDP', hostIP: '', hostPort: 53 });
  assert.equal(s.conflicts({ protocol: 'UDP', hostIP: '10.0.0.9', hostPort: 53 }), false);
});
