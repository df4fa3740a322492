import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Node } from 'kubernetes-types/core/v1';
import { podCidrConflicts } from './pod-cidrs.js';

const node = (name: string, podCIDR: string | undefined, created: string, extra: Partial<Node['metadata']> = {}): Node => ({
  metadata: { name, creationTimestamp: created, ...extra },
  spec: podCIDR ? { podCIDR, podCIDRs: [podCIDR] } : {},
});

test('overlapping podCIDRs: the node created first holds the range, later ones conflict with it', () => {
  const a = node('agent-1', '10.244.1.0/24', '2026-12-07T10:00:00Z');
  const b = node('agent-2', '10.244.2.0/24', '2026-12-07T10:00:01Z');
  const ghost = node('ghost', '10.244.1.0/24', '2026-12-07T11:00:00Z');
  const wide = node('wide', '10.244.0.0/16', '2026-12-07T12:00:00Z');
  // Order of the list does not matter: every host decides alike.
  for (const list of [[a, b, ghost, wide], [wide, ghost, b, a]]) {
    const c = podCidrConflicts(list);
    assert.deepEqual([...c.keys()].sort(), ['ghost', 'wide']);
    assert.deepEqual(c.get('ghost'), { podCIDR: '10.244.1.0/24', heldBy: 'agent-1', heldRange: '10.244.1.0/24' });
    // A wider range overlapping two holders names the first it meets (by age).
    assert.equal(c.get('wide')!.heldBy, 'agent-1');
  }
});

test('a wider range created first holds it; the narrower ones inside conflict', () => {
  const c = podCidrConflicts([node('n1', '10.244.1.0/24', '2026-12-07T10:00:01Z'), node('big', '10.244.0.0/16', '2026-12-07T10:00:00Z')]);
  assert.deepEqual([...c.keys()], ['n1']);
  assert.equal(c.get('n1')!.heldRange, '10.244.0.0/16');
});

test('same creation time: the name decides; once the holder is gone the other holds the range', () => {
  const x = node('x', '10.244.3.0/24', '2026-12-07T10:00:00Z');
  const y = node('y', '10.244.3.0/24', '2026-12-07T10:00:00Z');
  assert.deepEqual([...podCidrConflicts([y, x]).keys()], ['y']);
  assert.equal(podCidrConflicts([y]).size, 0);
});

test('no range, a range that does not parse, IPv6, or no creation time: claims nothing or comes last', () => {
  const c = podCidrConflicts([
    node('none', undefined, '2026-12-07T10:00:00Z'),
    node('junk', '10.244.9.0/33', '2026-12-07T10:00:00Z'),
    node('v6', 'fd00::/64', '2026-12-07T10:00:00Z'),
    node('undated', '10.244.4.0/24', ''),
    node('dated', '10.244.4.0/24', '2026-12-07T10:00:00Z'),
    // Being deleted: it still holds its range until it is gone.
    node('leaving', '10.244.5.0/24', '2026-12-07T09:00:00Z', { deletionTimestamp: '2026-12-07T12:00:00Z' }),
    node('arriving', '10.244.5.0/24', '2026-12-07T11:00:00Z'),
  ]);
  assert.deepEqual([...c.keys()].sort(), ['arriving', 'undated']);
});
