// Benchmark: the scheduler placing M pods on N hollow nodes (Node objects whose Leases this
// process keeps fresh, like kubemark), apiserver and scheduler as their own processes.
// Authorization is on as in `k8ts up` (--authorization-mode Node,RBAC): the scheduler runs as
// system:kube-scheduler, each hollow node renews its Lease as system:node:<name> (one token
// each, all on one shared channel), and this process, which creates and watches the pods and
// registers the Nodes, is an admin (system:masters).
// Figures, all from one run:
//   baseline  — the same M pending pods bound round-robin straight through pods/binding by this
//               process (no scheduling): the ceiling the API path allows;
//   scheduler — M pending pods, then the scheduler starts: bound pods/s, as a ratio of the baseline;
//   burst     — with the scheduler running, M pods created as fast as the API takes them:
//               pods bound/s and creation→binding latency p50/p99;
//   framework — the scheduling algorithm alone (filters+scores over N NodeInfos, no API).
//   node --import tsx test/bench/scheduler.ts [--nodes 1000] [--pods 5000] [--lease-renew-ms 10000]
// K8TS_GRPC_EXCHANGE=0 in the environment makes every process of the run use unary calls
// instead of the Objects.Exchange stream, to compare the two. BENCH_APISERVER_ARGS adds apiserver
// flags, BENCH_APISERVER_NODE_ARGS and BENCH_SCHEDULER_NODE_ARGS node flags (e.g. --cpu-prof).
import { APISERVER_NODE_FLAGS } from '@k8ts/apiserver/node-flags';
import { COMPONENT_ENV, COMPONENT_NODE_FLAGS } from '@k8ts/client/node-flags';
import { spawn, type ChildProcess } from 'node:child_process';
import { performance } from 'node:perf_hooks';
import { Writable } from 'node:stream';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import * as grpc from '@grpc/grpc-js';
import { setTimeout as sleep } from 'node:timers/promises';
import { GRPC_CLIENT_OPTIONS, GrpcClient, Informer, NodesClient, keepIdleExchangeStreams } from '@k8ts/client';
import type { KubeObject } from '@k8ts/api';
import { startEtcd } from '../support/etcd.js';
import { writeClusterAuth } from '../support/cluster-auth.js';
import { componentArgs } from './support/component.js';
import { Framework } from '../../packages/scheduler/src/framework/framework.js';
import { PodScheduler } from '../../packages/scheduler/src/framework/schedule-pod.js';
import { SchedulerCache } from '../../packages/scheduler/src/cache/scheduler-cache.js';
import { newPodInfo } from '../../packages/scheduler/src/framework/pod-info.js';
import { defaultPlugins } from '../../packages/scheduler/src/plugins/registry.js';
import { hollowNode } from './hollow-node.js';
import { codeIs, pool, retrying } from './support/calls.js';
import { processCpuSeconds } from './support/apiserver.js';

const args = process.argv.slice(2);
const arg = (name: string, def: string) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1]! : def;
};
const N = Number(arg('nodes', '1000'));
const M = Number(arg('pods', '5000'));
const CONCURRENCY = Number(arg('concurrency', '64'));
// Binds in flight, for the scheduler (--max-in-flight-binds, its default) and the baseline alike.
const IN_FLIGHT = Number(arg('in-flight', '64'));
// Hollow nodes renew as kubemark's do, at the kubelet's rhythm (every 10 s, lease 40 s).
// A k8ts agent renews every second (packages/agent NodeLife: renewMs 1000) so that a lost node
// is noticed within seconds: `--lease-renew-ms 1000` shows what that costs at 1000 nodes.
const LEASE_RENEW_MS = Number(arg('lease-renew-ms', '10000'));
const NS = 'bench';

const pct = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
const ms = (v: number) => `${v.toFixed(0)} ms`;

function smallPod(name: string, schedulerName: string): KubeObject {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, namespace: NS, labels: { app: 'bench' } },
    spec: { schedulerName, containers: [{ name: 'c', image: 'k8ts/pause', resources: { requests: { cpu: '10m', memory: '16Mi' } } }] },
  };
}

// A retried create or bind whose first attempt went through.
const already = codeIs(409);

/** A component's process, started as `k8ts up` starts it (compiled; `entry` from componentArgs). */
function spawnLogged(entry: string[], argv: string[], readyRe?: RegExp, nodeArgs: readonly string[] = [], env: Readonly<Record<string, string>> = {}): { child: ChildProcess; ready: Promise<RegExpExecArray | null>; tail(): string } {
  const script = entry.at(-1)!;
  const child = spawn(process.execPath, [...nodeArgs, ...entry, ...argv], {
    stdio: ['ignore', 'pipe', 'inherit'],
    env: { ...process.env, K8TS_LOG_LEVEL: process.env.K8TS_LOG_LEVEL ?? 'warn', ...env },
  });
  let out = '';
  const ready = new Promise<RegExpExecArray | null>((resolve, reject) => {
    if (!readyRe) return resolve(null);
    child.stdout!.on('data', (d) => {
      out += d;
      const m = readyRe.exec(out);
      if (m) resolve(m);
      if (out.length > 100_000) out = out.slice(-10_000);
    });
    child.once('exit', (code) => reject(new Error(`${script} exited ${code}: ${out.slice(-2000)}`)));
  });
  if (!readyRe) child.stdout!.pipe(process.env.BENCH_VERBOSE ? process.stderr : new (require_devnull())());
  return { child, ready, tail: () => out.slice(-3000) };
}

/** CPU seconds a process used so far (user + system), from /proc. */
function cpuSeconds(pid: number | undefined): number {
  try {
    return processCpuSeconds(pid!);
  } catch {
    return NaN;
  }
}

function require_devnull() {
  return class extends Writable {
    override _write(_c: unknown, _e: unknown, cb: () => void) {
      cb();
    }
  };
}

async function stopChild(child: ChildProcess | undefined): Promise<void> {
  if (!child || child.exitCode !== null || child.signalCode !== null) return;
  child.kill('SIGTERM');
  await Promise.race([new Promise((r) => child.once('exit', r)), sleep(15_000)]);
  if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
}

// ---- framework only: no API, no processes ----
function frameworkOnly(): number {
  const cache = new SchedulerCache();
  for (let i = 0; i < N; i++) cache.addNode(hollowNode(i) as any);
  const algo = new PodScheduler(new Framework(defaultPlugins()));
  const pods = Array.from({ length: M }, (_, i) => smallPod(`f-${i}`, 'x') as any);
  const t0 = performance.now();
  for (const p of pods) {
    const info = newPodInfo(p);
    cache.assumePod(info, algo.schedule(cache, info).node);
  }
  return M / ((performance.now() - t0) / 1000);
}

const fw = frameworkOnly();

const nodeNames = Array.from({ length: N }, (_, i) => hollowNode(i).metadata.name!);
// Tokens of the admin, the scheduler and every hollow node; no audit log (it would be measured too).
const authDir = mkdtempSync(join(tmpdir(), 'k8ts-bench-sched-'));
const auth = writeClusterAuth(authDir, { nodes: nodeNames, audit: false });
const etcd = await startEtcd(['--quota-backend-bytes', String(4 * 1024 * 1024 * 1024)]);
const api = spawnLogged(
  await componentArgs('apiserver'),
  ['--etcd-servers', etcd.url, '--port', '0', '--grpc-port', '0', ...auth.apiserverFlags, ...(process.env.BENCH_APISERVER_ARGS ?? '').split(' ').filter(Boolean)],
  /"msg":"apiserver ready","restPort":\d+,"grpcPort":(\d+)/,
  [...APISERVER_NODE_FLAGS, ...(process.env.BENCH_APISERVER_NODE_ARGS ?? '').split(' ').filter(Boolean)],
);
let sched: ChildProcess | undefined;
let leasesStopped = false;
const leaseTimers = new Set<NodeJS.Timeout>();
let leaseRenewals = 0;
let leaseChannel: grpc.Channel | undefined;
const leaseClients = new Map<string, NodesClient>();
try {
  const grpcPort = Number((await api.ready)![1]);
  const server = `127.0.0.1:${grpcPort}`;
  const c = new GrpcClient({ server, token: auth.adminToken });
  // One connection for all hollow nodes (as one kubemark pod's worth of them would not have),
  // each renewing on an Exchange stream of its own under its own token.
  leaseChannel = new grpc.Channel(server, grpc.credentials.createInsecure(), GRPC_CLIENT_OPTIONS);
  // Their streams stay open between renewals, as an agent's do (runComponent).
  if (!process.env.BENCH_SHORT_STREAMS) keepIdleExchangeStreams();
  for (const name of nodeNames) leaseClients.set(name, new NodesClient({ server, token: auth.componentToken('agent', name) }, leaseChannel));
  const leases = { renewLease: (name: string, seconds: number) => leaseClients.get(name)!.renewLease(name, seconds) };
  await c.create('namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: NS } });

  // Hollow nodes and their Leases, each renewed as an agent renews it: the next renewal
  // LEASE_RENEW_MS after the previous one finished, the nodes spread over one interval.
  const nodes = Array.from({ length: N }, (_, i) => hollowNode(i));
  let t = performance.now();
  await pool(nodes, CONCURRENCY, async (n) => void (await retrying(() => c.create('nodes', n), already)));
  await pool(nodes, 16, async (n) => void (await leases.renewLease(n.metadata.name!, 40)));
  const renewLoop = (name: string, delay: number) => {
    const timer = setTimeout(async () => {
      leaseTimers.delete(timer);
      await leases.renewLease(name, 40).then(() => leaseRenewals++, () => undefined);
      if (!leasesStopped) renewLoop(name, LEASE_RENEW_MS);
    }, delay);
    leaseTimers.add(timer);
  };
  nodes.forEach((n, i) => renewLoop(n.metadata.name!, (i * LEASE_RENEW_MS) / N));
  console.log(`${N} hollow nodes with leases in ${ms(performance.now() - t)}`);

  // Binding times seen through a watch, as any controller would see them. Only bound pods
  // (a field selector, filtered by the apiserver): the instrument reads one event per pod, not
  // two, and leaves the cores to what it measures.
  const boundAt = new Map<string, number>();
  // An informer, so a watch cut by a missed keepalive on a loaded machine resumes.
  const seen = (p: KubeObject) => {
    if ((p as any).spec?.nodeName && !boundAt.has(p.metadata.name!)) boundAt.set(p.metadata.name!, performance.now());
  };
  const w = new Informer<KubeObject>(c, { resource: 'pods', namespace: NS, fieldSelector: 'spec.nodeName!=' });
  w.addEventHandler({ onAdd: seen, onUpdate: (_o, p) => seen(p) });
  w.start();
  await w.waitForSync();
  const waitBound = async (names: string[], timeoutMs: number) => {
    const deadline = Date.now() + timeoutMs;
    let report = Date.now() + 15_000;
    while (names.some((n) => !boundAt.has(n))) {
      if (Date.now() > deadline) throw new Error(`only ${names.filter((n) => boundAt.has(n)).length}/${names.length} bound`);
      if (Date.now() > report) {
        console.error(`  … ${names.filter((n) => boundAt.has(n)).length}/${names.length} bound, load ${loadavg()[0]!.toFixed(1)}`);
        report = Date.now() + 15_000;
      }
      await sleep(20);
    }
  };

  // CPU seconds of every process of the run, to say per bound pod where the time goes.
  const cpuNow = () => ({
    etcd: cpuSeconds(etcd.pid),
    apiserver: cpuSeconds(api.child.pid),
    scheduler: sched ? cpuSeconds(sched.pid) : 0,
    bench: (process.cpuUsage().user + process.cpuUsage().system) / 1e6,
    renewals: leaseRenewals,
    at: performance.now(),
  });
  type CpuSnap = ReturnType<typeof cpuNow>;
  const perPod = (a: CpuSnap, b: CpuSnap, pods: number) => {
    const f = (k: 'etcd' | 'apiserver' | 'scheduler' | 'bench') => `${k} ${(((b[k] - a[k]) * 1000) / pods).toFixed(2)}`;
    const secs = (b.at - a.at) / 1000;
    // The cluster's own CPU per bound pod, and the rate it would allow with every core to itself.
    const cluster = ((b.etcd - a.etcd + b.apiserver - a.apiserver + b.scheduler - a.scheduler) * 1000) / pods;
    const ceiling = (availableParallelism() * 1000) / cluster;
    return `${f('etcd')}, ${f('apiserver')}, ${f('scheduler')}, bench ${(((b.bench - a.bench) * 1000) / pods).toFixed(2)} ms/pod (cluster ${cluster.toFixed(2)} ms/pod: ≤ ${ceiling.toFixed(0)} pods/s on ${availableParallelism()} idle cores); lease renewals ${((b.renewals - a.renewals) / secs).toFixed(0)}/s`;
  };

  // Leases alone for a few seconds: what one renewal costs, to tell it apart from scheduling below.
  // Measured after 5 s of renewals only: right after the nodes, their Leases and the informer's
  // list, the apiserver is still compiling the renewal path and collecting the set-up's garbage,
  // which more than doubled the figure (1.87 instead of 0.80 ms of apiserver CPU a renewal,
  // 2026-12-07, load 28–40, 1000 hollow nodes renewing every 10 s and nothing else).
  await sleep(5000);
  const idle0 = cpuNow();
  await sleep(5000);
  const idle1 = cpuNow();
  const renewalsIdle = idle1.renewals - idle0.renewals;
  const leaseCores = (idle1.etcd - idle0.etcd + idle1.apiserver - idle0.apiserver) / ((idle1.at - idle0.at) / 1000);
  const idleShare = (k: 'etcd' | 'apiserver' | 'bench') => ((100 * (idle1[k] - idle0[k])) / ((idle1.at - idle0.at) / 1000)).toFixed(0);

  // Baseline: direct round-robin binding of M pending pods.
  const base = Array.from({ length: M }, (_, i) => `base-${i}`);
  t = performance.now();
  await pool(base, CONCURRENCY, async (n) => void (await retrying(() => c.create('pods', smallPod(n, 'nobody')), already)));
  const createRate = M / ((performance.now() - t) / 1000);
  const baseCpu0 = cpuNow();
  t = performance.now();
  let rr = 0;
  // As many binds in flight as the scheduler allows itself.
  await pool(base, IN_FLIGHT, async (n) => {
    const node = nodes[rr++ % N]!.metadata.name!;
    const binding = { apiVersion: 'v1', kind: 'Binding', metadata: { name: n, namespace: NS }, target: { apiVersion: 'v1', kind: 'Node', name: node } };
    await retrying(() => c.createSubresource('pods', NS, n, 'binding', binding), already);
  });
  await waitBound(base, 60_000);
  const baseRate = M / ((Math.max(...base.map((n) => boundAt.get(n)!)) - t) / 1000);
  const baseCpu = perPod(baseCpu0, cpuNow(), M);

  // Scheduler on a backlog of M pending pods.
  const backlog = Array.from({ length: M }, (_, i) => `s-${i}`);
  await pool(backlog, CONCURRENCY, async (n) => void (await retrying(() => c.create('pods', smallPod(n, 'bench-scheduler')), already)));
  const s = spawnLogged(await componentArgs('scheduler'), ['--server', server, '--token-file', auth.tokenFile('scheduler'), '--ops-port', '-1', '--no-leader-elect', '--scheduler-name', 'bench-scheduler', '--max-in-flight-binds', String(IN_FLIGHT)], undefined, [...COMPONENT_NODE_FLAGS, ...(process.env.BENCH_SCHEDULER_NODE_ARGS ?? '').split(' ').filter(Boolean)], COMPONENT_ENV);
  sched = s.child;
  const started = performance.now();
  const startCpu0 = cpuNow();
  // CPU from the first bind on, so the scheduler's start-up (its informers' lists) stays apart.
  let firstBindCpu: { snap: CpuSnap; bound: number } | undefined;
  const firstBindWatch = setInterval(() => {
    const bound = backlog.filter((n) => boundAt.has(n)).length;
    if (bound > 0 && !firstBindCpu) firstBindCpu = { snap: cpuNow(), bound };
  }, 20);
  await waitBound(backlog, 300_000);
  clearInterval(firstBindWatch);
  const times = backlog.map((n) => boundAt.get(n)!);
  const first = Math.min(...times);
  const last = Math.max(...times);
  const backlogRate = M / ((last - first) / 1000);
  const endCpu = cpuNow();
  const startUp = { scheduler: firstBindCpu!.snap.scheduler - startCpu0.scheduler, apiserver: firstBindCpu!.snap.apiserver - startCpu0.apiserver };
  const backlogCpu = perPod(firstBindCpu!.snap, endCpu, M - firstBindCpu!.bound);

  // Burst: M pods created as fast as the API takes them, scheduler running.
  const burst = Array.from({ length: M }, (_, i) => `b-${i}`);
  const createdAt = new Map<string, number>();
  const burstCpu0 = cpuNow();
  const b0 = performance.now();
  await pool(burst, CONCURRENCY, async (n) => {
    createdAt.set(n, performance.now());
    await retrying(() => c.create('pods', smallPod(n, 'bench-scheduler')), already);
  });
  const burstCreateRate = M / ((performance.now() - b0) / 1000);
  await waitBound(burst, 300_000);
  const burstCpu = perPod(burstCpu0, cpuNow(), M);
  const lat = burst.map((n) => boundAt.get(n)! - createdAt.get(n)!).sort((a, b) => a - b);
  const burstRate = M / ((Math.max(...burst.map((n) => boundAt.get(n)!)) - b0) / 1000);
  await w.stop();

  console.log(`\nscheduler benchmark: ${N} nodes, ${M} pods per phase (requests 10m cpu / 16Mi), API concurrency ${CONCURRENCY}, binds in flight ${IN_FLIGHT}, node leases renewed every ${LEASE_RENEW_MS} ms`);
  console.log(`  pod creates (API)                      ${createRate.toFixed(0).padStart(6)} pods/s`);
  console.log(`  baseline: direct round-robin binding   ${baseRate.toFixed(0).padStart(6)} pods/s   1.00`);
  console.log(`  scheduler on a backlog                 ${backlogRate.toFixed(0).padStart(6)} pods/s   ${(backlogRate / baseRate).toFixed(2)} of baseline   (first bind ${ms(first - started)} after process start)`);
  console.log(`  scheduler, pods created meanwhile      ${burstRate.toFixed(0).padStart(6)} pods/s   ${(burstRate / baseRate).toFixed(2)} of baseline   (creates ran at ${burstCreateRate.toFixed(0)}/s)`);
  console.log(`  creation→binding latency               p50 ${ms(pct(lat, 50))}, p90 ${ms(pct(lat, 90))}, p99 ${ms(pct(lat, 99))}, max ${ms(lat[lat.length - 1]!)}`);
  console.log(`  framework alone (no API)               ${fw.toFixed(0).padStart(6)} pods/s   ${(fw / baseRate).toFixed(2)} of baseline`);
  console.log(`  leases alone (5 s, 5 s after set-up): ${(renewalsIdle / 5).toFixed(0)} renewals/s keep etcd + apiserver ${(leaseCores * 100).toFixed(0)} % of a core busy (etcd ${idleShare('etcd')} %, apiserver ${idleShare('apiserver')} %; the renewing bench ${idleShare('bench')} %)`);
  console.log(`  CPU, baseline phase:  ${baseCpu}`);
  console.log(`  CPU, backlog phase:   ${backlogCpu} (from the first bind; start-up before it: scheduler ${startUp.scheduler.toFixed(1)} s, apiserver ${startUp.apiserver.toFixed(1)} s)`);
  console.log(`  CPU, burst phase:     ${burstCpu} (creates included)`);
  console.log(`  load average ${loadavg().map((l) => l.toFixed(1)).join(' ')} on ${availableParallelism()} cores`);
  const events = await c.list('events', { namespace: NS, limit: 1 }).catch(() => undefined);
  const eventCount = events ? events.items.length + Number((events.metadata as { remainingItemCount?: number }).remainingItemCount ?? 0) : NaN;
  console.log(`  events written in ${NS}: ${eventCount} for ${2 * M} scheduled pods (the scheduler sends one at a time and drops beyond a backlog of 1000)`);
  const mem = (pid: number | undefined) => {
    const status = pid ? readFileSync(`/proc/${pid}/status`, 'utf8') : '';
    const mib = (field: string) => (Number(new RegExp(`${field}:\\s+(\\d+) kB`).exec(status)?.[1]) / 1024).toFixed(0);
    return `${mib('VmRSS')} MiB (peak ${mib('VmHWM')})`;
  };
  // Issue 19's targets at 1000 nodes and 5000 pods; this run holds 3 × M pods by now.
  console.log(`  resident memory at the end (${N} nodes, ${3 * M} pods): apiserver ${mem(api.child.pid)}, target ≤ 250; scheduler ${mem(sched?.pid)}, target ≤ 120`);
  console.log(`  target ≥ 1000 pods/s: ${backlogRate >= 1000 && burstRate >= 1000 ? 'met' : 'NOT met'}`);
  c.close();
} catch (e) {
  console.error(`apiserver ${api.child.exitCode !== null ? `exited ${api.child.exitCode}` : 'still running'}; its last output:\n${api.tail()}`);
  throw e;
} finally {
  leasesStopped = true;
  for (const timer of leaseTimers) clearTimeout(timer);
  await stopChild(sched);
  for (const l of leaseClients.values()) l.close();
  leaseChannel?.close();
  await stopChild(api.child);
  await etcd.stop();
  rmSync(authDir, { recursive: true, force: true });
}
