import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  controllerRef,
  deepCopy,
  getCondition,
  isPodReady,
  isPodTerminating,
  labelsMatchSelector,
  microTime,
  newControllerRef,
  nowMicro,
  nowRfc3339,
  objectKey,
  podRequests,
  rfc3339,
  setCondition,
  splitObjectKey,
} from './index.js';
import { findResource } from '../resources.js';

test('pod readiness and termination', () => {
  assert.equal(isPodReady({ status: { conditions: [{ type: 'Ready', status: 'True' }] } } as any), true);
  assert.equal(isPodReady({ status: { conditions: [{ type: 'Ready', status: 'False' }] } } as any), false);
  assert.equal(isPodReady({} as any), false);
  assert.equal(isPodTerminating({ metadata: { deletionTimestamp: '2024-01-01T00:00:00Z' } } as any), true);
  assert.equal(isPodTerminating({ metadata: {} } as any), false);
});

test('podRequests: max(sum(app), max(init)), sidecars add up, limits stand in for requests', () => {
  const c = (cpu?: string, mem?: string, extra: object = {}) => ({ name: 'x', resources: { requests: { ...(cpu ? { cpu } : {}), ...(mem ? { memory: mem } : {}) } }, ...extra });
  const pod: any = { spec: { containers: [c('100m', '64Mi'), c('200m', '64Mi')], initContainers: [c('500m', '10Mi'), c('50m', '1Gi')] } };
  assert.deepEqual(podRequests(pod), { cpuMillis: 500, memoryBytes: 2 ** 30 });
  const small: any = { spec: { containers: [c('100m', '64Mi'), c('200m', '64Mi')], initContainers: [c('10m', '1Mi')] } };
  assert.deepEqual(podRequests(small), { cpuMillis: 300, memoryBytes: 128 * 2 ** 20 });
  const sidecar: any = { spec: { containers: [c('100m')], initContainers: [c('50m', undefined, { restartPolicy: 'Always' }), c('120m')] } };
  // The sidecar runs beside the app (100+50) and beside the later init container (120+50).
  assert.deepEqual(podRequests(sidecar), { cpuMillis: 170, memoryBytes: 0 });
  const limitsOnly: any = { spec: { containers: [{ name: 'a', resources: { limits: { cpu: '1', memory: '1Gi' } } }] } };
  assert.deepEqual(podRequests(limitsOnly), { cpuMillis: 1000, memoryBytes: 2 ** 30 });
  assert.deepEqual(podRequests({ spec: { containers: [{ name: 'a' }] } } as any, { nonZero: true }), { cpuMillis: 100, memoryBytes: 200 * 2 ** 20 });
  assert.deepEqual(podRequests({ spec: { containers: [c('100m')], overhead: { cpu: '10m' } } } as any), { cpuMillis: 110, memoryBytes: 0 });
});

test('setCondition keeps lastTransitionTime while the status stays', () => {
  const t0 = '2024-01-01T00:00:00Z';
  const t1 = '2024-01-01T00:01:00Z';
  let r = setCondition(undefined, { type: 'Ready', status: 'False' }, t0);
  assert.equal(r.changed, true);
  assert.equal(r.conditions[0]!.lastTransitionTime, t0);
  r = setCondition(r.conditions, { type: 'Ready', status: 'False', reason: 'X' }, t1);
  assert.equal(r.conditions[0]!.lastTransitionTime, t0);
  assert.equal(r.changed, true, 'reason changed');
  r = setCondition(r.conditions, { type: 'Ready', status: 'False', reason: 'X' }, t1);
  assert.equal(r.changed, false);
  r = setCondition(r.conditions, { type: 'Ready', status: 'True' }, t1);
  assert.equal(r.conditions[0]!.lastTransitionTime, t1);
  assert.equal(getCondition(r.conditions, 'Ready')!.status, 'True');
  assert.equal(getCondition(r.conditions, 'Nope'), undefined);
});

test('owner references', () => {
  const rs: any = { apiVersion: 'apps/v1', kind: 'ReplicaSet', metadata: { name: 'web-1', uid: 'u1' } };
  const ref = newControllerRef(rs, findResource('replicasets'));
  assert.deepEqual(ref, { apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'web-1', uid: 'u1', controller: true, blockOwnerDeletion: true });
  assert.deepEqual(newControllerRef({ kind: 'Deployment', metadata: { name: 'd', uid: 'u2' } }).apiVersion, 'apps/v1');
  const pod: any = { metadata: { ownerReferences: [{ apiVersion: 'v1', kind: 'X', name: 'x', uid: 'ux' }, ref] } };
  assert.equal(controllerRef(pod)?.uid, 'u1');
  assert.equal(controllerRef({ metadata: {} }), undefined);
  assert.throws(() => newControllerRef({ kind: 'Pod', metadata: { name: 'p' } }));
});

test('labelsMatchSelector', () => {
  assert.equal(labelsMatchSelector({ app: 'a' }, { matchLabels: { app: 'a' } }), true);
  assert.equal(labelsMatchSelector({ app: 'b' }, { matchLabels: { app: 'a' } }), false);
  assert.equal(labelsMatchSelector({ app: 'a' }, undefined), false);
  assert.equal(labelsMatchSelector({ app: 'a' }, {}), true);
  assert.equal(labelsMatchSelector({ app: 'a' }, { matchExpressions: [{ key: 'app', operator: 'Bad' }] }), false);
});

test('times, keys, copies', () => {
  assert.match(nowRfc3339(), /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
  assert.match(nowMicro(), /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$/);
  const d = new Date('2024-05-01T10:00:00.123Z');
  assert.equal(rfc3339(d), '2024-05-01T10:00:00Z');
  assert.equal(microTime(d), '2024-05-01T10:00:00.123000Z');
  assert.equal(objectKey({ metadata: { namespace: 'ns', name: 'n' } }), 'ns/n');
  assert.equal(objectKey({ metadata: { name: 'node1' } }), 'node1');
  assert.deepEqual(splitObjectKey('ns/n'), { namespace: 'ns', name: 'n' });
  assert.deepEqual(splitObjectKey('n'), { namespace: '', name: 'n' });
  const o = { a: { b: [1, 2] } };
  const c = deepCopy(o);
  c.a.b.push(3);
  assert.deepEqual(o.a.b, [1, 2]);
});
