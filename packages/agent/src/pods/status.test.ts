import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Pod } from '@k8ts/api';
import { computePodStatus, containerStatus, podPhase, qosClass, sameStatus, type ContainerView, type InstanceView } from './status.js';

const NOW = '2026-01-01T00:00:10Z';
function pod(spec: Partial<NonNullable<Pod['spec']>> = {}, status?: Pod['status']): Pod {
  return { metadata: { name: 'p', namespace: 'default', uid: 'u1' }, spec: { containers: [{ name: 'a', image: 'img' }], ...spec }, status } as Pod;
}
function inst(o: Partial<InstanceView> = {}): InstanceView {
  return { id: 'c1', restartCount: 0, running: true, startedAt: '2026-01-01T00:00:01Z', exitCode: 0, oomKilled: false, error: '', imageId: 'sha256:x', created: true, ...o };
}
function status(p: Pod, app: Record<string, ContainerView>, init: Record<string, ContainerView> = {}, podIP = '10.0.0.2') {
  return computePodStatus({ pod: p, app: new Map(Object.entries(app)), init: new Map(Object.entries(init)), podIP, hostIP: '10.0.0.1', startTime: '2026-01-01T00:00:00Z', now: NOW });
}
const cond = (s: ReturnType<typeof status>, t: string) => s.conditions?.find((c) => c.type === t)?.status;

test('running and ready: phase Running, all conditions True', () => {
  const s = status(pod(), { a: { instances: [inst()] } });
  assert.equal(s.phase, 'Running');
  assert.equal(cond(s, 'Ready'), 'True');
  assert.equal(cond(s, 'ContainersReady'), 'True');
  assert.equal(cond(s, 'Initialized'), 'True');
  assert.equal(cond(s, 'PodScheduled'), 'True');
  assert.equal(s.podIP, '10.0.0.2');
  assert.equal(s.hostIP, '10.0.0.1');
  const cs = s.containerStatuses![0];
  assert.deepEqual(cs.state, { running: { startedAt: '2026-01-01T00:00:01Z' } });
  assert.equal(cs.ready, true);
  assert.equal(cs.containerID, 'docker://c1');
});

test('no container yet: Pending, ContainerCreating', () => {
  const s = status(pod(), { a: { instances: [] } }, {}, '');
  assert.equal(s.phase, 'Pending');
  assert.equal(s.containerStatuses![0].state?.waiting?.reason, 'ContainerCreating');
  assert.equal(cond(s, 'Ready'), 'False');
  assert.match(s.conditions!.find((c) => c.type === 'Ready')!.message!, /containers with unready status: \[a\]/);
  assert.equal(s.podIP, undefined);
});

test('crash loop: waiting CrashLoopBackOff with the last termination, phase Running', () => {
  const dead = inst({ id: 'c2', restartCount: 2, running: false, exitCode: 1, finishedAt: '2026-01-01T00:00:05Z' });
  const s = status(pod(), { a: { instances: [dead], waiting: { reason: 'CrashLoopBackOff', message: 'back-off 20s' } } });
  const cs = s.containerStatuses![0];
  assert.equal(cs.state?.waiting?.reason, 'CrashLoopBackOff');
  assert.equal(cs.lastState?.terminated?.exitCode, 1);
  assert.equal(cs.lastState?.terminated?.reason, 'Error');
  assert.equal(cs.restartCount, 2);
  assert.equal(s.phase, 'Running');
  assert.equal(cs.ready, false);
});

test('terminated reasons: Completed, Error, OOMKilled, StartError', () => {
  const c = { name: 'a', image: 'i' };
  const t = (o: Partial<InstanceView>) => containerStatus(c, { instances: [inst({ running: false, finishedAt: NOW, ...o })] }, 'ContainerCreating').state?.terminated;
  assert.equal(t({ exitCode: 0 })?.reason, 'Completed');
  assert.equal(t({ exitCode: 2 })?.reason, 'Error');
  assert.equal(t({ exitCode: 137, oomKilled: true })?.reason, 'OOMKilled');
  const se = t({ exitCode: 127, error: 'exec: "x": not found' });
  assert.equal(se?.reason, 'StartError');
  assert.match(se?.message ?? '', /not found/);
});

test('phases by restartPolicy', () => {
  const done = (code: number) => ({ instances: [inst({ running: false, exitCode: code, finishedAt: NOW })] });
  assert.equal(status(pod({ restartPolicy: 'Never' }), { a: done(0) }).phase, 'Succeeded');
  assert.equal(status(pod({ restartPolicy: 'Never' }), { a: done(1) }).phase, 'Failed');
  assert.equal(status(pod({ restartPolicy: 'OnFailure' }), { a: done(0) }).phase, 'Succeeded');
  assert.equal(status(pod({ restartPolicy: 'OnFailure' }), { a: done(1) }).phase, 'Running');
  assert.equal(status(pod({ restartPolicy: 'Always' }), { a: done(0) }).phase, 'Running');
  // terminal phases stick
  assert.equal(podPhase(pod({}, { phase: 'Succeeded' }), [], []), 'Succeeded');
  const s = status(pod({ restartPolicy: 'Never' }), { a: done(0) });
  assert.equal(cond(s, 'Ready'), 'False');
  assert.equal(s.conditions!.find((c) => c.type === 'Ready')!.reason, 'PodCompleted');
});

test('init containers: PodInitializing until all complete; a failed one fails a Never pod', () => {
  const p = pod({ initContainers: [{ name: 'i1', image: 'x' }, { name: 'i2', image: 'x' }] });
  const s1 = status(p, { a: { instances: [] } }, { i1: { instances: [inst({ running: true })] }, i2: { instances: [] } });
  assert.equal(s1.phase, 'Pending');
  assert.equal(cond(s1, 'Initialized'), 'False');
  assert.equal(s1.containerStatuses![0].state?.waiting?.reason, 'PodInitializing');
  assert.equal(s1.initContainerStatuses![1].state?.waiting?.reason, 'PodInitializing');
  const okDone = { instances: [inst({ running: false, exitCode: 0, finishedAt: NOW })] };
  const s2 = status(p, { a: { instances: [inst()] } }, { i1: okDone, i2: okDone });
  assert.equal(cond(s2, 'Initialized'), 'True');
  assert.equal(s2.phase, 'Running');
  const failed = status({ ...p, spec: { ...p.spec!, restartPolicy: 'Never' } }, { a: { instances: [] } }, { i1: { instances: [inst({ running: false, exitCode: 1, finishedAt: NOW })] }, i2: { instances: [] } });
  assert.equal(failed.phase, 'Failed');
});

test('readiness and startup gate the ready flag', () => {
  const s = status(pod(), { a: { instances: [inst()], ready: false } });
  assert.equal(s.containerStatuses![0].ready, false);
  assert.equal(cond(s, 'Ready'), 'False');
  const s2 = status(pod(), { a: { instances: [inst()], started: false } });
  assert.equal(s2.containerStatuses![0].started, false);
  assert.equal(s2.containerStatuses![0].ready, false);
});

test('transition times are kept while a condition holds; foreign conditions kept', () => {
  const first = status(pod(), { a: { instances: [inst()] } });
  const p2 = pod({}, { ...first, conditions: [...first.conditions!.map((c) => ({ ...c, lastTransitionTime: '2025-01-01T00:00:00Z' })), { type: 'DisruptionTarget', status: 'True' }] });
  const second = status(p2, { a: { instances: [inst()] } });
  assert.equal(second.conditions!.find((c) => c.type === 'Ready')!.lastTransitionTime, '2025-01-01T00:00:00Z');
  assert.ok(second.conditions!.find((c) => c.type === 'DisruptionTarget'));
  const third = status(p2, { a: { instances: [inst()], ready: false } });
  assert.equal(third.conditions!.find((c) => c.type === 'Ready')!.lastTransitionTime, NOW);
});

test('sameStatus ignores key order and undefined fields', () => {
  assert.ok(sameStatus({ a: 1, b: { c: 2, d: undefined } }, { b: { c: 2 }, a: 1 }));
  assert.ok(!sameStatus({ a: 1 }, { a: 2 }));
});

test('QoS classes', () => {
  assert.equal(qosClass(pod()), 'BestEffort');
  assert.equal(qosClass(pod({ containers: [{ name: 'a', resources: { limits: { cpu: '1', memory: '1Gi' } } }] })), 'Guaranteed');
  assert.equal(qosClass(pod({ containers: [{ name: 'a', resources: { requests: { cpu: '1' } } }] })), 'Burstable');
});

test('ephemeral containers: their own statuses, never ready, no part of the phase or readiness', () => {
  const p = pod({ restartPolicy: 'Never', ephemeralContainers: [{ name: 'dbg', image: 'busybox:1' }, { name: 'later', image: 'busybox:1' }] } as Partial<NonNullable<Pod['spec']>>);
  const eph = new Map<string, ContainerView>([['dbg', { instances: [inst({ id: 'e1' })] }]]);
  const s = computePodStatus({ pod: p, app: new Map([['a', { instances: [inst()] }]]), init: new Map(), ephemeral: eph, podIP: '10.0.0.2', hostIP: '10.0.0.1', now: NOW });
  assert.equal(s.phase, 'Running');
  assert.equal(cond(s, 'Ready'), 'True');
  assert.deepEqual(s.ephemeralContainerStatuses?.map((c) => [c.name, Object.keys(c.state ?? {})[0], c.ready]), [['dbg', 'running', false], ['later', 'waiting', false]]);
  assert.equal(s.ephemeralContainerStatuses?.[0].containerID, 'docker://e1');
  // the app container finished: the pod did, whatever the debugger does
  const done = computePodStatus({ pod: p, app: new Map([['a', { instances: [inst({ running: false, finishedAt: NOW })] }]]), init: new Map(), ephemeral: eph, hostIP: '10.0.0.1', now: NOW });
  assert.equal(done.phase, 'Succeeded');
  assert.equal(status(pod(), { a: { instances: [inst()] } }).ephemeralContainerStatuses, undefined);
});
