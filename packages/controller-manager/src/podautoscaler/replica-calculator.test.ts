import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Pod } from '@k8ts/api';
import { podRequests, rawResourceReplicas, resourceReplicas, type CalculatorOptions, type PodMetrics } from './replica-calculator.js';

const NOW = Date.parse('2024-01-01T12:00:00Z');
const opts: CalculatorOptions = { tolerance: 0.1, cpuInitializationPeriodMs: 300_000, initialReadinessDelayMs: 30_000, now: () => NOW };

function pod(name: string, cpuRequest: string | undefined, o: { phase?: string; ready?: boolean; started?: string; readySince?: string } = {}): Pod {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, namespace: 'default', labels: { app: 'web' } },
    spec: { containers: [{ name: 'c', image: 'k8ts/hello:1.0', resources: cpuRequest ? { requests: { cpu: cpuRequest, memory: '64Mi' } } : {} }] },
    status: {
      phase: o.phase ?? 'Running',
      startTime: o.started ?? '2024-01-01T11:00:00Z',
      conditions: [{ type: 'Ready', status: o.ready === false ? 'False' : 'True', lastTransitionTime: o.readySince ?? '2024-01-01T11:00:10Z' }],
    },
  } as Pod;
}

function metrics(entries: [string, number][]): PodMetrics {
  return new Map(entries.map(([n, v]) => [n, { value: v, timestampMs: NOW - 1000, windowMs: 15_000 }]));
}

test('scale up: ceil(current × usage / target)', () => {
  const pods = [pod('a', '100m'), pod('b', '100m')];
  // 90 % and 110 % of the 100m requests against 50 %: ratio 2 → 4 replicas.
  const r = resourceReplicas(2, 50, 'cpu', pods, metrics([['a', 90], ['b', 110]]), opts);
  assert.deepEqual(r, { replicas: 4, utilization: 100, rawAverage: 100 });
});

test('within the 10 % tolerance nothing changes; just outside it does', () => {
  const pods = [pod('a', '100m'), pod('b', '100m')];
  assert.equal(resourceReplicas(2, 50, 'cpu', pods, metrics([['a', 54], ['b', 54]]), opts).replicas, 2);
  assert.equal(resourceReplicas(2, 50, 'cpu', pods, metrics([['a', 56], ['b', 56]]), opts).replicas, 3);
});

test('scale down: rounded up, never to zero while pods use anything', () => {
  const pods = [pod('a', '100m'), pod('b', '100m'), pod('c', '100m'), pod('d', '100m')];
  assert.equal(resourceReplicas(4, 50, 'cpu', pods, metrics([['a', 10], ['b', 10], ['c', 10], ['d', 10]]), opts).replicas, 1);
});

test('missing metrics count as 100 % on a scale-down and 0 % on a scale-up', () => {
  const pods = [pod('a', '100m'), pod('b', '100m'), pod('c', '100m')];
  // down: a, b at 10 %, c missing → counted 100 %: (10+10+100)/300 = 40 % vs 50 % → ceil(0.8 × 3) = 3 (no change: 0.8 is outside tolerance, 3 = current)
  assert.equal(resourceReplicas(3, 50, 'cpu', pods, metrics([['a', 10], ['b', 10]]), opts).replicas, 3);
  // up: a, b at 200 %, c missing → 0 %: (200+200+0)/300 = 133 % vs 50 % → ceil(2.66 × 3) = 8
  assert.equal(resourceReplicas(3, 50, 'cpu', pods, metrics([['a', 200], ['b', 200]]), opts).replicas, 8);
});

test('unready pods count as 0 % on a scale-up; pending pods are not counted as ready', () => {
  const pods = [pod('a', '100m'), pod('b', '100m', { ready: false, started: '2024-01-01T11:59:00Z', readySince: '2024-01-01T11:59:00Z' }), pod('p', '100m', { phase: 'Pending' })];
  // a at 100 %: ratio 2 with unready b and p filled as 0 % → (100+0+0)/300 = 33 % → ratio 0.66 < 1: direction would change, no change.
  assert.equal(resourceReplicas(3, 50, 'cpu', pods, metrics([['a', 100], ['b', 100]]), opts).replicas, 3);
  // a at 300 %: (300+0+0)/300 = 100 % → ratio 2 → ceil(2 × 3) = 6
  assert.equal(resourceReplicas(3, 50, 'cpu', pods, metrics([['a', 300], ['b', 100]]), opts).replicas, 6);
});

test('bad input: no requests, no pods, no metrics for any counted pod', () => {
  assert.throws(() => resourceReplicas(1, 50, 'cpu', [pod('a', undefined)], metrics([['a', 10]]), opts), /missing request for cpu in container c of Pod a/);
  assert.throws(() => resourceReplicas(1, 50, 'cpu', [], metrics([['a', 10]]), opts), /no pods returned by selector while calculating replica count/);
  assert.throws(() => resourceReplicas(1, 50, 'cpu', [pod('a', '100m', { phase: 'Pending' })], metrics([['a', 10]]), opts), /did not receive metrics for targeted pods \(pods might be unready\)/);
  assert.throws(() => podRequests([pod('a', undefined)], 'cpu'), /missing request/);
});

test('AverageValue: replicas from the average against the target value', () => {
  const pods = [pod('a', undefined), pod('b', undefined)];
  // 300m and 500m average 400m against 200m: ratio 2 → 4
  assert.deepEqual(rawResourceReplicas(2, 200, 'cpu', pods, metrics([['a', 300], ['b', 500]]), opts), { replicas: 4, usage: 400 });
  assert.equal(rawResourceReplicas(2, 200, 'cpu', pods, metrics([['a', 210], ['b', 200]]), opts).replicas, 2);
});

test('memory ignores readiness: a pod within its CPU initialisation period still counts', () => {
  const young = pod('a', '100m', { started: '2024-01-01T11:59:50Z', readySince: '2024-01-01T11:59:55Z' });
  (young.spec!.containers[0]!.resources!.requests as Record<string, string>).memory = '100Mi';
  const mi = 1024 * 1024 * 1000;
  assert.equal(resourceReplicas(1, 50, 'memory', [young], metrics([['a', 100 * mi]]), opts).replicas, 2);
  assert.throws(() => resourceReplicas(1, 50, 'cpu', [young], metrics([['a', 100]]), opts), /did not receive metrics/);
});
