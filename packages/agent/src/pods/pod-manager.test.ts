// The sync loop end to end over an in-memory runtime and FakeClient: what the agent asks of
// the runtime and what it reports, for restart policies, init containers, back-off, probes,
// graceful deletion and adoption after an agent restart.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import type { KubeObject, Pod } from '@k8ts/api';
import { createLogger, isNotFound } from '@k8ts/client';
import { FakeClient, conflictError } from '@k8ts/client/testing';
import { FakeRuntime } from '../runtime/fake-runtime.js';
import { PodManager } from './pod-manager.js';

const NODE = 'node-1';
const log = createLogger('agent-test');
log.level = 'silent';

/** FakeClient with the apiserver's graceful pod deletion (mark, then the agent's grace-0 delete removes). */
class GracefulFakeClient extends FakeClient {
  override async delete(resource: string, namespace: string, name: string, opts: { gracePeriodSeconds?: number; preconditions?: { uid?: string } } = {}): Promise<KubeObject> {
    const cur = resource === 'pods' ? this.peek<KubeObject>('pods', namespace, name) : undefined;
    if (!cur || opts.gracePeriodSeconds === 0) return super.delete(resource, namespace, name, opts);
    const self = this as unknown as { rv: number; bucket(r: string): Map<string, KubeObject>; record(r: string, t: string, o: KubeObject, old: KubeObject): void };
    const next = structuredClone(cur);
    const m = next.metadata as Record<string, unknown>;
    m.deletionTimestamp = new Date().toISOString().replace(/\.\d{3}Z$/, 'Z');
    m.deletionGracePeriodSeconds = opts.gracePeriodSeconds ?? 30;
    m.resourceVersion = String(++self.rv);
    self.bucket('pods').set(`${namespace}/${name}`, structuredClone(next));
    self.record('pods', 'MODIFIED', next, cur);
    return next;
  }
}

interface Env {
  client: GracefulFakeClient;
  runtime: FakeRuntime;
  manager: PodManager;
  start(): PodManager;
}

async function setup(t: { after(fn: () => unknown): void }, o: { backoffBaseMs?: number; backoffMaxMs?: number } = {}): Promise<Env> {
  const client = new GracefulFakeClient();
  const runtime = new FakeRuntime(NODE);
  runtime.pullable.add('img:1');
  const stateDir = mkdtempSync(join(os.tmpdir(), 'k8ts-agent-unit-'));
  const managers: PodManager[] = [];
  const start = () => {
    const m = new PodManager({ client, runtime, nodeName: NODE, hostIP: () => '192.168.0.1', stateDir, backoffBaseMs: o.backoffBaseMs ?? 200, backoffMaxMs: o.backoffMaxMs ?? 800, relistMs: 100, log });
    managers.push(m);
    m.start();
    return m;
  };
  t.after(async () => {
    for (const m of managers) await m.stop();
    client.close();
    rmSync(stateDir, { recursive: true, force: true });
  });
  return { client, runtime, manager: start(), start };
}

async function waitFor<T>(what: string, fn: () => Promise<T | undefined | false> | T | undefined | false, timeoutMs = 5000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

async function createPod(client: FakeClient, name: string, spec: Partial<NonNullable<Pod['spec']>> = {}): Promise<Pod> {
  const pod = { apiVersion: 'v1', kind: 'Pod', metadata: { name, namespace: 'default' }, spec: { nodeName: NODE, containers: [{ name: 'c', image: 'img:1' }], ...spec } };
  return (await client.create('pods', pod as never)) as unknown as Pod;
}

const getPod = async (client: FakeClient, name: string) => (await client.get('pods', 'default', name)) as unknown as Pod;
const cstatus = (p: Pod, name = 'c') => p.status?.containerStatuses?.find((s) => s.name === name);
const cond = (p: Pod, type: string) => p.status?.conditions?.find((c) => c.type === type)?.status;

async function phase(client: FakeClient, name: string, want: string): Promise<Pod> {
  return waitFor(`${name} ${want}`, async () => {
    const p = await getPod(client, name);
    return p.status?.phase === want && p;
  });
}

test('a pod runs: sandbox, container with env and volumes, status Running and Ready with the pod IP', async (t) => {
  const { client, runtime } = await setup(t);
  const created = await createPod(client, 'web', { volumes: [{ name: 'scratch', emptyDir: {} }], containers: [{ name: 'c', image: 'img:1', env: [{ name: 'X', value: 'y' }], volumeMounts: [{ name: 'scratch', mountPath: '/data' }] }] });
  const p = await waitFor('Ready', async () => {
    const p = await getPod(client, 'web');
    return cond(p, 'Ready') === 'True' && p;
  });
  assert.equal(p.status?.phase, 'Running');
  assert.match(p.status?.podIP ?? '', /^10\.0\.0\.\d+$/);
  assert.equal(p.status?.hostIP, '192.168.0.1');
  const c = runtime.find('c')!;
  assert.equal(c.podUid, created.metadata?.uid);
  assert.equal(c.sandboxId, runtime.find('POD')!.id);
  assert.equal(c.config?.env.get('X'), 'y');
  assert.equal(c.config?.binds.length, 1);
  assert.deepEqual(runtime.calls.filter((x) => x.startsWith('run')), ['runSandbox web#0', 'runContainer app/c#0']);
});

test('a status write refused as a Conflict is tried again from the informer cache, never by a GET', async (t) => {
  const { client } = await setup(t);
  let refused = 0;
  client.prependReactor('update', 'pods', (a) => {
    if (a.subresource === 'status' && refused === 0) {
      refused++;
      throw conflictError('pods', a.name ?? '');
    }
    return undefined;
  });
  await createPod(client, 'race');
  await waitFor('Ready after the conflict', () => cond(client.peek<Pod>('pods', 'default', 'race')!, 'Ready') === 'True');
  assert.equal(refused, 1);
  // Under the Node authorizer a GET of a pod deleted meanwhile is refused: the agent reads its cache.
  assert.deepEqual(client.actionsOf('get', 'pods'), []);
});

test('restartPolicy Always: restarts after exit, CrashLoopBackOff between restarts with a growing back-off', async (t) => {
  const { client, runtime } = await setup(t, { backoffBaseMs: 300, backoffMaxMs: 1200 });
  await createPod(client, 'crash');
  const startedAt: number[] = [];
  const reasons = new Set<string>();
  for (let i = 0; i < 4; i++) {
    await waitFor(`instance ${i}`, () => runtime.find('c')?.restartCount === i && runtime.find('c')!.running);
    startedAt.push(Date.now());
    runtime.exit('c', 1);
    if (i > 0) {
      await waitFor('CrashLoopBackOff shown', async () => {
        const w = cstatus(await getPod(client, 'crash'))?.state?.waiting;
        if (w) reasons.add(w.reason ?? '');
        return w?.reason === 'CrashLoopBackOff' && /back-off/.test(w.message ?? '');
      });
    }
  }
  await waitFor('instance 4', () => runtime.find('c')?.restartCount === 4);
  const gaps = startedAt.slice(1).map((x, i) => x - startedAt[i]);
  // first restart at once; then 300, 600 ms waits (plus the test's own polling)
  assert.ok(gaps[0] < 250, `first restart at once (${gaps})`);
  assert.ok(gaps[1] >= 280 && gaps[2] >= 580 && gaps[2] > gaps[1], `back-off grows (${gaps})`);
  const p = await getPod(client, 'crash');
  assert.equal(cstatus(p)?.lastState?.terminated?.exitCode, 1);
  assert.equal(p.status?.phase, 'Running');
  assert.equal(runtime.of(p.metadata!.uid!).filter((c) => c.name === 'c').length <= 2, true, 'only the newest dead instance is kept');
});

test('restartPolicy OnFailure: a failure restarts, success ends the pod Succeeded and stops the sandbox', async (t) => {
  const { client, runtime } = await setup(t);
  await createPod(client, 'job', { restartPolicy: 'OnFailure' });
  await waitFor('running', () => runtime.find('c')?.running);
  runtime.exit('c', 1);
  await waitFor('restarted', () => runtime.find('c')?.restartCount === 1 && runtime.find('c')!.running);
  runtime.exit('c', 0);
  const p = await phase(client, 'job', 'Succeeded');
  assert.equal(cstatus(p)?.state?.terminated?.reason, 'Completed');
  assert.equal(cstatus(p)?.restartCount, 1);
  await waitFor('sandbox stopped', () => !runtime.find('POD')!.running);
});

test('restartPolicy Never: a failure ends the pod Failed, nothing restarts', async (t) => {
  const { client, runtime } = await setup(t);
  await createPod(client, 'once', { restartPolicy: 'Never' });
  await waitFor('running', () => runtime.find('c')?.running);
  runtime.exit('c', 3);
  const p = await phase(client, 'once', 'Failed');
  assert.equal(cstatus(p)?.state?.terminated?.exitCode, 3);
  await new Promise((r) => setTimeout(r, 300));
  assert.equal(runtime.calls.filter((x) => x.startsWith('runContainer')).length, 1);
});

test('init containers run one by one in order, then the app container', async (t) => {
  const { client, runtime } = await setup(t);
  await createPod(client, 'init', { initContainers: [{ name: 'i1', image: 'img:1' }, { name: 'i2', image: 'img:1' }] });
  await waitFor('i1 running', () => runtime.find('i1')?.running);
  assert.equal(runtime.find('i2'), undefined);
  assert.equal(cstatus(await getPod(client, 'init'))?.state?.waiting?.reason ?? 'PodInitializing', 'PodInitializing');
  runtime.exit('i1', 0);
  await waitFor('i2 running', () => runtime.find('i2')?.running);
  assert.equal(runtime.find('c'), undefined);
  runtime.exit('i2', 0);
  const p = await phase(client, 'init', 'Running');
  assert.equal(cond(p, 'Initialized'), 'True');
  assert.deepEqual(runtime.calls.filter((x) => x.startsWith('runContainer')), ['runContainer init/i1#0', 'runContainer init/i2#0', 'runContainer app/c#0']);
});

test('a failed init container: retried (restart count grows) under OnFailure, the pod Failed under Never', async (t) => {
  const { client, runtime } = await setup(t);
  await createPod(client, 'retry', { restartPolicy: 'OnFailure', initContainers: [{ name: 'i1', image: 'img:1' }] });
  await waitFor('i1 running', () => runtime.find('i1')?.running);
  runtime.exit('i1', 1);
  await waitFor('i1 again', () => runtime.find('i1')?.restartCount === 1 && runtime.find('i1')!.running);
  assert.equal(runtime.find('c'), undefined, 'the app waits for the init container');

  await createPod(client, 'never', { restartPolicy: 'Never', initContainers: [{ name: 'j1', image: 'img:1' }] });
  await waitFor('j1 running', () => runtime.find('j1')?.running);
  runtime.exit('j1', 2);
  const p = await phase(client, 'never', 'Failed');
  assert.equal(p.status?.initContainerStatuses?.[0]?.state?.terminated?.exitCode, 2);
  assert.equal(runtime.find('j1')!.restartCount, 0);
});

test('a failing liveness probe kills the container with the grace period and it restarts', async (t) => {
  const { client, runtime } = await setup(t);
  let healthy = true;
  let first = '';
  // only the first instance turns unhealthy
  runtime.execHandler = (c) => ({ exitCode: healthy || c.id !== first ? 0 : 1, stdout: '', stderr: 'unhealthy', timedOut: false });
  await createPod(client, 'live', { terminationGracePeriodSeconds: 7, containers: [{ name: 'c', image: 'img:1', livenessProbe: { exec: { command: ['check'] }, periodSeconds: 1, failureThreshold: 1 } }] });
  first = await waitFor('running', () => runtime.find('c')?.running && runtime.find('c')!.id);
  healthy = false;
  await waitFor('restarted', () => runtime.find('c')?.restartCount === 1 && runtime.find('c')!.running, 5000);
  assert.ok(runtime.calls.includes('stop c 7'), `stopped with the pod's grace period: ${runtime.calls}`);
  assert.equal(runtime.containers.get(first)?.running, false);
  const p = await waitFor('status shows the restart', async () => {
    const p = await getPod(client, 'live');
    return cstatus(p)?.restartCount === 1 && cstatus(p)?.state?.running && p;
  });
  assert.equal(cstatus(p)?.lastState?.terminated?.exitCode, 137);
});

test('readiness flips the Ready condition both ways; a startup probe holds the other probes', async (t) => {
  const { client, runtime } = await setup(t);
  let ready = false;
  let started = false;
  const seen: string[] = [];
  runtime.execHandler = (_c, cmd) => {
    seen.push(cmd[0]);
    const ok = cmd[0] === 'started' ? started : ready;
    return { exitCode: ok ? 0 : 1, stdout: '', stderr: '', timedOut: false };
  };
  await createPod(client, 'ready', { containers: [{ name: 'c', image: 'img:1', startupProbe: { exec: { command: ['started'] }, periodSeconds: 1, failureThreshold: 30 }, readinessProbe: { exec: { command: ['ready'] }, periodSeconds: 1, failureThreshold: 1 } }] });
  await waitFor('running', () => runtime.find('c')?.running);
  await new Promise((r) => setTimeout(r, 300));
  assert.deepEqual([...new Set(seen)], ['started'], 'readiness waits for the startup probe');
  assert.equal(cstatus(await getPod(client, 'ready'))?.started, false);
  started = true;
  ready = true;
  await waitFor('Ready', async () => cond(await getPod(client, 'ready'), 'Ready') === 'True', 4000);
  assert.equal(cstatus(await getPod(client, 'ready'))?.started, true);
  ready = false;
  await waitFor('not Ready', async () => cond(await getPod(client, 'ready'), 'Ready') === 'False', 4000);
  assert.equal(runtime.find('c')!.running, true, 'readiness never restarts');
});

test('graceful deletion: stop with the deletion grace period, containers removed, the pod deleted', async (t) => {
  const { client, runtime } = await setup(t);
  const created = await createPod(client, 'bye', { containers: [{ name: 'c', image: 'img:1' }, { name: 'd', image: 'img:1' }] });
  await phase(client, 'bye', 'Running');
  await client.delete('pods', 'default', 'bye', { gracePeriodSeconds: 12 });
  await waitFor('pod gone', async () => {
    try {
      await getPod(client, 'bye');
      return false;
    } catch (e) {
      return isNotFound(e);
    }
  });
  assert.deepEqual(runtime.calls.filter((x) => x.startsWith('stop')).sort(), ['stop c 12', 'stop d 12']);
  assert.deepEqual(runtime.of(created.metadata!.uid!), [], 'every container removed, sandbox too');
});

test('an agent restarted under running pods adopts them (no new containers, Ready kept); a pod deleted meanwhile is removed', async (t) => {
  const env = await setup(t);
  const { client, runtime } = env;
  runtime.execHandler = () => ({ exitCode: 0, stdout: '', stderr: '', timedOut: false });
  await createPod(client, 'keep', { containers: [{ name: 'c', image: 'img:1', readinessProbe: { exec: { command: ['ok'] }, periodSeconds: 60 } }] });
  const gone = await createPod(client, 'gone', { containers: [{ name: 'g', image: 'img:1' }] });
  await waitFor('keep Ready', async () => cond(await getPod(client, 'keep'), 'Ready') === 'True');
  await phase(client, 'gone', 'Running');
  await env.manager.stop();
  const calls = runtime.calls.length;
  const before = runtime.find('c')!.id;
  await client.delete('pods', 'default', 'gone', { gracePeriodSeconds: 0 });
  // Ready must not flicker: record every status the new agent writes
  const readySeen: string[] = [];
  const w = client.watch('pods', { namespace: 'default' }, (ev) => {
    const p = ev.object as unknown as Pod;
    if (p.metadata?.name === 'keep') readySeen.push(cond(p, 'Ready') ?? '');
  });
  t.after(() => w.stop());
  env.start();
  await waitFor('orphan removed', () => runtime.of(gone.metadata!.uid!).length === 0);
  await new Promise((r) => setTimeout(r, 300));
  assert.equal(runtime.find('c')!.id, before);
  assert.deepEqual(runtime.calls.slice(calls).filter((x) => x.startsWith('run')), [], 'nothing new started');
  assert.ok(!readySeen.includes('False'), `Ready stayed True (${readySeen})`);
});

test('an agent that stopped between creating and starting a container: the next one replaces it, init order kept', async (t) => {
  const env = await setup(t);
  const { client, runtime } = env;
  runtime.dieAfterCreate.add('i1');
  await createPod(client, 'half', { initContainers: [{ name: 'i1', image: 'img:1' }] });
  await waitFor('i1 left created', () => runtime.find('i1')?.state === 'created');
  await env.manager.stop();
  runtime.dieAfterCreate.clear();
  const left = runtime.find('i1')!.id;
  env.start();
  await waitFor('i1 running', () => runtime.find('i1')?.running);
  assert.equal(runtime.containers.has(left), false, 'the never-started one is gone');
  assert.equal(runtime.find('c'), undefined, 'the app waits for the init container to complete');
  runtime.exit('i1', 0);
  await phase(client, 'half', 'Running');
  assert.equal(runtime.find('i1')!.restartCount, 0, 'no restart counted for a start that never happened');
});

test('a container the runtime refuses to create is retried with a growing back-off, and its events fold into one', async (t) => {
  const { client, runtime } = await setup(t, { backoffBaseMs: 200, backoffMaxMs: 800 });
  runtime.failCreate.set('bad', 'invalid mount config for type "bind": field Target must not be empty');
  // a second container that runs: its status changes must not re-trigger the failing create early
  await createPod(client, 'p', { containers: [{ name: 'ok', image: 'img:1' }, { name: 'bad', image: 'img:1' }] });
  await waitFor('CreateContainerError', async () => cstatus(await getPod(client, 'p'), 'bad')?.state?.waiting?.reason === 'CreateContainerError');
  const started = Date.now();
  await new Promise((r) => setTimeout(r, 2500));
  const attempts = runtime.calls.filter((c) => c.startsWith('runContainer app/bad')).length;
  // 200 + 400 + 800 + 800 ms of back-off fit 4–5 attempts in 2.5 s; without it, hundreds
  assert.ok(attempts >= 3 && attempts <= 6, `${attempts} attempts in ${Date.now() - started} ms`);
  const events = (await client.list('events', { namespace: 'default' })).items.filter((e: any) => e.reason === 'Failed' && e.involvedObject?.name === 'p');
  assert.equal(events.length, 1, `one Failed event, not ${events.length}`);
  assert.ok((events[0] as any).count >= attempts - 1, `count ${(events[0] as any).count} for ${attempts} attempts`);
  assert.equal((events[0] as any).involvedObject.fieldPath, 'spec.containers{bad}');
});

test('an image that cannot be pulled: Failed with the reason, ErrImagePull then ImagePullBackOff and a BackOff event; the pod starts once the pull works', async (t) => {
  // ErrImagePull shows for up to a second, then ImagePullBackOff until the back-off ends.
  const { client, runtime } = await setup(t, { backoffBaseMs: 2000, backoffMaxMs: 2000 });
  await createPod(client, 'pull', { containers: [{ name: 'c', image: 'gone:1' }] });
  const reasons = new Set<string>();
  await waitFor('ImagePullBackOff', async () => {
    const w = cstatus(await getPod(client, 'pull'))?.state?.waiting;
    if (w?.reason) reasons.add(w.reason);
    return w?.reason === 'ImagePullBackOff' && w.message === 'Back-off pulling image "gone:1"';
  }, 15_000);
  assert.ok(reasons.has('ErrImagePull'), [...reasons].join());
  const events = async () => (await client.list('events', { namespace: 'default' })).items.filter((e: any) => e.involvedObject?.name === 'pull') as any[];
  const failed = (await events()).find((e) => e.reason === 'Failed');
  assert.equal(failed?.message, 'failed to pull and unpack image "gone:1": pull access denied for gone:1, repository does not exist');
  assert.ok((await events()).some((e) => e.reason === 'Pulling' && e.message === 'Pulling image "gone:1"'));
  await waitFor('a BackOff event', async () => (await events()).some((e) => e.reason === 'BackOff' && e.involvedObject.fieldPath === 'spec.containers{c}'));
  runtime.pullable.add('gone:1');
  await waitFor('running once the image can be pulled', async () => cstatus(await getPod(client, 'pull'))?.state?.running, 15_000);
  assert.ok((await events()).some((e) => e.reason === 'Pulled' && e.message.startsWith('Successfully pulled image "gone:1" in ')));
});
