import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { KubeObject, Pod } from '@k8ts/api';
import { HorizontalController, defaultHpaOptions, milliQuantity } from './controller.js';
import { CalculationError, type PodMetrics } from './replica-calculator.js';
import type { MetricsSource } from './metrics-client.js';
import { podMetricsOf } from './metrics-client.js';
import { ctxFor, staticLister, FakeClient } from '../testing/fixtures.js';

const T0 = Date.parse('2024-01-01T12:00:00Z');

class FakeMetrics implements MetricsSource {
  byPod = new Map<string, number>();
  fail?: string;
  async resourceMetric(): Promise<{ metrics: PodMetrics; timestampMs: number }> {
    if (this.fail) throw new CalculationError(this.fail);
    if (this.byPod.size === 0) throw new CalculationError('no metrics returned from resource metrics API');
    return { metrics: new Map([...this.byPod].map(([n, v]) => [n, { value: v, timestampMs: T0, windowMs: 15_000 }])), timestampMs: T0 };
  }
}

function hpa(spec: Record<string, unknown> = {}): KubeObject {
  return {
    apiVersion: 'autoscaling/v2',
    kind: 'HorizontalPodAutoscaler',
    metadata: { name: 'web', namespace: 'default', uid: 'hpa-1', generation: 1 },
    spec: {
      scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'web' },
      minReplicas: 1,
      maxReplicas: 10,
      metrics: [{ type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 50 } } }],
      ...spec,
    },
  } as KubeObject;
}

function pod(name: string, request: string | null = '100m'): Pod {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, namespace: 'default', labels: { app: 'web' } },
    spec: { containers: [{ name: 'hello', image: 'k8ts/hello:1.0', resources: request ? { requests: { cpu: request } } : {} }] },
    status: { phase: 'Running', startTime: '2024-01-01T11:00:00Z', conditions: [{ type: 'Ready', status: 'True', lastTransitionTime: '2024-01-01T11:00:05Z' }] },
  } as Pod;
}

function setup(h: KubeObject, replicas: number, pods: Pod[], opts: { target?: boolean } = {}) {
  let t = T0;
  const client = new FakeClient();
  const stored = client.seed('horizontalpodautoscalers', h);
  const { ctx, queue, recorder } = ctxFor(client, () => t);
  const deployment = { replicas, rv: 1 };
  const scales: number[] = [];
  client.prependReactor('get', 'deployments', (a) => {
    if (a.subresource !== 'scale') return undefined;
    if (opts.target === false) throw Object.assign(new Error('deployments.apps "web" not found'), { code: 404 });
    return { apiVersion: 'autoscaling/v1', kind: 'Scale', metadata: { name: 'web', namespace: 'default', resourceVersion: String(deployment.rv) }, spec: { replicas: deployment.replicas }, status: { replicas: deployment.replicas, selector: 'app=web' } } as KubeObject;
  });
  client.prependReactor('update', 'deployments', (a) => {
    if (a.subresource !== 'scale') return undefined;
    deployment.replicas = (a.object as any).spec.replicas;
    deployment.rv++;
    scales.push(deployment.replicas);
    return a.object;
  });
  const metrics = new FakeMetrics();
  const hpas = staticLister([stored as KubeObject]);
  const c = new HorizontalController(ctx, { hpas: hpas as any, pods: staticLister(pods) }, queue, metrics, { ...defaultHpaOptions });
  const status = () => (client.peek('horizontalpodautoscalers', 'default', 'web') as any).status;
  const sync = async () => {
    await c.sync('default/web');
    hpas.set([client.peek('horizontalpodautoscalers', 'default', 'web') as KubeObject]);
  };
  return { client, c, queue, recorder, metrics, deployment, scales, status, sync, advance: (s: number) => void (t += s * 1000) };
}

const condition = (st: any, type: string) => st.conditions.find((c: any) => c.type === type);

test('scales up on CPU above target: SuccessfulRescale, status, conditions, lastScaleTime', async () => {
  const w = setup(hpa(), 2, [pod('a'), pod('b')]);
  w.metrics.byPod = new Map([['a', 90], ['b', 110]]);
  await w.sync();
  assert.deepEqual(w.scales, [4]);
  const st = w.status();
  assert.equal(st.currentReplicas, 2);
  assert.equal(st.desiredReplicas, 4);
  assert.ok(st.lastScaleTime);
  assert.deepEqual(st.currentMetrics, [{ type: 'Resource', resource: { name: 'cpu', current: { averageUtilization: 100, averageValue: '100m' } } }]);
  assert.equal(condition(st, 'AbleToScale').reason, 'SucceededRescale');
  assert.equal(condition(st, 'ScalingActive').reason, 'ValidMetricFound');
  assert.equal(condition(st, 'ScalingActive').message, 'the HPA was able to successfully calculate a replica count from cpu resource utilization (percentage of request)');
  assert.equal(condition(st, 'ScalingLimited').status, 'False');
  assert.deepEqual(w.recorder.events.map((e) => [e.type, e.reason, e.message]), [['Normal', 'SuccessfulRescale', 'New size: 4; reason: cpu resource utilization (percentage of request) above target']]);
  assert.deepEqual(w.queue.after.map((a) => a.delayMs), [15_000], 'resynced every sync period');
});

test('scale-down waits for the stabilization window, then goes down with "All metrics below target"', async () => {
  const w = setup(hpa({ behavior: { scaleDown: { stabilizationWindowSeconds: 30 } } }), 4, ['a', 'b', 'c', 'd'].map((n) => pod(n)));
  w.metrics.byPod = new Map(['a', 'b', 'c', 'd'].map((n) => [n, 5]));
  await w.sync();
  assert.deepEqual(w.scales, []);
  assert.equal(condition(w.status(), 'AbleToScale').reason, 'ScaleDownStabilized');
  w.advance(31);
  await w.sync();
  assert.deepEqual(w.scales, [1]);
  assert.equal(w.recorder.events.at(-1)!.message, 'New size: 1; reason: All metrics below target');
});

test('bad input: a target without requests sets ScalingActive False with FailedGetResourceMetric and scales nothing', async () => {
  const w = setup(hpa(), 2, [pod('a', null), pod('b', null)]);
  w.metrics.byPod = new Map([['a', 90], ['b', 110]]);
  await w.sync();
  assert.deepEqual(w.scales, []);
  const st = w.status();
  const active = condition(st, 'ScalingActive');
  assert.equal(active.status, 'False');
  assert.equal(active.reason, 'FailedGetResourceMetric');
  assert.equal(active.message, 'the HPA was unable to compute the replica count: failed to get cpu utilization: missing request for cpu in container hello of Pod a');
  assert.deepEqual(
    w.recorder.events.map((e) => [e.type, e.reason, e.message]),
    [
      ['Warning', 'FailedGetResourceMetric', 'failed to get cpu utilization: missing request for cpu in container hello of Pod a'],
      ['Warning', 'FailedComputeMetricsReplicas', 'invalid metrics (1 invalid out of 1), first error is: failed to get cpu resource metric value: failed to get cpu utilization: missing request for cpu in container hello of Pod a'],
    ],
  );
  assert.equal(st.currentReplicas, 2);
  assert.equal(condition(st, 'AbleToScale').status, 'True');
});

test('bad input: no metrics yet is FailedGetResourceMetric with upstream\'s message', async () => {
  const w = setup(hpa(), 2, [pod('a'), pod('b')]);
  await w.sync();
  assert.deepEqual(w.scales, []);
  assert.equal(condition(w.status(), 'ScalingActive').message, 'the HPA was unable to compute the replica count: failed to get cpu utilization: unable to get metrics for resource cpu: no metrics returned from resource metrics API');
});

test('bad input: a missing target is AbleToScale False, FailedGetScale, and the HPA is tried again', async () => {
  const w = setup(hpa(), 2, [], { target: false });
  await w.sync();
  const st = w.status();
  assert.equal(condition(st, 'AbleToScale').status, 'False');
  assert.equal(condition(st, 'AbleToScale').reason, 'FailedGetScale');
  assert.match(condition(st, 'AbleToScale').message, /^the HPA controller was unable to get the target's current scale: deployments.apps "web" not found/);
  assert.equal(w.recorder.events[0]!.reason, 'FailedGetScale');
  assert.equal(w.queue.after.length, 1);
});

test('bad input: a kind nothing serves is FailedGetScale "no matches for kind"', async () => {
  const w = setup(hpa({ scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Widget', name: 'web' } }), 2, []);
  await w.sync();
  assert.equal(w.recorder.events[0]!.message, 'no matches for kind "Widget" in group "apps"');
});

test('below minReplicas and above maxReplicas are corrected first; a target at 0 disables scaling', async () => {
  let w = setup(hpa({ minReplicas: 3 }), 1, [pod('a')]);
  await w.sync();
  assert.deepEqual(w.scales, [3]);
  assert.equal(w.recorder.events[0]!.message, 'New size: 3; reason: Current number of replicas below Spec.MinReplicas');
  w = setup(hpa({ maxReplicas: 2 }), 5, [pod('a')]);
  await w.sync();
  assert.deepEqual(w.scales, [2]);
  w = setup(hpa(), 0, []);
  await w.sync();
  assert.deepEqual(w.scales, []);
  assert.equal(condition(w.status(), 'ScalingActive').reason, 'ScalingDisabled');
});

test('metrics client: sums containers in milli-units, skips pods missing the resource, errors on none', () => {
  const items = [
    { metadata: { name: 'a' }, timestamp: '2024-01-01T12:00:00Z', window: '15.5s', containers: [{ name: 'x', usage: { cpu: '250m', memory: '10Mi' } }, { name: 'y', usage: { cpu: '1500000n', memory: '1Ki' } }] },
    { metadata: { name: 'b' }, timestamp: '2024-01-01T12:00:00Z', window: '15s', containers: [{ name: 'x', usage: { memory: '1Mi' } }] },
  ] as unknown as KubeObject[];
  const { metrics } = podMetricsOf(items, 'cpu');
  assert.deepEqual([...metrics.keys()], ['a']);
  assert.equal(metrics.get('a')!.value, 252);
  assert.equal(metrics.get('a')!.windowMs, 15_500);
  assert.throws(() => podMetricsOf([], 'cpu'), /no metrics returned from resource metrics API/);
  assert.equal(milliQuantity(250), '250m');
  assert.equal(milliQuantity(2000), '2');
  assert.equal(milliQuantity(1_500_000), '1500');
});
