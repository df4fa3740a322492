import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Pod } from '@k8ts/api';
import { computePodActions, podFinished, type InstanceState, type PodObservation } from './pod-actions.js';
import { Backoff } from './backoff.js';

const NOW = 1_000_000;

function pod(spec: Partial<NonNullable<Pod['spec']>> = {}, extra: { phase?: string; deleting?: boolean } = {}): Pod {
  return {
    metadata: { name: 'p', namespace: 'default', uid: 'u1', ...(extra.deleting ? { deletionTimestamp: '2026-01-01T00:00:00Z' } : {}) },
    spec: { containers: [{ name: 'a', image: 'img:1' }], ...spec },
    ...(extra.phase ? { status: { phase: extra.phase } } : {}),
  } as Pod;
}

let seq = 0;
function sandbox(o: Partial<InstanceState> = {}): InstanceState {
  return { id: `sb${++seq}`, kind: 'sandbox', name: 'POD', restartCount: 0, running: true, sandboxId: '', createdMs: NOW - 60_000, ...o };
}
function ctr(name: string, sb: InstanceState, o: Partial<InstanceState> = {}): InstanceState {
  return { id: `${name}-${++seq}`, kind: 'app', name, restartCount: 0, running: true, sandboxId: sb.id, createdMs: NOW - 50_000, ...o };
}
const exited = (code: number, finishedAtMs = NOW - 1000): Partial<InstanceState> => ({ running: false, exitCode: code, error: '', finishedAtMs });

function obs(containers: InstanceState[], o: Partial<PodObservation> = {}): PodObservation {
  return { containers, unhealthy: new Map(), backoff: () => undefined, synced: true, ...o };
}

const types = (p: { actions: { type: string }[] }) => p.actions.map((a) => a.type);

test('a new pod: create the sandbox, then start every app container (restart count 0)', () => {
  const plan = computePodActions(pod({ containers: [{ name: 'a' }, { name: 'b' }] }), obs([]), NOW);
  assert.deepEqual(plan.actions, [
    { type: 'createSandbox', attempt: 0 },
    { type: 'startContainer', kind: 'app', name: 'a', restartCount: 0 },
    { type: 'startContainer', kind: 'app', name: 'b', restartCount: 0 },
  ]);
  assert.equal(plan.needsSandbox, true);
});

test('everything running: nothing to do; the running sandbox is the one containers join', () => {
  const sb = sandbox();
  const plan = computePodActions(pod(), obs([sb, ctr('a', sb)]), NOW);
  assert.deepEqual(plan.actions, []);
  assert.equal(plan.sandboxId, sb.id);
});

test('restartPolicy Always restarts after exit 0 and after failure; the new instance counts on', () => {
  for (const code of [0, 1]) {
    const sb = sandbox();
    const plan = computePodActions(pod(), obs([sb, ctr('a', sb, { restartCount: 2, ...exited(code, NOW - 500) })]), NOW);
    assert.deepEqual(plan.actions, [{ type: 'startContainer', kind: 'app', name: 'a', restartCount: 3, backoffFrom: NOW - 500 }]);
  }
});

test('restartPolicy OnFailure restarts only a failed container; Never restarts none', () => {
  const sb = sandbox();
  const ok = [sb, ctr('a', sb, exited(0))];
  const failed = [sb, ctr('a', sb, exited(2))];
  assert.deepEqual(types(computePodActions(pod({ restartPolicy: 'OnFailure' }), obs(ok), NOW)), []);
  assert.deepEqual(types(computePodActions(pod({ restartPolicy: 'OnFailure' }), obs(failed), NOW)), ['startContainer']);
  assert.deepEqual(types(computePodActions(pod({ restartPolicy: 'Never' }), obs(failed), NOW)), []);
  assert.deepEqual(types(computePodActions(pod({ restartPolicy: 'Never' }), obs(ok), NOW)), []);
  // a container the runtime could not start counts as failed (128)
  const startError = [sb, ctr('a', sb, { running: false, exitCode: 0, error: 'exec: "nope": not found', finishedAtMs: NOW - 10 })];
  assert.deepEqual(types(computePodActions(pod({ restartPolicy: 'OnFailure' }), obs(startError), NOW)), ['startContainer']);
});

test('a restart keeps the newest dead instance for logs --previous and removes older ones', () => {
  const sb = sandbox();
  const old = ctr('a', sb, { restartCount: 0, ...exited(1, NOW - 9000) });
  const prev = ctr('a', sb, { restartCount: 1, ...exited(1, NOW - 2000) });
  const plan = computePodActions(pod(), obs([sb, old, prev]), NOW);
  assert.deepEqual(plan.actions, [
    { type: 'startContainer', kind: 'app', name: 'a', restartCount: 2, backoffFrom: NOW - 2000 },
    { type: 'removeContainer', id: old.id, name: 'a' },
  ]);
});

test('crash-loop back-off: a container in its back-off waits; the plan says how long', () => {
  const sb = sandbox();
  const b = new Backoff(10_000, 40_000, () => NOW);
  const dead = ctr('a', sb, { restartCount: 1, ...exited(1, NOW - 3000) });
  const o = (bo: Backoff) => obs([sb, dead], { backoff: (name, since, now) => bo.peek(`u1/${name}`, since, now) });
  // first crash: no back-off yet, restart at once (the executor records one failure)
  assert.deepEqual(types(computePodActions(pod(), o(b), NOW)), ['startContainer']);
  b.next('u1/a', NOW - 20_000);
  // the crash before this one set 10 s; this one finished 3 s ago: 7 s left
  assert.deepEqual(computePodActions(pod(), o(b), NOW).actions, [{ type: 'backOff', kind: 'app', name: 'a', delayMs: 10_000, remainingMs: 7000 }]);
  // after the delay it restarts
  assert.deepEqual(types(computePodActions(pod(), o(b), NOW + 7000)), ['startContainer']);
});

test('back-off grows exponentially to the cap and resets after a long clean run', () => {
  const b = new Backoff(1000, 8000);
  const delays: number[] = [];
  let t = 0;
  for (let i = 0; i < 6; i++) {
    t += 100;
    delays.push(b.next('k', t));
  }
  assert.deepEqual(delays, [1000, 2000, 4000, 8000, 8000, 8000]);
  assert.equal(b.peek('k', t, t + 7999)?.remainingMs, 1);
  assert.equal(b.peek('k', t, t + 8000), undefined, 'over once the delay has passed');
  // a container that ran for more than twice the cap starts again from the base
  assert.equal(b.peek('k', t + 16_001, t + 16_002), undefined);
  assert.equal(b.next('k', t + 16_001), 1000);
});

test('init containers: one at a time in order; app containers only after all completed', () => {
  const spec = { initContainers: [{ name: 'i1' }, { name: 'i2' }], containers: [{ name: 'a' }] };
  assert.deepEqual(computePodActions(pod(spec), obs([]), NOW).actions, [
    { type: 'createSandbox', attempt: 0 },
    { type: 'startContainer', kind: 'init', name: 'i1', restartCount: 0 },
  ]);
  const sb = sandbox();
  const i1 = (o: Partial<InstanceState>) => ({ ...ctr('i1', sb, o), kind: 'init' as const });
  const i2 = (o: Partial<InstanceState>) => ({ ...ctr('i2', sb, o), kind: 'init' as const });
  assert.deepEqual(computePodActions(pod(spec), obs([sb, i1({})]), NOW).actions, [], 'i1 still runs: wait');
  assert.deepEqual(computePodActions(pod(spec), obs([sb, i1(exited(0))]), NOW).actions, [{ type: 'startContainer', kind: 'init', name: 'i2', restartCount: 0 }]);
  assert.deepEqual(computePodActions(pod(spec), obs([sb, i1(exited(0)), i2(exited(0))]), NOW).actions, [{ type: 'startContainer', kind: 'app', name: 'a', restartCount: 0 }]);
});

test('a failed init container: retried with back-off under Always and OnFailure, fails the pod under Never', () => {
  const spec = { initContainers: [{ name: 'i1' }, { name: 'i2' }], containers: [{ name: 'a' }] };
  const sb = sandbox();
  const failed = { ...ctr('i1', sb, { restartCount: 1, ...exited(1, NOW - 100) }), kind: 'init' as const };
  for (const restartPolicy of ['Always', 'OnFailure'] as const) {
    assert.deepEqual(computePodActions(pod({ ...spec, restartPolicy }), obs([sb, failed]), NOW).actions, [{ type: 'startContainer', kind: 'init', name: 'i1', restartCount: 2, backoffFrom: NOW - 100 }]);
    const inBackoff = obs([sb, failed], { backoff: () => ({ delayMs: 1000, remainingMs: 900 }) });
    assert.deepEqual(types(computePodActions(pod({ ...spec, restartPolicy }), inBackoff, NOW)), ['backOff']);
  }
  assert.deepEqual(computePodActions(pod({ ...spec, restartPolicy: 'Never' }), obs([sb, failed]), NOW).actions, [], 'nothing starts: i2 and a never run');
});

test('liveness and startup failures kill the running container with the pod grace period', () => {
  const sb = sandbox();
  const a = ctr('a', sb);
  const plan = computePodActions(pod({ terminationGracePeriodSeconds: 5 }), obs([sb, a], { unhealthy: new Map([[a.id, { probe: 'liveness' as const, message: 'HTTP 500' }]]) }), NOW);
  assert.deepEqual(plan.actions, [{ type: 'killContainer', id: a.id, name: 'a', graceSeconds: 5, reason: 'LivenessFailed', message: 'Container a failed liveness probe, will be restarted' }]);
  const s = computePodActions(pod(), obs([sb, a], { unhealthy: new Map([[a.id, { probe: 'startup' as const, message: '' }]]) }), NOW);
  assert.equal(s.actions[0].type === 'killContainer' && s.actions[0].reason, 'StartupFailed');
  // once stopped, the restart policy decides
  const stopped = { ...a, ...exited(137) };
  assert.deepEqual(types(computePodActions(pod(), obs([sb, stopped], { unhealthy: new Map([[a.id, { probe: 'liveness' as const, message: '' }]]) }), NOW)), ['startContainer']);
});

test('a dead sandbox: its containers stop, it is removed, a new one (next attempt) is made and the containers start in it counting on', () => {
  const dead = sandbox({ running: false, restartCount: 1 });
  const a = ctr('a', dead, { restartCount: 4 });
  const plan = computePodActions(pod(), obs([dead, a]), NOW);
  assert.deepEqual(plan.actions, [
    { type: 'killContainer', id: a.id, name: 'a', graceSeconds: 0, reason: 'SandboxGone', message: 'pod sandbox is gone' },
    { type: 'removeContainer', id: dead.id, name: 'POD' },
    { type: 'createSandbox', attempt: 2 },
    { type: 'startContainer', kind: 'app', name: 'a', restartCount: 5 },
  ]);
});

test('a finished pod whose sandbox is gone gets no new sandbox', () => {
  const dead = sandbox({ running: false });
  const a = ctr('a', dead, exited(0));
  const plan = computePodActions(pod({ restartPolicy: 'OnFailure' }), obs([dead, a]), NOW);
  assert.deepEqual(types(plan), ['removeContainer']);
  assert.equal(plan.needsSandbox, false);
  assert.equal(podFinished(pod({ restartPolicy: 'Always' }), [a]), false);
  assert.equal(podFinished(pod({ restartPolicy: 'Never' }), [{ ...a, exitCode: 1 }]), true);
  assert.equal(podFinished(pod({ restartPolicy: 'OnFailure' }), [{ ...a, exitCode: 1 }]), false);
});

test('containers of an earlier sandbox that still run are stopped; they stay as history', () => {
  const old = sandbox({ running: false, restartCount: 0 });
  const sb = sandbox({ restartCount: 1 });
  const stale = ctr('a', old, { restartCount: 0 });
  const cur = ctr('a', sb, { restartCount: 1 });
  const plan = computePodActions(pod(), obs([old, sb, stale, cur]), NOW);
  assert.deepEqual(plan.actions, [{ type: 'killContainer', id: stale.id, name: 'a', graceSeconds: 0, reason: 'StaleSandbox', message: 'container of an earlier pod sandbox' }]);
});

test('deletion, a pod gone from the API, and a finished pod are one killPod each', () => {
  const sb = sandbox();
  const a = ctr('a', sb);
  assert.deepEqual(computePodActions(pod({}, { deleting: true }), obs([sb, a]), NOW).actions, [{ type: 'killPod', why: 'deleted' }]);
  assert.deepEqual(computePodActions(undefined, obs([sb, a]), NOW).actions, [{ type: 'killPod', why: 'orphaned' }]);
  assert.deepEqual(computePodActions(pod({}, { phase: 'Succeeded' }), obs([sb, a]), NOW).actions, [{ type: 'killPod', why: 'finished' }]);
  assert.deepEqual(computePodActions(pod({}, { phase: 'Failed' }), obs([{ ...sb, running: false }, { ...a, ...exited(1) }]), NOW).actions, [], 'nothing runs: nothing to do');
});

test('adoption: before the pod cache has listed, containers of unknown pods are left alone', () => {
  const sb = sandbox();
  assert.deepEqual(computePodActions(undefined, obs([sb, ctr('a', sb)], { synced: false }), NOW).actions, []);
});

test('adoption: running containers found after an agent restart are kept as they are', () => {
  // what a new agent sees: the runtime's containers, restart counts from labels, no memory
  const sb = sandbox({ restartCount: 0 });
  const init = { ...ctr('i1', sb, exited(0)), kind: 'init' as const };
  const a = ctr('a', sb, { restartCount: 3 });
  const plan = computePodActions(pod({ initContainers: [{ name: 'i1' }] }), obs([sb, init, a]), NOW);
  assert.deepEqual(plan.actions, []);
  assert.equal(plan.sandboxId, sb.id);
});

test('adoption: a container created but never started (an agent stopped in between) is replaced, and an init container in that state is not taken as completed', () => {
  const sb = sandbox();
  const created: Partial<InstanceState> = { running: false, exitCode: 0, error: '', finishedAtMs: undefined };
  const a = ctr('a', sb, { restartCount: 2, ...created });
  for (const restartPolicy of ['Always', 'OnFailure', 'Never'] as const) {
    assert.deepEqual(computePodActions(pod({ restartPolicy }), obs([sb, a]), NOW).actions, [
      { type: 'removeContainer', id: a.id, name: 'a' },
      { type: 'startContainer', kind: 'app', name: 'a', restartCount: 2, backoffFrom: a.createdMs },
    ]);
  }
  const inBackoff = obs([sb, a], { backoff: () => ({ delayMs: 1000, remainingMs: 500 }) });
  assert.deepEqual(types(computePodActions(pod(), inBackoff, NOW)), ['backOff'], 'a replacement that keeps failing backs off');
  assert.equal(podFinished(pod({ restartPolicy: 'Never' }), [a]), false);
  const i1 = { ...ctr('i1', sb, created), kind: 'init' as const };
  assert.deepEqual(computePodActions(pod({ initContainers: [{ name: 'i1' }] }), obs([sb, i1]), NOW).actions, [
    { type: 'removeContainer', id: i1.id, name: 'i1' },
    { type: 'startContainer', kind: 'init', name: 'i1', restartCount: 0, backoffFrom: i1.createdMs },
  ]);
});

test('ephemeral containers start once in the running sandbox, even before init is done, and never again', () => {
  const sb = sandbox();
  const debug = { ephemeralContainers: [{ name: 'dbg', image: 'busybox:1', targetContainerName: 'a' }] } as Partial<NonNullable<Pod['spec']>>;
  const start = { type: 'startContainer', kind: 'ephemeral', name: 'dbg', restartCount: 0 };
  assert.deepEqual(computePodActions(pod(debug), obs([sb, ctr('a', sb)]), NOW).actions, [start]);
  // init containers still running: the app waits, the debugger does not
  const init = { ...debug, initContainers: [{ name: 'i', image: 'busybox:1' }] };
  assert.deepEqual(computePodActions(pod(init), obs([sb, ctr('i', sb, { kind: 'init' })]), NOW).actions, [start]);
  // running, exited, or left from an earlier sandbox: never started again
  for (const o of [{}, exited(0), exited(137)]) {
    assert.deepEqual(computePodActions(pod(debug), obs([sb, ctr('a', sb), ctr('dbg', sb, { kind: 'ephemeral', ...o })]), NOW).actions, []);
  }
  const old = sandbox({ running: false });
  assert.deepEqual(types(computePodActions(pod(debug), obs([old, sb, ctr('a', sb), ctr('dbg', old, { kind: 'ephemeral', ...exited(0) })]), NOW)), []);
  // no sandbox yet: the sandbox and the app first, the debugger on the sync after
  assert.deepEqual(computePodActions(pod(debug), obs([]), NOW).actions.map((a) => ('kind' in a ? a.kind : a.type)), ['createSandbox', 'app']);
  // an ephemeral container keeps no restartPolicy Never pod from finishing
  assert.equal(podFinished(pod({ ...debug, restartPolicy: 'Never' }), [sb, ctr('a', sb, exited(0)), ctr('dbg', sb, { kind: 'ephemeral' })]), true);
});
