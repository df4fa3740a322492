import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { KubeObject, Pod } from '@k8ts/api';
import { invariantChecks, type SettledView } from './checks.js';

const pod = (uid: string, node: string): Pod & KubeObject => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name: `web-${uid}`, uid },
  spec: { nodeName: node, containers: [] },
  status: { conditions: [{ type: 'Ready', status: 'True' }] },
});

const healthy = (): SettledView => ({
  injected: { what: 'stop agent-2', node: 'agent-2', desired: 2 },
  pods: [pod('a', 'agent-1'), pod('b', 'agent-3')],
  docker: [{ uid: 'a', name: 'web-a', node: 'agent-1' }, { uid: 'b', name: 'web-b', node: 'agent-3' }],
  recoveredAt: 1000,
  readyOnFailedNode: 0,
  writes: { attempted: 10, acknowledged: 9, failed: 1, lost: [], outages: [] },
  service: { requests: 100, failed: 3, failedShare: 0.03, longestOutageMs: 900, outages: [] },
});

const failed = (v: SettledView) => invariantChecks(v).filter((c) => !c.ok).map((c) => c.name);

test('a drill that recovered cleanly passes every invariant', () => {
  assert.deepEqual(failed(healthy()), []);
  assert.equal(invariantChecks(healthy()).length, 5);
});

test('each broken invariant fails its own check', () => {
  const v = healthy();
  v.docker!.push({ uid: 'old', name: 'web-old', node: 'agent-2' });
  assert.deepEqual(failed(v), ['no duplicate pods after the fault heals']);
  const w = healthy();
  w.writes.lost = ['cm-7'];
  w.readyOnFailedNode = 1;
  assert.deepEqual(failed(w), ['no Ready pods of the ReplicaSet left on the failed node', 'every acknowledged write still there']);
  const x = healthy();
  x.pods[0]!.metadata.deletionTimestamp = '2026-01-01T00:00:00Z';
  x.service = { ...x.service, failedShare: 0.6 };
  assert.deepEqual(failed(x), ['desired replicas restored', 'the Service answered throughout']);
});
