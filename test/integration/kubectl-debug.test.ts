// kubectl debug and the terminal through the real apiserver, the agent (as its node) and
// Docker: ephemeral containers (`kubectl debug -it POD --target=C`, kubectl 1.32 and 1.33,
// the target's processes visible, the terminal's size inside), `debug --copy-to`, the
// subresource's bad input (422s, nothing changed), `kubectl attach -it` starting at the
// terminal's size (1.27 over SPDY, 1.32 over WebSocket), and `kubectl run --rm -i`.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import https from 'node:https';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { GrpcClient } from '@k8ts/client';
import { kubectlBin, kubectlHome, runKubectl, kubectlOk, type KubectlCluster } from './kubectl-cluster.js';
import { AgentHarness, waitFor } from './agent-harness.js';
import { startStreamingNode } from './streaming-node.js';

const NODE = `agent-dbg-${Math.random().toString(36).slice(2, 7)}`;
let cluster: KubectlCluster;
let client: GrpcClient;
let h: AgentHarness;

const k = (args: string[], minor = 32) => kubectlOk(cluster, args, { minor, timeoutMs: 60_000 });
const jsonpath = async (pod: string, path: string) => k(['get', 'pod', pod, '-o', `jsonpath={${path}}`]);

/** The REST face as a client sees it, with the admin token: status code and parsed body. */
function rest(method: string, path: string, body?: unknown, contentType = 'application/json'): Promise<{ code: number; body: any }> {
  const url = new URL(path, cluster.restUrl);
  const data = body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body);
  return new Promise((resolve, reject) => {
    const req = https.request(
      url,
      { method, ca: readFileSync(join(cluster.dir, 'tls.crt')), headers: { authorization: `Bearer ${cluster.token}`, ...(data ? { 'content-type': contentType } : {}) } },
      (res) => {
        let text = '';
        res.on('data', (b) => (text += b));
        res.on('end', () => resolve({ code: res.statusCode ?? 0, body: text ? JSON.parse(text) : undefined }));
      },
    );
    req.on('error', reject);
    req.end(data);
  });
}

/** kubectl 1.<minor> in a pseudo-terminal of cols × rows. */
async function inTerminal(minor: number, args: string[], cols = 100, rows = 30) {
  const pty = await import('node-pty');
  const term = pty.spawn(kubectlBin(minor), ['--kubeconfig', cluster.kubeconfig, ...args], {
    name: 'xterm',
    cols,
    rows,
    env: { PATH: process.env.PATH ?? '', HOME: kubectlHome(cluster, minor), TERM: 'xterm' },
  });
  let screen = '';
  term.onData((d) => (screen += d));
  const exited = new Promise<number>((resolve) => term.onExit((e) => resolve(e.exitCode)));
  return {
    screen: () => screen,
    write: (s: string) => term.write(s),
    exited: (ms = 30_000) => Promise.race([exited, new Promise<number>((r) => setTimeout(() => r(-1), ms))]),
    kill() {
      try {
        term.kill();
      } catch {
        // already gone
      }
    },
  };
}

before(async () => {
  ({ cluster, client, h } = await startStreamingNode(NODE));
  const manifest = `apiVersion: v1
kind: Pod
metadata: {name: web}
spec:
  nodeName: ${NODE}
  terminationGracePeriodSeconds: 0
  containers:
  - name: app
    image: k8ts/busybox:1.36
    command: [sh, -c, 'exec sleep 31337']
---
apiVersion: v1
kind: Pod
metadata: {name: term}
spec:
  nodeName: ${NODE}
  terminationGracePeriodSeconds: 0
  containers:
  - name: sh
    image: k8ts/busybox:1.36
    command: [sh]
    stdin: true
    tty: true
`;
  const r = await runKubectl(cluster, ['apply', '-f', '-'], { input: manifest });
  assert.equal(r.code, 0, r.stderr);
  for (const pod of ['web', 'term']) await waitFor(`${pod} Running`, async () => (await jsonpath(pod, '.status.phase')) === 'Running', 60_000, 300);
});

after(async () => {
  await h?.cleanup();
  client?.close();
  await cluster?.stop();
  assert.deepEqual(cluster?.componentRefusals() ?? [], [], `the agent, as system:node:${NODE}, was refused nothing`);
});

for (const minor of [32, 33]) {
  test(`kubectl 1.${minor} debug -it --target: a shell in the pod's namespaces that sees the target's processes`, async () => {
    const before = JSON.parse(await k(['get', 'pod', 'web', '-o', 'json'])).spec.ephemeralContainers?.length ?? 0;
    const t = await inTerminal(minor, ['debug', '-it', 'web', '--image=k8ts/busybox:1.36', '--target=app', '--', 'sh']);
    try {
      await waitFor('prompt', () => t.screen().includes('/ # '), 60_000);
      t.write('ps; hostname; stty size; echo done-$((6*7))\r');
      await waitFor('answer', () => t.screen().includes('done-42'), 20_000);
      assert.match(t.screen(), /sleep 31337/, 'the target container PID namespace is shared');
      assert.match(t.screen(), /\r?\nweb\r?\n/, "the pod's hostname (its sandbox's UTS namespace)");
      assert.match(t.screen(), /30 100/, 'the terminal size reached the container');
      // exec reaches the running ephemeral container too
      const running = JSON.parse(await k(['get', 'pod', 'web', '-o', 'json'])).spec.ephemeralContainers.at(-1).name;
      assert.equal((await k(['exec', 'web', '-c', running, '--', 'echo', 'exec-ok'], minor)).trim(), 'exec-ok');
      t.write('exit 0\r');
      assert.equal(await t.exited(), 0, t.screen());
    } finally {
      t.kill();
    }
    const pod = JSON.parse(await k(['get', 'pod', 'web', '-o', 'json']));
    assert.equal(pod.spec.ephemeralContainers.length, before + 1);
    const name = pod.spec.ephemeralContainers.at(-1).name;
    assert.equal(pod.spec.ephemeralContainers.at(-1).targetContainerName, 'app');
    // it ended and stays ended: ephemeral containers are never restarted
    const ended = await waitFor('debugger terminated', async () => {
      const p = JSON.parse(await k(['get', 'pod', 'web', '-o', 'json']));
      const s = (p.status.ephemeralContainerStatuses ?? []).find((x: { name: string }) => x.name === name);
      return s?.state?.terminated ? s : undefined;
    }, 30_000, 300);
    assert.equal(ended.state.terminated.exitCode, 0);
    assert.equal(ended.restartCount, 0);
    assert.equal(ended.ready, false);
    assert.equal(await jsonpath('web', '.status.phase'), 'Running', 'the pod is untouched');
    // a plain update of a pod with ephemeral containers still passes validation
    await k(['label', 'pod', 'web', `debugged-with=${minor}`, '--overwrite']);
    const logs = await k(['logs', 'web', '-c', name]);
    assert.match(logs, /done-42/, 'logs of an ephemeral container');
  });
}

test('kubectl debug --copy-to -it still works (a copy of the pod with a debug container)', async () => {
  const t = await inTerminal(32, ['debug', 'web', '-it', '--copy-to=web-copy', '--same-node', '--image=k8ts/busybox:1.36', '--container=dbg', '--', 'sh']);
  try {
    await waitFor('prompt', () => t.screen().includes('/ # '), 60_000);
    t.write('echo copy-$((6*7))\r');
    await waitFor('answer', () => t.screen().includes('copy-42'), 20_000);
  } finally {
    t.kill();
  }
  const names = await k(['get', 'pod', 'web-copy', '-o', 'jsonpath={.spec.containers[*].name}']);
  assert.deepEqual(names.split(' ').sort(), ['app', 'dbg']);
  await k(['delete', 'pod', 'web-copy', '--wait=false']);
});

test('pods/ephemeralcontainers: GET; bad input is a 422 that changes nothing', async () => {
  const path = '/api/v1/namespaces/default/pods/web/ephemeralcontainers';
  const get = await rest('GET', path);
  assert.equal(get.code, 200);
  assert.equal(get.body.kind, 'Pod');
  const rv = get.body.metadata.resourceVersion;
  const existing = get.body.spec.ephemeralContainers ?? [];
  const smp = (ec: unknown) => rest('PATCH', path, { spec: { ephemeralContainers: [ec] } }, 'application/strategic-merge-patch+json');
  const base = { name: 'bad', image: 'k8ts/busybox:1.36', command: ['sleep', '1'] };

  const ports = await smp({ ...base, ports: [{ containerPort: 80 }] });
  assert.equal(ports.code, 422, JSON.stringify(ports.body));
  assert.match(ports.body.message, /spec\.ephemeralContainers\[\d+\]\.ports: Forbidden: cannot be set for an Ephemeral Container/);
  const probe = await smp({ ...base, readinessProbe: { exec: { command: ['true'] } }, resources: { limits: { cpu: '1' } } });
  assert.equal(probe.code, 422);
  assert.match(probe.body.message, /readinessProbe: Forbidden/);
  assert.match(probe.body.message, /resources: Forbidden/);
  const target = await smp({ ...base, targetContainerName: 'nope' });
  assert.equal(target.code, 422);
  assert.match(target.body.message, /targetContainerName: Not found: "nope"/);
  const dup = await smp({ ...base, name: 'app' });
  assert.equal(dup.code, 422);
  assert.match(dup.body.message, /name: Duplicate value: "app"/);
  if (existing.length) {
    // a PUT without the existing ones removes them: refused
    const removed = await rest('PUT', path, { ...get.body, spec: { ...get.body.spec, ephemeralContainers: [] } });
    assert.equal(removed.code, 422, JSON.stringify(removed.body));
    assert.match(removed.body.message, /may not be removed/);
    const changed = await rest('PUT', path, { ...get.body, spec: { ...get.body.spec, ephemeralContainers: [{ ...existing[0], image: 'k8ts/hello:1.0' }, ...existing.slice(1)] } });
    assert.equal(changed.code, 422);
    assert.match(changed.body.message, /may not be changed/);
  }
  for (const garbage of ['{"spec":{"ephemeralContainers":"x"}}', '{"spec":{"ephemeralContainers":[7]}}', '{"spec":[]}', 'not json']) {
    const r = await rest('PATCH', path, garbage, 'application/merge-patch+json');
    assert.ok(r.code >= 400 && r.code < 500, `${garbage}: ${r.code} ${JSON.stringify(r.body)}`);
  }
  // not through a plain update, not on create, not a subresource of anything but pods
  const plain = await rest('PUT', '/api/v1/namespaces/default/pods/web', { ...get.body, spec: { ...get.body.spec, ephemeralContainers: [...existing, base] } });
  assert.equal(plain.code, 422);
  const created = await rest('POST', '/api/v1/namespaces/default/pods', { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'eph-on-create' }, spec: { containers: [{ name: 'c', image: 'k8ts/busybox:1.36' }], ephemeralContainers: [base] } });
  assert.equal(created.code, 422);
  assert.match(created.body.message, /ephemeralContainers: Forbidden: cannot be set on create/);
  assert.equal((await rest('GET', '/api/v1/namespaces/default/services/kubernetes/ephemeralcontainers')).code, 404);
  const after = await rest('GET', path);
  assert.equal(after.body.metadata.resourceVersion, rv, 'nothing was written');
  // discovery lists the subresource with the verbs kubectl needs
  const disc = await rest('GET', '/api/v1');
  const sub = disc.body.resources.find((r: { name: string }) => r.name === 'pods/ephemeralcontainers');
  assert.deepEqual(sub?.verbs?.sort(), ['get', 'patch', 'update']);
});

for (const minor of [27, 32]) {
  test(`kubectl 1.${minor} attach -it starts at the terminal's size`, async () => {
    const t = await inTerminal(minor, ['attach', '-it', 'term', '-c', 'sh'], 100, 30);
    try {
      await waitFor('attached', () => t.screen().includes("If you don't see a command prompt"), 60_000);
      // the first resize is one row and column too big, the second the real size: let both land
      await new Promise((r) => setTimeout(r, 500));
      t.write('stty size; echo size-$((6*7))\r');
      await waitFor('answer', () => /size-42/.test(t.screen()), 20_000);
      assert.match(t.screen(), /\n30 100\r?\n/, t.screen());
    } finally {
      t.kill();
    }
  });
}

test('kubectl run --rm -i --restart=Never prints the output and removes the pod', async () => {
  const t0 = Date.now();
  const r = await runKubectl(cluster, ['run', 'once', '--rm', '-i', '--restart=Never', '--image=k8ts/busybox:1.36', `--overrides={"apiVersion":"v1","spec":{"nodeName":"${NODE}"}}`, '--', 'sh', '-c', 'sleep 1; echo from-run'], { timeoutMs: 90_000 });
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /from-run/);
  assert.match(r.stdout, /pod "once" deleted/);
  console.log(`kubectl run --rm -i: ${Date.now() - t0} ms (load ${(await import('node:os')).loadavg()[0].toFixed(1)})`);
});
