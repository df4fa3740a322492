import { test } from 'node:test';
import assert from 'node:assert/strict';
import { tunnelRefusal } from './node-tunnel-identity.js';

test('a node tunnel is held only by that node or an admin', () => {
  const node = (n: string) => ({ name: `system:node:${n}`, groups: ['system:nodes', 'system:authenticated'] });
  assert.equal(tunnelRefusal(node('a1'), 'a1'), undefined);
  assert.equal(tunnelRefusal({ name: 'kubernetes-admin', groups: ['system:masters'] }, 'a1'), undefined);
  const other = tunnelRefusal(node('a2'), 'a1');
  assert.equal(other?.code, 403);
  assert.equal(other?.status.message, 'nodes "a1" is forbidden: node "a2" cannot open the stream tunnel of node "a1"');
  // A node's name without the nodes group is not a node; nor is an anonymous caller.
  assert.equal(tunnelRefusal({ name: 'system:node:a1', groups: ['system:authenticated'] }, 'a1')?.status.message, 'nodes "a1" is forbidden: User "system:node:a1" cannot open the stream tunnel of node "a1"');
  assert.equal(tunnelRefusal({ name: 'system:anonymous', groups: ['system:unauthenticated'] }, 'a1')?.code, 403);
});
