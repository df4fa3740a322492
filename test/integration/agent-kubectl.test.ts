// The agent behind a real apiserver and etcd, driven by the real kubectl: get, logs (-f,
// --tail, --timestamps, --previous), exec (exit codes, stdin, -it from a pseudo-terminal),
// port-forward, cp, and graceful delete.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFile, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import { join } from 'node:path';
import type { GrpcClient } from '@k8ts/client';
import { freePort, type KubectlCluster } from './kubectl-cluster.js';
import { AgentHarness, waitFor } from './agent-harness.js';
import { startStreamingNode } from './streaming-node.js';

const NODE = `agent-kctl-${Math.random().toString(36).slice(2, 7)}`;
let cluster: KubectlCluster;
let client: GrpcClient;
let h: AgentHarness;
const tmp = mkdtempSync(join(os.tmpdir(), 'k8ts-kubectl-agent-'));

function kubectl(args: string[], input?: string, timeoutMs = 30_000): Promise<{ code: number; out: string; err: string }> {
  return new Promise((resolve) => {
    const c = execFile('kubectl', ['--kubeconfig', cluster.kubeconfig, ...args], { encoding: 'utf8', timeout: timeoutMs }, (e, out, err) => {
      resolve({ code: e ? ((e as { code?: number }).code ?? 1) : 0, out, err });
    });
    if (input !== undefined) c.stdin!.end(input);
  });
}
async function k(...args: string[]): Promise<string> {
  const r = await kubectl(args);
  if (r.code !== 0) throw new Error(`kubectl ${args.join(' ')}: ${r.err}`);
  return r.out;
}

before(async () => {
  ({ cluster, client, h } = await startStreamingNode(NODE));
  const manifest = `apiVersion: v1
kind: Pod
metadata: {name: web}
spec:
  nodeName: ${NODE}
  terminationGracePeriodSeconds: 3
  containers:
  - name: hello
    image: k8ts/hello:1.0
    ports: [{containerPort: 8080}]
  - name: side
    image: k8ts/busybox:1.36
    command: [sh, -c, 'echo out-line; echo err-line >&2; i=0; while true; do i=$((i+1)); echo tick $i; sleep 0.3; done']
---
apiVersion: v1
kind: Pod
metadata: {name: crash}
spec:
  nodeName: ${NODE}
  terminationGracePeriodSeconds: 0
  containers:
  - name: c
    image: k8ts/busybox:1.36
    command: [sh, -c, 'echo run-$RANDOM$RANDOM; exit 1']
`;
  const r = await kubectl(['apply', '-f', '-'], manifest);
  assert.equal(r.code, 0, r.err);
  await waitFor('web Running', async () => (await k('get', 'pod', 'web', '-o', 'jsonpath={.status.phase}')) === 'Running', 30_000, 300);
});

after(async () => {
  await h?.cleanup();
  client?.close();
  await cluster?.stop();
  rmSync(tmp, { recursive: true, force: true });
  assert.deepEqual(cluster?.componentRefusals() ?? [], [], `the agent, as system:node:${NODE}, was refused nothing`);
});

test('kubectl get nodes and pods: Ready node; READY 2/2, Running, 0 restarts', async () => {
  const nodes = await k('get', 'nodes');
  assert.match(nodes, new RegExp(`${NODE}\\s+Ready`));
  const pods = await k('get', 'pod', 'web');
  assert.match(pods, /web\s+2\/2\s+Running\s+0\s/);
});

test('kubectl logs: container, --tail, --timestamps, -f, --previous', async () => {
  const all = await k('logs', 'web', '-c', 'side');
  // stdout and stderr both arrive (Docker orders lines of the two streams by time only)
  const lines = all.split('\n');
  assert.ok(lines.includes('out-line'));
  assert.ok(lines.includes('err-line'));
  assert.ok(lines.includes('tick 1'));
  const tail = await k('logs', 'web', '-c', 'side', '--tail=1');
  assert.match(tail, /^tick \d+\n$/);
  const ts = await k('logs', 'web', '-c', 'side', '--tail=2', '--timestamps');
  // Docker copies stdout and stderr separately, so err-line may land in the log after tick 1
  const tsLines = ts.trimEnd().split('\n');
  assert.equal(tsLines.length, 2, ts);
  for (const l of tsLines) assert.match(l, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d+Z \S/);
  assert.match(tsLines[1], /Z tick \d+$/);
  // -f keeps streaming new lines
  const f = spawn('kubectl', ['--kubeconfig', cluster.kubeconfig, 'logs', '-f', 'web', '-c', 'side', '--tail=1']);
  let got = '';
  f.stdout.on('data', (b: Buffer) => (got += b.toString()));
  try {
    await waitFor('3 streamed lines', () => got.split('\n').filter((l) => l.startsWith('tick')).length >= 3, 10_000);
  } finally {
    f.kill();
  }
  const ticks = got.split('\n').filter((l) => l.startsWith('tick')).map((l) => Number(l.split(' ')[1]));
  assert.ok(ticks[2] > ticks[0], 'new lines arrive while following');
  // --previous: the crashed container's earlier run
  await waitFor('crash restarted', async () => Number(await k('get', 'pod', 'crash', '-o', 'jsonpath={.status.containerStatuses[0].restartCount}')) >= 1, 20_000, 300);
  const prev = await k('logs', 'crash', '--previous');
  assert.match(prev, /^run-\d+\n$/);
  const cur = await kubectl(['logs', 'crash']);
  assert.equal(cur.code, 0, cur.err);
  assert.notEqual(cur.out, prev, 'current and previous runs differ');
});

test('kubectl exec: output, exit codes, stdin', async () => {
  assert.equal((await k('exec', 'web', '-c', 'side', '--', 'hostname')).trim(), 'web');
  const bad = await kubectl(['exec', 'web', '-c', 'side', '--', 'sh', '-c', 'echo to-stderr >&2; exit 3']);
  assert.equal(bad.code, 3);
  assert.match(bad.err, /to-stderr/);
  const cat = await kubectl(['exec', '-i', 'web', '-c', 'side', '--', 'sh', '-c', 'cat; echo done'], 'from-stdin\n');
  assert.equal(cat.code, 0, cat.err);
  assert.equal(cat.out, 'from-stdin\ndone\n');
});

test('kubectl exec -it sh from a pseudo-terminal', async () => {
  const pty = await import('node-pty');
  const term = pty.spawn('kubectl', ['--kubeconfig', cluster.kubeconfig, 'exec', '-it', 'web', '-c', 'side', '--', 'sh'], { name: 'xterm', cols: 100, rows: 30, env: process.env as Record<string, string> });
  let screen = '';
  term.onData((d) => (screen += d));
  const exited = new Promise<number>((resolve) => term.onExit((e) => resolve(e.exitCode)));
  try {
    await waitFor('prompt', () => screen.includes('/ # '), 10_000);
    term.write('echo $((6*7)); tty; stty size\r');
    await waitFor('answer', () => /\n42\r?\n/.test(screen) && /\/dev\/pts\/\d+/.test(screen), 10_000);
    assert.match(screen, /30 100/, 'the terminal size reached the container');
    term.write('exit 0\r');
    assert.equal(await Promise.race([exited, new Promise<number>((r) => setTimeout(() => r(-1), 10_000))]), 0);
  } finally {
    try {
      term.kill();
    } catch {
      // already exited
    }
  }
});

test('kubectl port-forward reaches the pod port', async () => {
  const port = await freePort();
  const pf = spawn('kubectl', ['--kubeconfig', cluster.kubeconfig, 'port-forward', 'pod/web', `${port}:8080`]);
  let out = '';
  pf.stdout.on('data', (b: Buffer) => (out += b.toString()));
  try {
    await waitFor('forwarding', () => out.includes('Forwarding from'), 10_000);
    const get = () =>
      new Promise<string>((resolve, reject) => {
        http.get(`http://127.0.0.1:${port}/`, (res) => {
          let body = '';
          res.on('data', (b) => (body += b));
          res.on('end', () => resolve(body));
        }).on('error', reject);
      });
    const podIP = await k('get', 'pod', 'web', '-o', 'jsonpath={.status.podIP}');
    assert.equal((await get()).trim(), `hello from web (${podIP})`);
    assert.equal((await get()).trim(), `hello from web (${podIP})`, 'a second connection works too');
  } finally {
    pf.kill();
  }
});

test('kubectl cp both ways (tar through exec)', async () => {
  const src = join(tmp, 'up.txt');
  writeFileSync(src, 'copied through the tunnel\n'.repeat(1000));
  const up = await kubectl(['cp', src, 'web:/tmp/up.txt', '-c', 'side']);
  assert.equal(up.code, 0, up.err);
  assert.equal((await k('exec', 'web', '-c', 'side', '--', 'wc', '-c', '/tmp/up.txt')).trim().split(/\s+/)[0], String(26 * 1000));
  const back = join(tmp, 'down.txt');
  const down = await kubectl(['cp', 'web:/tmp/up.txt', back, '-c', 'side']);
  assert.equal(down.code, 0, down.err);
  assert.equal(readFileSync(back, 'utf8'), readFileSync(src, 'utf8'));
});

test('kubectl delete: graceful through the apiserver, then gone', async () => {
  const t0 = Date.now();
  const r = await kubectl(['delete', 'pod', 'web', '--wait=true'], undefined, 60_000);
  assert.equal(r.code, 0, r.err);
  const ms = Date.now() - t0;
  // the busybox loop ignores SIGTERM as PID 1: the 3 s grace period runs out
  assert.ok(ms >= 2500, `took the grace period (${ms} ms)`);
  const get = await kubectl(['get', 'pod', 'web']);
  assert.match(get.err, /NotFound|not found/);
  const left = await h.containersOf({ metadata: { uid: '' } } as never).catch(() => []);
  void left;
  const ours = await (await import('./agent-harness.js')).docker.listContainers({ all: true, filters: { label: [`io.k8ts.node=${NODE}`, 'io.kubernetes.pod.name=web'] } });
  assert.equal(ours.length, 0, 'containers removed');
});
