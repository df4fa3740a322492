import { test } from 'node:test';
import assert from 'node:assert/strict';
import { nodeObject, parseNodeLabels, readyCondition } from './node-object.js';
import { parseDuration } from '@k8ts/api';

test('node object: labels, capacity from flags, addresses, info', () => {
  const n = nodeObject({ name: 'n1', labels: { zone: 'a' }, cpu: '4', memory: '8Gi', maxPods: 20, internalIP: '10.213.0.1', runtimeVersion: 'docker://20.10.24' }, undefined, '2026-01-01T00:00:00Z');
  assert.equal(n.metadata?.labels?.['kubernetes.io/hostname'], 'n1');
  assert.equal(n.metadata?.labels?.['kubernetes.io/os'], 'linux');
  assert.equal(n.metadata?.labels?.zone, 'a');
  assert.deepEqual({ cpu: n.status?.capacity?.cpu, memory: n.status?.capacity?.memory, pods: n.status?.capacity?.pods }, { cpu: '4', memory: '8Gi', pods: '20' });
  assert.deepEqual(n.status?.allocatable, n.status?.capacity);
  assert.deepEqual(n.status?.addresses, [{ type: 'InternalIP', address: '10.213.0.1' }, { type: 'Hostname', address: 'n1' }]);
  assert.equal(n.status?.nodeInfo?.kubeletVersion, 'v1.32.0-k8ts');
  assert.equal(n.status?.nodeInfo?.containerRuntimeVersion, 'docker://20.10.24');
});

test('Ready condition: NotReady with the runtime error, transition time kept while unchanged', () => {
  const up = readyCondition(undefined, undefined, 'T1');
  assert.equal(up.find((c) => c.type === 'Ready')?.status, 'True');
  const still = readyCondition(up, undefined, 'T2');
  assert.equal(still.find((c) => c.type === 'Ready')?.lastTransitionTime, 'T1');
  assert.equal(still.find((c) => c.type === 'Ready')?.lastHeartbeatTime, 'T2');
  const down = readyCondition(still, 'docker: connect ENOENT', 'T3');
  const r = down.find((c) => c.type === 'Ready')!;
  assert.equal(r.status, 'False');
  assert.equal(r.reason, 'KubeletNotReady');
  assert.match(r.message!, /container runtime is down: docker: connect ENOENT/);
  assert.equal(r.lastTransitionTime, 'T3');
});

test('flags: --node-labels and durations', () => {
  assert.deepEqual(parseNodeLabels('a=b, c=d'), { a: 'b', c: 'd' });
  assert.deepEqual(parseNodeLabels(''), {});
  assert.throws(() => parseNodeLabels('novalue'));
  assert.equal(parseDuration('10s'), 10_000);
  assert.equal(parseDuration('500ms'), 500);
  assert.equal(parseDuration('1m30s'), 90_000);
  assert.equal(parseDuration('2'), 2000);
  assert.throws(() => parseDuration('soon'));
});
