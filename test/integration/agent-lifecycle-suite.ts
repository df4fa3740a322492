// The agent on the real Docker engine: restarts and back-off, probes, graceful deletion,
// and an agent restarted under running pods. One suite, run against FakeClient
// (agent-lifecycle.test.ts) and against a real apiserver and etcd (agent-lifecycle-apiserver.test.ts).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import type { Pod } from '@k8ts/api';
import { isNotFound, type Client } from '@k8ts/client';
import { AgentHarness, podSpec, waitFor, getPod, containerStatus, execIn, isReady, docker } from './agent-harness.js';

export interface Backend {
  /** What the test uses (an admin). */
  client: Client;
  /** What the agent uses, when it is someone else (its node identity); default `client`. */
  agentClient?: Client;
  stop(): Promise<void>;
}

/** makeBackend gets the node's name, for a credential of the agent's own. */
export function lifecycleSuite(makeBackend: (nodeName: string) => Promise<Backend>): void {
const NODE = `agent-life-${Math.random().toString(36).slice(2, 7)}`;
let backend: Backend;
let client: Client;
let h: AgentHarness;
const hostDir = mkdtempSync(join(os.tmpdir(), 'k8ts-agent-hostpath-'));

before(async () => {
  await AgentHarness.images();
  backend = await makeBackend(NODE);
  client = backend.client;
  h = new AgentHarness(backend.agentClient ?? client);
  await h.start(NODE);
});
after(async () => {
  await h?.cleanup();
  await backend?.stop();
  rmSync(hostDir, { recursive: true, force: true });
});

async function exists(name: string): Promise<Pod | undefined> {
  try {
    return await getPod(client, name);
  } catch (e) {
    if (isNotFound(e)) return undefined;
    throw e;
  }
}

async function running(name: string, timeoutMs = 20_000): Promise<Pod> {
  return waitFor(`${name} Running`, async () => {
    const p = await getPod(client, name);
    return p.status?.phase === 'Running' && (p.status.containerStatuses ?? []).every((c) => c.state?.running) && p;
  }, timeoutMs);
}

const cid = (p: Pod, c: string) => (containerStatus(p, c)?.containerID ?? '').replace('docker://', '');

test('a crash-looping container: restarts grow, CrashLoopBackOff between them', async () => {
  await client.create('pods', podSpec('crasher', NODE, { containers: [{ name: 'c', image: 'k8ts/busybox:1.36', command: ['sh', '-c', 'echo dying; exit 3'] }] }));
  const reasons = new Set<string>();
  let last = -1;
  const p = await waitFor('3 restarts', async () => {
    const p = await getPod(client, 'crasher');
    const s = containerStatus(p, 'c');
    if (!s) return false;
    assert.ok(s.restartCount >= last, 'restart count never goes down');
    last = s.restartCount;
    if (s.state?.waiting?.reason) reasons.add(s.state.waiting.reason);
    return s.restartCount >= 3 && s.state?.waiting?.reason === 'CrashLoopBackOff' && p;
  }, 30_000, 50);
  const s = containerStatus(p, 'c')!;
  assert.ok(reasons.has('CrashLoopBackOff'));
  assert.match(s.state?.waiting?.message ?? '', /back-off \d+s restarting failed container=c pod=crasher_default/);
  assert.equal(s.lastState?.terminated?.exitCode, 3);
  assert.equal(s.lastState?.terminated?.reason, 'Error');
  assert.equal(p.status?.phase, 'Running', 'restartPolicy Always keeps the pod Running');
  assert.equal(isReady(p), false);
  // only the newest dead instance is kept beside the next one (for logs --previous)
  const cs = (await h.containersOf(p)).filter((c) => c.Labels['io.kubernetes.container.name'] === 'c');
  assert.ok(cs.length <= 2, `at most 2 instances kept, found ${cs.length}`);
  // kubectl describe shows why
  const events = (await client.list('events', { namespace: 'default' })).items.filter((e) => (e as { involvedObject?: { name?: string } }).involvedObject?.name === 'crasher');
  const eventReasons = new Set(events.map((e) => (e as { reason?: string }).reason));
  assert.ok(eventReasons.has('Started') && eventReasons.has('BackOff'), `events: ${[...eventReasons].join(', ')}`);
  await client.delete('pods', 'default', 'crasher', { gracePeriodSeconds: 0 });
});

test('restartPolicy Never and OnFailure: Succeeded and Failed phases', async () => {
  await client.create('pods', podSpec('once-ok', NODE, { restartPolicy: 'Never', containers: [{ name: 'c', image: 'k8ts/busybox:1.36', command: ['true'] }] }));
  await client.create('pods', podSpec('once-bad', NODE, { restartPolicy: 'Never', containers: [{ name: 'c', image: 'k8ts/busybox:1.36', command: ['sh', '-c', 'exit 7'] }] }));
  await client.create('pods', podSpec('retry-ok', NODE, { restartPolicy: 'OnFailure', containers: [{ name: 'c', image: 'k8ts/busybox:1.36', command: ['sh', '-c', 'exit 0'] }] }));
  const ok = await waitFor('Succeeded', async () => { const p = await getPod(client, 'once-ok'); return p.status?.phase === 'Succeeded' && p; });
  assert.equal(containerStatus(ok, 'c')?.state?.terminated?.reason, 'Completed');
  const bad = await waitFor('Failed', async () => { const p = await getPod(client, 'once-bad'); return p.status?.phase === 'Failed' && p; });
  assert.equal(containerStatus(bad, 'c')?.state?.terminated?.exitCode, 7);
  assert.equal(containerStatus(bad, 'c')?.restartCount, 0);
  await waitFor('OnFailure exit 0 Succeeded', async () => (await getPod(client, 'retry-ok')).status?.phase === 'Succeeded');
  for (const n of ['once-ok', 'once-bad', 'retry-ok']) await client.delete('pods', 'default', n, { gracePeriodSeconds: 0 });
});

test('a failing liveness probe restarts the container', async () => {
  await client.create('pods', podSpec('live', NODE, {
    containers: [{
      name: 'c',
      image: 'k8ts/busybox:1.36',
      command: ['sh', '-c', 'touch /tmp/healthy; sleep 2; rm /tmp/healthy; exec sleep 3600'],
      livenessProbe: { exec: { command: ['cat', '/tmp/healthy'] }, periodSeconds: 1, failureThreshold: 2, timeoutSeconds: 1 },
    }],
  }));
  const first = await running('live');
  const firstId = cid(first, 'c');
  const p = await waitFor('restarted by liveness', async () => {
    const p = await getPod(client, 'live');
    const s = containerStatus(p, 'c');
    return (s?.restartCount ?? 0) >= 1 && s?.state?.running && p;
  }, 30_000);
  assert.notEqual(cid(p, 'c'), firstId, 'a new container');
  const term = containerStatus(p, 'c')?.lastState?.terminated;
  assert.ok(term, 'lastState.terminated set');
  assert.ok([137, 143].includes(term!.exitCode), `killed by signal, exit ${term!.exitCode}`);
  await client.delete('pods', 'default', 'live', { gracePeriodSeconds: 0 });
});

test('readiness flips the Ready condition both ways', async () => {
  await client.create('pods', podSpec('ready', NODE, {
    containers: [{
      name: 'c',
      image: 'k8ts/busybox:1.36',
      command: ['sleep', '3600'],
      readinessProbe: { exec: { command: ['test', '-f', '/tmp/ready'] }, periodSeconds: 1, failureThreshold: 1, successThreshold: 1 },
    }],
  }));
  const p = await running('ready');
  await new Promise((r) => setTimeout(r, 1500));
  assert.equal(isReady(await getPod(client, 'ready')), false, 'not ready without the file');
  assert.equal(containerStatus(await getPod(client, 'ready'), 'c')?.ready, false);
  await execIn(cid(p, 'c'), ['touch', '/tmp/ready']);
  await waitFor('Ready True', async () => isReady(await getPod(client, 'ready')), 10_000);
  assert.equal(containerStatus(await getPod(client, 'ready'), 'c')?.ready, true);
  await execIn(cid(p, 'c'), ['rm', '/tmp/ready']);
  await waitFor('Ready False again', async () => !isReady(await getPod(client, 'ready')), 10_000);
  const after = await getPod(client, 'ready');
  assert.equal(containerStatus(after, 'c')?.restartCount, 0, 'readiness never restarts');
  assert.equal(after.status?.conditions?.find((c) => c.type === 'ContainersReady')?.status, 'False');
  await client.delete('pods', 'default', 'ready', { gracePeriodSeconds: 0 });
});

test('an httpGet readiness probe against the pod IP', async () => {
  await client.create('pods', podSpec('webready', NODE, {
    containers: [{ name: 'hello', image: 'k8ts/hello:1.0', ports: [{ name: 'http', containerPort: 8080 }], readinessProbe: { httpGet: { path: '/', port: 'http' }, periodSeconds: 1 } }],
  }));
  await waitFor('Ready', async () => isReady(await getPod(client, 'webready')), 15_000);
  await client.delete('pods', 'default', 'webready', { gracePeriodSeconds: 0 });
});

test('graceful deletion: preStop, SIGTERM, SIGKILL after the grace period, then the pod disappears', async () => {
  // "stubborn" ignores SIGTERM: it must be killed after 3 s. "polite" exits on SIGTERM at once.
  await client.create('pods', podSpec('stubborn', NODE, {
    terminationGracePeriodSeconds: 3,
    volumes: [{ name: 'out', hostPath: { path: hostDir } }],
    containers: [{
      name: 'c',
      image: 'k8ts/busybox:1.36',
      command: ['sh', '-c', "trap '' TERM; while true; do sleep 0.2; done"],
      lifecycle: { preStop: { exec: { command: ['sh', '-c', 'echo prestop-ran > /out/prestop'] } } },
      volumeMounts: [{ name: 'out', mountPath: '/out' }],
    }],
  }));
  await client.create('pods', podSpec('polite', NODE, {
    terminationGracePeriodSeconds: 30,
    containers: [{ name: 'c', image: 'k8ts/busybox:1.36', command: ['sh', '-c', "trap 'exit 0' TERM; while true; do sleep 0.2; done"] }],
  }));
  const stubborn = await running('stubborn');
  const polite = await running('polite');
  let t0 = Date.now();
  await client.delete('pods', 'default', 'stubborn');
  const marked = await exists('stubborn');
  assert.ok(marked?.metadata?.deletionTimestamp, 'marked for deletion first');
  await waitFor('stubborn gone', async () => !(await exists('stubborn')), 20_000, 50);
  const stubbornMs = Date.now() - t0;
  assert.ok(stubbornMs >= 2900, `waited the grace period (${stubbornMs} ms)`);
  assert.ok(stubbornMs < 8000, `then killed (${stubbornMs} ms)`);
  assert.equal(readFileSync(join(hostDir, 'prestop'), 'utf8').trim(), 'prestop-ran');
  assert.equal((await h.containersOf(stubborn)).length, 0, 'containers removed');
  t0 = Date.now();
  await client.delete('pods', 'default', 'polite');
  await waitFor('polite gone', async () => !(await exists('polite')), 20_000, 50);
  const politeMs = Date.now() - t0;
  assert.ok(politeMs < 5000, `a container that exits on SIGTERM goes at once (${politeMs} ms)`);
  assert.equal((await h.containersOf(polite)).length, 0);
  assert.ok(existsSync(hostDir), 'hostPath is left alone');
});

test('an agent restarted under running pods adopts them; pods deleted meanwhile are removed', async () => {
  await client.create('pods', podSpec('keep', NODE, {
    containers: [
      { name: 'a', image: 'k8ts/busybox:1.36', command: ['sleep', '3600'] },
      { name: 'b', image: 'k8ts/busybox:1.36', command: ['sh', '-c', 'sleep 1; exit 1'] },
    ],
  }));
  await client.create('pods', podSpec('goner', NODE, { containers: [{ name: 'a', image: 'k8ts/busybox:1.36', command: ['sleep', '3600'] }] }));
  await client.create('pods', podSpec('steady', NODE, { containers: [{ name: 'a', image: 'k8ts/busybox:1.36', command: ['sleep', '3600'], readinessProbe: { exec: { command: ['true'] }, periodSeconds: 1 } }] }));
  await running('goner');
  await waitFor('steady Ready', async () => isReady(await getPod(client, 'steady')), 15_000);
  // wait until b has restarted at least once so a restart count is at stake
  const before = await waitFor('keep with restarts', async () => {
    const p = await getPod(client, 'keep');
    return (containerStatus(p, 'b')?.restartCount ?? 0) >= 1 && containerStatus(p, 'a')?.state?.running && p;
  }, 20_000);
  const goner = await getPod(client, 'goner');
  const keepA = cid(before, 'a');
  const sandboxBefore = (await h.containersOf(before)).find((c) => c.Labels['io.kubernetes.container.name'] === 'POD')!.Id;

  await h.stopAgent(h.agents[0]);
  // while it is down: pods keep running; one pod is removed from the API
  assert.equal((await docker.getContainer(keepA).inspect()).State.Running, true, 'killing the agent does not kill pods');
  const bRestarts = containerStatus(await getPod(client, 'keep'), 'b')!.restartCount;
  await client.delete('pods', 'default', 'goner', { gracePeriodSeconds: 0 });
  assert.equal(await exists('goner'), undefined);

  await h.start(NODE);
  // Ready stays True across the restart (readiness is taken over from the API, not reset)
  for (let i = 0; i < 25; i++) {
    assert.equal(isReady(await getPod(client, 'steady')), true, 'steady stays Ready while the agent restarts');
    await new Promise((r) => setTimeout(r, 100));
  }
  await waitFor('goner containers removed', async () => (await h.containersOf(goner)).length === 0, 20_000);
  const after = await getPod(client, 'keep');
  assert.equal(cid(after, 'a'), keepA, 'same container id');
  assert.equal(containerStatus(after, 'a')?.restartCount, 0);
  assert.ok(containerStatus(after, 'b')!.restartCount >= bRestarts, 'restart count carried over from the labels');
  const info = await docker.getContainer(keepA).inspect();
  assert.equal(info.State.Running, true);
  assert.equal(info.RestartCount, 0);
  const sandboxAfter = (await h.containersOf(after)).find((c) => c.Labels['io.kubernetes.container.name'] === 'POD')!.Id;
  assert.equal(sandboxAfter, sandboxBefore, 'same sandbox');
});
}
