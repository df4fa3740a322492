import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isPodReady, type Pod } from '@k8ts/api';
import { podReady } from './workload.js';

const pod = (ready: string, deleting?: string): Pod => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name: 'p', ...(deleting ? { deletionTimestamp: deleting } : {}) },
  status: { conditions: [{ type: 'Ready', status: ready }] },
});

test('a drill counts a pod as @k8ts/api does, except a terminating one', () => {
  assert.equal(podReady(pod('True')), true);
  assert.equal(podReady(pod('False')), false);
  // podutil.IsPodReady ignores deletion; the drill does not count a pod on its way out
  assert.equal(isPodReady(pod('True', '2026-01-01T00:00:00Z')), true);
  assert.equal(podReady(pod('True', '2026-01-01T00:00:00Z')), false);
});
