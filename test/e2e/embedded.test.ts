// The embedded cluster end to end, as a user runs it: `k8ts up` (own home, ports, network
// and node names so it never touches another cluster on this machine), the seeds' nginx
// example through the real kubectl, an agent killed under its pods, replicas Ready again
// on the other nodes with the Service answering throughout; then on the same cluster the
// chaos commands, bad input, and the agent-kill and agent-partition drills through
// `k8ts drill` (asserting on their JSON reports); then `k8ts down --purge`.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, existsSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execFile, spawn } from 'node:child_process';
import { promisify } from 'node:util';
import http from 'node:http';
import Docker from 'dockerode';
import { startProber } from '../integration/helpers/netfixture.js';

const run = promisify(execFile);
const root = join(import.meta.dirname, '..', '..');
const home = mkdtempSync(join(tmpdir(), 'k8ts-e2e-'));
const prefix = 'e2e-agent';
const network = 'k8ts-e2e';
const env = { ...process.env, K8TS_HOME: home, KUBECONFIG: join(home, 'kubeconfig') };
const kubectlBin = existsSync('/usr/lib/google-cloud-sdk/bin/kubectl.1.32') ? '/usr/lib/google-cloud-sdk/bin/kubectl.1.32' : 'kubectl';

async function k8ts(...args: string[]): Promise<string> {
  const { stdout } = await run(process.execPath, ['--import', 'tsx', 'packages/cli/src/main.ts', ...args], { cwd: root, env, timeout: 240_000 });
  return stdout;
}

async function kubectl(...args: string[]): Promise<string> {
  const { stdout } = await run(kubectlBin, args, { cwd: root, env, timeout: 60_000 });
  return stdout;
}

async function kjson(...args: string[]): Promise<any> {
  return JSON.parse(await kubectl(...args, '-o', 'json'));
}

async function eventually<T>(what: string, fn: () => Promise<T | undefined | false>, timeoutMs: number): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const v = await fn();
      if (v) return v;
    } catch (e) {
      last = e;
    }
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}${last ? `: ${(last as Error).message} ${(last as any).cause ?? ''}` : ''}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

/** One request on a new connection, so each one is balanced anew (fetch would keep one alive). */
function httpGet(url: string, timeoutMs = 2000): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = http.get(url, { agent: false, timeout: timeoutMs }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c) => (body += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      res.on('error', reject);
    });
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', reject);
  });
}

const ready = (p: any) => !p.metadata.deletionTimestamp && (p.status?.conditions ?? []).some((c: any) => c.type === 'Ready' && c.status === 'True');

before(async () => {
  await k8ts(
    'up', '--agents', '3', '--node-prefix', prefix,
    '--api-port', '16543', '--grpc-port', '16544', '--etcd-port', '22379',
    '--network', network, '--subnet', '10.217.0.0/16', '--service-range', '10.98.0.0/16', '--lb-pool', '10.218.0.0/24',
    '--ops-port-offset', '1000',
  );
});

after(async () => {
  await k8ts('down', '--purge').catch((e) => console.error(e));
  // A partition a failed test left: its rules carry the node names of this test.
  const { stdout } = await run('iptables-save', []);
  if (stdout.split('\n').some((l) => l.includes(`k8ts-partition:${prefix}`))) console.error('partition rules left behind after down');
  // Whatever down missed, by this test's labels, so nothing is left behind.
  const docker = new Docker();
  const left = await docker.listContainers({ all: true, filters: { label: ['io.k8ts.node'] } });
  for (const c of left.filter((c) => c.Labels['io.k8ts.node']?.startsWith(prefix))) await docker.getContainer(c.Id).remove({ force: true }).catch(() => {});
  const nets = await docker.listNetworks({ filters: { name: [network] } });
  for (const n of nets.filter((n) => n.Name === network)) await docker.getNetwork(n.Id).remove().catch(() => {});
});

test('three nodes are Ready', async () => {
  const nodes = await kjson('get', 'nodes');
  assert.deepEqual(nodes.items.map((n: any) => n.metadata.name).sort(), [`${prefix}-1`, `${prefix}-2`, `${prefix}-3`]);
  for (const n of nodes.items) assert.ok(n.status.conditions.some((c: any) => c.type === 'Ready' && c.status === 'True'), n.metadata.name);
});

test('the nginx example serves through its Service, and survives an agent kill', async () => {
  await kubectl('apply', '-f', 'deploy/examples/nginx.yaml');
  const pods = await eventually('2 ready nginx pods', async () => {
    const list = await kjson('-n', 'nginx', 'get', 'pods', '-l', 'app=nginx-hello');
    const r = list.items.filter(ready);
    return r.length === 2 ? r : undefined;
  }, 90_000);
  const svc = await kjson('-n', 'nginx', 'get', 'svc', 'nginx-svc');
  const vip = svc.spec.clusterIP as string;
  assert.match(vip, /^10\.98\./);

  const seen = new Set<string>();
  await eventually('answers from both pods through the ClusterIP', async () => {
    const { body } = await httpGet(`http://${vip}/`);
    if (!pods.some((p: any) => body.includes(p.metadata.name))) throw new Error(`unexpected answer: ${body}`);
    for (const p of pods) if (body.includes(p.metadata.name)) seen.add(p.metadata.name);
    return seen.size === 2;
  }, 30_000);

  // Kill the agent of one pod's node (the process only: its pods keep running, as with a kubelet crash).
  const victimNode = pods[0].spec.nodeName as string;
  const pid = Number(readFileSync(join(home, 'pids', `${victimNode}.pid`), 'utf8'));
  process.kill(-pid, 'SIGKILL');
  const killedAt = Date.now();

  const prober = startProber(async () => (await httpGet(`http://${vip}/`)).status === 200);

  const replaced = await eventually('2 ready replicas off the killed node', async () => {
    const list = await kjson('-n', 'nginx', 'get', 'pods', '-l', 'app=nginx-hello');
    const r = list.items.filter((p: any) => ready(p) && p.spec.nodeName !== victimNode);
    return r.length >= 2 ? r : undefined;
  }, 60_000);
  const recoveredMs = Date.now() - killedAt;
  const { requests, failures } = await prober.stop();
  console.log(`agent kill: replicas Ready elsewhere after ${(recoveredMs / 1000).toFixed(1)}s; ${failures}/${requests} requests failed meanwhile`);
  assert.equal(replaced.length, 2);
  const node = await kjson('get', 'node', victimNode);
  assert.ok(node.spec.taints?.some((t: any) => t.key === 'node.kubernetes.io/unreachable'), 'the dead node is tainted unreachable');
  assert.ok(requests > 10 && failures <= requests * 0.1, `the Service kept answering during the recovery (${failures}/${requests} failed)`);
});

// ---- chaos and drills on the same cluster (saves a second `k8ts up` in CI) ----

async function k8tsFails(args: string[], extraEnv: NodeJS.ProcessEnv = {}): Promise<string> {
  try {
    await run(process.execPath, ['--import', 'tsx', 'packages/cli/src/main.ts', ...args], { cwd: root, env: { ...env, ...extraEnv }, timeout: 60_000 });
  } catch (e) {
    return `${(e as { stdout?: string }).stdout ?? ''}${(e as { stderr?: string }).stderr ?? ''}`;
  }
  throw new Error(`k8ts ${args.join(' ')} succeeded`);
}

const partitionRules = async () => (await run('iptables-save', [])).stdout.split('\n').filter((l) => l.includes('k8ts-partition:'));

test('the killed agent comes back with `k8ts chaos restart`, and the node is Ready and untainted', async () => {
  const nodes = await kjson('get', 'nodes');
  const down = nodes.items.find((n: any) => !n.status.conditions.some((c: any) => c.type === 'Ready' && c.status === 'True'));
  if (down) assert.match(await k8ts('chaos', 'restart', down.metadata.name), /restarted/);
  await eventually('3 Ready, untainted nodes', async () => {
    const list = await kjson('get', 'nodes');
    return list.items.filter((n: any) => n.status.conditions.some((c: any) => c.type === 'Ready' && c.status === 'True') && !n.spec.taints?.length).length === 3;
  }, 60_000);
  const status = await k8ts('status');
  assert.match(status, /k8ts-scheduler\s+\S+\s+\(process scheduler-[12]\)/);
  assert.match(status, /k8ts-controller-manager\s+\S+\s+\(process controller-manager-[12]\)/);
});

test('bad input answers plainly', async (t) => {
  assert.match(await k8tsFails(['chaos', 'kill-agent', 'no-such-node']), new RegExp(`no node named no-such-node; the nodes are ${prefix}-1, ${prefix}-2, ${prefix}-3`));
  assert.match(await k8tsFails(['chaos', 'partition', 'no-such-node']), /no node named no-such-node/);
  assert.match(await k8tsFails(['chaos', 'kill', 'kubelet']), /unknown component kubelet; one of .*apiserver/);
  assert.match(await k8tsFails(['drill', 'meteor-strike']), /no drill named meteor-strike; the drills are agent-kill, node-loss/);
  assert.match(await k8tsFails(['drill', 'etcd-member-kill']), /needs the compose cluster/);
  assert.match(await k8ts('up', '--agents', '3', '--node-prefix', prefix), /already up/);
  const empty = mkdtempSync(join(tmpdir(), 'k8ts-e2e-empty-'));
  t.after(() => rmSync(empty, { recursive: true, force: true }));
  const { stdout } = await run(process.execPath, ['--import', 'tsx', 'packages/cli/src/main.ts', 'down'], { cwd: root, env: { ...env, K8TS_HOME: empty }, timeout: 60_000 });
  assert.match(stdout, /not running; nothing to stop/);
  assert.match(await k8tsFails(['chaos', 'kill-agent', `${prefix}-1`], { K8TS_HOME: empty }), /k8ts is not running here/);
});

async function drillReport(scenario: string): Promise<any> {
  const out = join(home, 'drills', scenario);
  const stdout = await k8ts('drill', scenario, '--replicas', '3', '--out', out);
  assert.match(stdout, new RegExp(`report: ${out}`));
  const report = JSON.parse(readFileSync(join(out, 'report.json'), 'utf8'));
  const html = readFileSync(join(out, 'report.html'), 'utf8');
  assert.match(html, /<svg[^>]*>.*<circle/s, 'the timeline is drawn');
  assert.doesNotMatch(html, /(src|href)=["']?https?:/, 'the page is self-contained');
  assert.match(readFileSync(join(out, 'report.md'), 'utf8'), new RegExp(`# Drill ${scenario}: passed`));
  return report;
}

test('`k8ts drill agent-kill` moves the replicas and reports it', async () => {
  const r = await drillReport('agent-kill');
  assert.equal(r.scenario, 'agent-kill');
  assert.equal(r.passed, true, JSON.stringify(r.checks));
  assert.deepEqual(r.checks.map((c: any) => c.ok), r.checks.map(() => true));
  assert.ok(r.node.startsWith(prefix));
  const kinds = new Set(r.timeline.map((m: any) => m.kind));
  for (const k of ['fault', 'node-not-ready', 'taint', 'eviction', 'replacement-created', 'scheduled', 'ready', 'recovered', 'heal', 'node-ready', 'settled']) assert.ok(kinds.has(k), `timeline has ${k}`);
  assert.ok(r.timeToDetectMs > 0 && r.timeToDetectMs < r.timeToRecoverMs, `detect ${r.timeToDetectMs} < recover ${r.timeToRecoverMs}`);
  assert.ok(r.timeToRecoverMs < 60_000);
  assert.ok(r.service.requests > 20);
  assert.equal(r.writes.lost.length, 0);
  assert.ok(r.writes.acknowledged > 0);
  // The workload is gone, the cluster whole again.
  assert.doesNotMatch(await kubectl('get', 'namespaces'), /drill-agent-kill/);
});

test('`k8ts drill agent-partition`: the node is cut off, pods move, and on heal the moved pods leave it; no rule or cgroup stays', async () => {
  const r = await drillReport('agent-partition');
  assert.equal(r.passed, true, JSON.stringify(r.checks));
  const dup = r.checks.find((c: any) => c.name === 'no duplicate pods after the fault heals');
  assert.ok(dup.ok, dup.detail);
  const removed = r.timeline.filter((m: any) => m.kind === 'pod-removed' && m.what.includes(`on ${r.node}`));
  assert.ok(removed.length >= 1, 'the pods moved away were removed from the healed node');
  const healAt = r.timeline.find((m: any) => m.kind === 'heal').t;
  assert.ok(removed.every((m: any) => m.t >= healAt), 'removed only after the heal (the agent could not act before)');
  assert.deepEqual(await partitionRules(), []);
  assert.deepEqual(readdirSync('/sys/fs/cgroup/unified').filter((d) => d.startsWith(`k8ts-${network}-`)), []);
});

test('`k8ts chaos partition` / `heal` by hand: NotReady while cut off, Ready after, nothing left behind', async () => {
  const node = `${prefix}-3`;
  assert.match(await k8ts('chaos', 'partition', node), /partitioned/);
  assert.ok((await partitionRules()).some((l) => l.includes(`k8ts-partition:${node}`)));
  await eventually(`${node} NotReady`, async () => !(await kjson('get', 'node', node)).status.conditions.some((c: any) => c.type === 'Ready' && c.status === 'True'), 30_000);
  assert.match(await k8ts('status'), new RegExp(`${node}\\s+NotReady.*partitioned`));
  assert.match(await k8ts('chaos', 'heal', node), /healed/);
  assert.deepEqual(await partitionRules(), []);
  await eventually(`${node} Ready again`, async () => (await kjson('get', 'node', node)).status.conditions.some((c: any) => c.type === 'Ready' && c.status === 'True'), 60_000);
  assert.match(await k8ts('chaos', 'heal', node), /was not partitioned/);
});

test('Ctrl-C during a drill undoes the fault, removes the workload and exits 130', async () => {
  const child = spawn(process.execPath, ['--import', 'tsx', 'packages/cli/src/main.ts', 'drill', 'agent-partition', '--replicas', '2'], { cwd: root, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout.on('data', (d) => (output += d));
  child.stderr.on('data', (d) => (output += d));
  const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
  try {
    await eventually('the partition in place', async () => (await partitionRules()).length > 0, 120_000);
    child.kill('SIGINT');
    const code = await exited;
    assert.equal(code, 130, output);
    assert.match(output, /interrupted/);
    assert.deepEqual(await partitionRules(), []);
    assert.doesNotMatch(await kubectl('get', 'namespaces'), /drill-agent-partition/);
  } finally {
    if (child.exitCode === null) child.kill('SIGKILL');
  }
});
