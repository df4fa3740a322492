import { test } from 'node:test';
import assert from 'node:assert/strict';
import { applyDefaults, validate, findResource, resourceForKind, hpaV1ToV2, hpaV2ToV1, fromStoredVersion, toStoredVersion, type KubeObject } from '../index.js';

const v2 = {
  apiVersion: 'autoscaling/v2',
  kind: 'HorizontalPodAutoscaler',
  metadata: { name: 'web', namespace: 'default' },
  spec: {
    scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'web' },
    minReplicas: 1,
    maxReplicas: 5,
    metrics: [
      { type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 50 } } },
      { type: 'Resource', resource: { name: 'memory', target: { type: 'AverageValue', averageValue: '100Mi' } } },
    ],
    behavior: { scaleDown: { stabilizationWindowSeconds: 10, selectPolicy: 'Max', policies: [{ type: 'Pods', value: 1, periodSeconds: 5 }] } },
  },
  status: {
    currentReplicas: 2,
    desiredReplicas: 3,
    currentMetrics: [{ type: 'Resource', resource: { name: 'cpu', current: { averageUtilization: 80, averageValue: '80m' } } }],
    conditions: [{ type: 'AbleToScale', status: 'True', reason: 'SucceededRescale' }],
  },
} as unknown as KubeObject;

test('v2 → v1: the CPU target and current utilisation as v1 fields, the rest in upstream annotations', () => {
  const v1 = hpaV2ToV1(v2) as any;
  assert.equal(v1.apiVersion, 'autoscaling/v1');
  assert.equal(v1.spec.targetCPUUtilizationPercentage, 50);
  assert.equal(v1.status.currentCPUUtilizationPercentage, 80);
  assert.deepEqual(JSON.parse(v1.metadata.annotations['autoscaling.alpha.kubernetes.io/metrics']), [(v2 as any).spec.metrics[1]]);
  assert.ok(v1.metadata.annotations['autoscaling.alpha.kubernetes.io/conditions']);
  assert.ok(v1.metadata.annotations['autoscaling.alpha.kubernetes.io/behavior']);
  assert.equal(v1.spec.metrics, undefined);
});

test('v1 → v2 → v1 → v2 keeps everything; v2 input objects are not changed', () => {
  const before = JSON.stringify(v2);
  const back = hpaV1ToV2(hpaV2ToV1(v2)) as any;
  assert.equal(JSON.stringify(v2), before);
  assert.deepEqual(back.spec, (v2 as any).spec);
  assert.deepEqual(back.status.conditions, (v2 as any).status.conditions);
  assert.equal(back.metadata.annotations, undefined);
});

test('kubectl autoscale\'s v1 body becomes a defaulted, valid v2 object', () => {
  const view = findResource('horizontalpodautoscalers.v1.autoscaling')!;
  assert.equal(view.viewOf, 'horizontalpodautoscalers');
  assert.equal(resourceForKind('HorizontalPodAutoscaler')!.version, 'v2', 'a kind names its stored version');
  assert.equal(findResource('hpa')!.version, 'v2');
  const body = { apiVersion: 'autoscaling/v1', kind: 'HorizontalPodAutoscaler', metadata: { name: 'x', namespace: 'default' }, spec: { scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'x' }, minReplicas: 1, maxReplicas: 5, targetCPUUtilizationPercentage: 50 } } as unknown as KubeObject;
  const stored = toStoredVersion(view, body);
  applyDefaults('horizontalpodautoscalers', stored);
  assert.deepEqual(validate('horizontalpodautoscalers', stored), []);
  assert.deepEqual((stored as any).spec.metrics, [{ type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 50 } } }]);
  assert.equal((fromStoredVersion(view, stored) as any).spec.targetCPUUtilizationPercentage, 50);
  // A v1 object without a CPU target gets v2's default of 80 %.
  const bare = toStoredVersion(view, { ...body, spec: { ...(body as any).spec, targetCPUUtilizationPercentage: undefined } } as KubeObject);
  applyDefaults('horizontalpodautoscalers', bare);
  assert.equal((fromStoredVersion(view, bare) as any).spec.targetCPUUtilizationPercentage, 80);
});

test('defaults: behavior given gets upstream\'s rules for what it leaves out; none given stays none', () => {
  const o = { spec: { scaleTargetRef: { kind: 'Deployment', name: 'x' }, maxReplicas: 3, behavior: { scaleDown: { stabilizationWindowSeconds: 5 } } } } as unknown as KubeObject;
  applyDefaults('horizontalpodautoscalers', o);
  const b = (o as any).spec.behavior;
  assert.deepEqual(b.scaleDown, { selectPolicy: 'Max', policies: [{ type: 'Percent', value: 100, periodSeconds: 15 }], stabilizationWindowSeconds: 5 });
  assert.equal(b.scaleUp.stabilizationWindowSeconds, 0);
  assert.equal((o as any).spec.minReplicas, 1);
  const none = { spec: { scaleTargetRef: { kind: 'Deployment', name: 'x' }, maxReplicas: 3 } } as unknown as KubeObject;
  applyDefaults('horizontalpodautoscalers', none);
  assert.equal((none as any).spec.behavior, undefined);
});

test('validation: upstream\'s messages for bad replica bounds, targets, metrics and policies', () => {
  const errs = (spec: Record<string, unknown>) => validate('horizontalpodautoscalers', { apiVersion: 'autoscaling/v2', kind: 'HorizontalPodAutoscaler', metadata: { name: 'x', namespace: 'default' }, spec } as unknown as KubeObject).map((e) => `${e.field}: ${e.message}`);
  const ref = { kind: 'Deployment', name: 'x' };
  assert.deepEqual(errs({ scaleTargetRef: ref, minReplicas: 5, maxReplicas: 2 }), ['spec.maxReplicas: Invalid value: 2: must be greater than or equal to `minReplicas`']);
  assert.deepEqual(errs({ scaleTargetRef: ref, minReplicas: 0, maxReplicas: 0 }), ['spec.minReplicas: Invalid value: 0: must be greater than or equal to 1', 'spec.maxReplicas: Invalid value: 0: must be greater than 0']);
  assert.deepEqual(errs({ scaleTargetRef: {}, maxReplicas: 1 }), ['spec.scaleTargetRef.kind: Required value', 'spec.scaleTargetRef.name: Required value']);
  assert.deepEqual(errs({ scaleTargetRef: ref, maxReplicas: 1, metrics: [{ type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization' } } }] }), [
    'spec.metrics[0].resource.target.averageUtilization: Required value: must set either a target raw value or a target utilization',
  ]);
  assert.deepEqual(errs({ scaleTargetRef: ref, maxReplicas: 1, metrics: [{ type: 'Resource' }] }), ['spec.metrics[0].resource: Required value: must populate information for the given metric source']);
  assert.deepEqual(errs({ scaleTargetRef: ref, maxReplicas: 1, behavior: { scaleDown: { stabilizationWindowSeconds: -1, policies: [{ type: 'Pods', value: 0, periodSeconds: 1801 }] } } }), [
    'spec.behavior.scaleDown.stabilizationWindowSeconds: Invalid value: -1: must be greater than or equal to zero',
    'spec.behavior.scaleDown.policies[0].value: Invalid value: 0: must be greater than zero',
    'spec.behavior.scaleDown.policies[0].periodSeconds: Invalid value: 1801: must be less than or equal to 1800',
  ]);
});
