// What the apiserver benchmarks share: a throwaway etcd and the apiserver as its own process
// (as deployed), a raw etcd client for the baselines, CPU accounting per process from /proc,
// paired rate measurements and latency statistics.
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import { join } from 'node:path';
import { Etcd3 } from 'etcd3';
import { APISERVER_NODE_FLAGS } from '@k8ts/apiserver/node-flags';
import { startEtcd, type TestEtcd } from '../../support/etcd.js';
import { monotonicMs, startWatchers, type WatchersRequest } from './watchers.js';
import { componentArgs } from './component.js';
import { AUTHORIZATION_MODE, writeClusterAuth } from '../../support/cluster-auth.js';

export function benchArgs(defaults: { seconds?: string; concurrency?: string; watchers?: string; events?: string; interval?: string; rounds?: string }) {
  const args = process.argv.slice(2);
  const arg = (name: keyof typeof defaults, def: string) => {
    const i = args.indexOf(`--${name}`);
    return i >= 0 ? args[i + 1] : (defaults[name] ?? def);
  };
  const list = (v: string) => (v === '' || v === 'none' ? [] : v.split(',').map(Number));
  return {
    seconds: Number(arg('seconds', '3')),
    concurrency: list(arg('concurrency', '1,16,64')),
    watchers: list(arg('watchers', '100,1000')),
    events: Number(arg('events', '200')),
    interval: Number(arg('interval', '50')),
    rounds: Number(arg('rounds', '3')),
  };
}

export function pct(sorted: number[], p: number): number {
  if (!sorted.length) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

/** The machine's load averages, to print beside every figure (2 shared cores). */
export function load(): string {
  return `load ${os.loadavg().map((l) => l.toFixed(2)).join(' ')}`;
}

/** CPU seconds (user + system) a process has used so far, from /proc. */
export function processCpuSeconds(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / 100; // utime, stime in clock ticks (100/s)
}

function ownCpuSeconds(): number {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1e6;
}

export function configMap(name: string, namespace: string) {
  return { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, namespace, labels: { bench: 'yes' } }, data: { blob: 'x'.repeat(600) } };
}

/** Runs `op` in `concurrency` loops for `seconds`; operations per second. */
export async function runFor(seconds: number, concurrency: number, op: (worker: number, i: number) => Promise<void>): Promise<number> {
  let count = 0;
  const end = Date.now() + seconds * 1000;
  const start = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async (_, w) => {
      for (let i = 0; Date.now() < end; i++) {
        await op(w, i);
        count++;
      }
    }),
  );
  return (count * 1000) / (performance.now() - start);
}

export interface BenchCluster {
  etcd: TestEtcd;
  /** A raw etcd client for the baselines. */
  raw: Etcd3;
  restPort: number;
  grpcPort: number;
  apiserverPid: number;
  etcdPid: number;
  /** The bench's own user (RBAC-bound to ConfigMaps only): creates and watches go as it. */
  token: string;
  /** A system:masters user, for set-up (namespaces) and /metrics. */
  adminToken: string;
  stop(): Promise<void>;
}

/**
 * The apiserver authenticates every request by bearer token and, as `k8ts up` runs it,
 * authorizes it with Node,RBAC (BENCH_AUTHZ=0: AlwaysAllow, to price authorization). The bench
 * user is not in system:masters, so each of its requests walks the RBAC bindings.
 */
function benchIdentities(): { dir: string; token: string; adminToken: string; args: string[] } {
  const dir = mkdtempSync(join(os.tmpdir(), 'k8ts-bench-'));
  const token = randomBytes(16).toString('hex');
  const auth = writeClusterAuth(dir, { audit: false, extraLines: `${token},bench,uid-bench,"bench-users"\n` });
  const mode = process.env.BENCH_AUTHZ === '0' ? 'AlwaysAllow' : AUTHORIZATION_MODE;
  return { dir, token, adminToken: auth.adminToken, args: ['--token-auth-file', auth.tokenAuthFile, '--authorization-mode', mode] };
}

/** An admin POST to the REST face: its status code and body. */
function adminPost(restPort: number, adminToken: string, path: string, body: unknown): Promise<{ code: number; text: string }> {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port: restPort, method: 'POST', path, headers: { authorization: `Bearer ${adminToken}`, 'content-type': 'application/json' } }, (res) => {
      let text = '';
      res.on('data', (d) => (text += d));
      res.on('end', () => resolve({ code: res.statusCode ?? 0, text }));
    });
    req.on('error', reject);
    req.end(JSON.stringify(body));
  });
}

/**
 * A ClusterRole with what the benches do to ConfigMaps (edit's rules would come from the
 * controller-manager's aggregation, which the benches do not run), bound to the bench user's
 * group, and waited for: the authorizer learns bindings through its watch.
 */
async function bindBenchUser(restPort: number, adminToken: string): Promise<void> {
  const rbac = '/apis/rbac.authorization.k8s.io/v1';
  const role = { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRole', metadata: { name: 'bench' }, rules: [{ apiGroups: [''], resources: ['configmaps'], verbs: ['create', 'get', 'list', 'watch'] }] };
  const binding = {
    apiVersion: 'rbac.authorization.k8s.io/v1',
    kind: 'ClusterRoleBinding',
    metadata: { name: 'bench' },
    roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'bench' },
    subjects: [{ apiGroup: 'rbac.authorization.k8s.io', kind: 'Group', name: 'bench-users' }],
  };
  for (const [path, body] of [[`${rbac}/clusterroles`, role], [`${rbac}/clusterrolebindings`, binding]] as const) {
    const { code } = await adminPost(restPort, adminToken, path, body);
    if (code !== 201) throw new Error(`${path} answered ${code}`);
  }
  const review = { apiVersion: 'authorization.k8s.io/v1', kind: 'SubjectAccessReview', spec: { user: 'bench', groups: ['bench-users'], resourceAttributes: { verb: 'create', resource: 'configmaps', namespace: 'bench' } } };
  for (const deadline = Date.now() + 10_000; ; ) {
    const { code, text } = await adminPost(restPort, adminToken, '/apis/authorization.k8s.io/v1/subjectaccessreviews', review);
    const allowed = code === 201 && JSON.parse(text).status?.allowed === true;
    if (allowed) return;
    if (Date.now() > deadline) throw new Error('the bench user is still not allowed to create configmaps');
    await new Promise((r) => setTimeout(r, 50));
  }
}

/**
 * etcd plus the apiserver process, compiled and with the node flags it is deployed with;
 * BENCH_APISERVER_NODE_ARGS (e.g. "--cpu-prof") go to its node too; BENCH_APISERVER_MAIN runs another tree's apiserver (e.g. a checkout of the previous
 * commit: its packages/apiserver/dist/main.js, built, or src/main.ts) to compare two versions with the same bench.
 */
export async function startBenchCluster(): Promise<BenchCluster> {
  const etcd = await startEtcd(['--quota-backend-bytes', String(4 * 1024 * 1024 * 1024)]);
  const entry = await componentArgs('apiserver', process.env.BENCH_APISERVER_MAIN);
  const nodeArgs = [...APISERVER_NODE_FLAGS, ...(process.env.BENCH_APISERVER_NODE_ARGS ?? '').split(' ').filter(Boolean)];
  let child: ChildProcess | undefined;
  const ids = benchIdentities();
  const stop = async () => {
    if (child && child.exitCode === null && child.signalCode === null) {
      // SIGTERM first so a --cpu-prof run writes its profile.
      child.kill('SIGTERM');
      await Promise.race([new Promise((r) => child!.once('exit', r)), new Promise((r) => setTimeout(r, 5000))]);
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    }
    rmSync(ids.dir, { recursive: true, force: true });
    await etcd.stop();
  };
  try {
    // BENCH_APISERVER_ARGS: more apiserver flags (e.g. `--audit-log-path /tmp/a/audit.log` to price the audit log).
    const extra = (process.env.BENCH_APISERVER_ARGS ?? '').split(' ').filter(Boolean);
    child = spawn(process.execPath, [...nodeArgs, ...entry, '--etcd-servers', etcd.url, '--port', '0', '--grpc-port', '0', ...ids.args, ...extra], {
      stdio: ['ignore', 'pipe', 'inherit'],
      env: { ...process.env, K8TS_LOG_LEVEL: 'warn' },
    });
    const ports = await new Promise<[number, number]>((resolve, reject) => {
      let out = '';
      child!.stdout!.on('data', (d) => {
        out += d;
        const m = /"msg":"apiserver ready","restPort":(\d+),"grpcPort":(\d+)/.exec(out);
        if (m) resolve([Number(m[1]), Number(m[2])]);
      });
      child!.once('exit', (code) => reject(new Error(`apiserver exited ${code}: ${out}`)));
    });
    await bindBenchUser(ports[0], ids.adminToken);
    const raw = new Etcd3({ hosts: etcd.url });
    return {
      etcd,
      raw,
      restPort: ports[0],
      grpcPort: ports[1],
      apiserverPid: child.pid!,
      etcdPid: etcd.pid,
      token: ids.token,
      adminToken: ids.adminToken,
      stop: async () => {
        raw.close();
        await stop();
      },
    };
  } catch (err) {
    await stop();
    throw err;
  }
}

export interface RateComparison {
  api: number;
  raw: number;
  /** CPU per operation, µs. */
  apiCpu: number;
  etcdCpuApi: number;
  etcdCpuRaw: number;
  /** The bench's own process (the load generator shares the machine's cores). */
  clientCpuApi: number;
  clientCpuRaw: number;
}

/**
 * Creates through the apiserver against raw etcd puts of the same bytes, alternating in
 * short slices (`rounds` of each) so both sides see the same machine load.
 */
export async function compareRates(
  cluster: BenchCluster,
  seconds: number,
  rounds: number,
  concurrency: number,
  apiOp: (worker: number, i: number) => Promise<void>,
  rawOp: (worker: number, i: number) => Promise<void>,
): Promise<RateComparison> {
  const slice = seconds / rounds;
  let apiOps = 0;
  let rawOps = 0;
  let apiCpu = 0;
  let etcdApi = 0;
  let etcdRaw = 0;
  let clientApi = 0;
  let clientRaw = 0;
  let seq = 0;
  for (let r = 0; r < rounds; r++) {
    const base = seq;
    const a0 = processCpuSeconds(cluster.apiserverPid);
    const e0 = processCpuSeconds(cluster.etcdPid);
    const c0 = ownCpuSeconds();
    const api = await runFor(slice, concurrency, (w, i) => apiOp(w, base + i * concurrency + w));
    apiCpu += processCpuSeconds(cluster.apiserverPid) - a0;
    etcdApi += processCpuSeconds(cluster.etcdPid) - e0;
    clientApi += ownCpuSeconds() - c0;
    const e1 = processCpuSeconds(cluster.etcdPid);
    const c1 = ownCpuSeconds();
    const raw = await runFor(slice, concurrency, (w, i) => rawOp(w, base + i * concurrency + w));
    etcdRaw += processCpuSeconds(cluster.etcdPid) - e1;
    clientRaw += ownCpuSeconds() - c1;
    apiOps += api * slice;
    rawOps += raw * slice;
    seq += 1_000_000;
  }
  return {
    api: apiOps / seconds,
    raw: rawOps / seconds,
    apiCpu: (apiCpu * 1e6) / apiOps,
    etcdCpuApi: (etcdApi * 1e6) / apiOps,
    etcdCpuRaw: (etcdRaw * 1e6) / rawOps,
    clientCpuApi: (clientApi * 1e6) / apiOps,
    clientCpuRaw: (clientRaw * 1e6) / rawOps,
  };
}

function printRateHeader(face: string, payloadBytes: number, seconds: number, rounds: number): void {
  console.log(`\n${face} creates/s against raw etcd puts of the same ${payloadBytes}-byte ConfigMap, ${seconds}s each, alternating in ${rounds} slices`);
  console.log('concurrency   apiserver/s   etcd put/s   ratio   apiserver CPU/create   etcd CPU/op (api / raw)   bench client CPU/op (api / raw)   load');
}

function printRateRow(concurrency: number, r: RateComparison): void {
  console.log(
    `${String(concurrency).padStart(11)}   ${r.api.toFixed(0).padStart(11)}   ${r.raw.toFixed(0).padStart(10)}   ${(r.api / r.raw).toFixed(2).padStart(5)}   ${`${r.apiCpu.toFixed(0)} µs`.padStart(20)}   ${`${r.etcdCpuApi.toFixed(0)} / ${r.etcdCpuRaw.toFixed(0)} µs`.padStart(23)}   ${`${r.clientCpuApi.toFixed(0)} / ${r.clientCpuRaw.toFixed(0)} µs`.padStart(31)}   ${load()}`,
  );
}

/** Writes the same ConfigMap bytes straight to etcd under `key`: the baseline every create is compared with. */
function rawPut(cluster: BenchCluster, key: string, name: string): Promise<void> {
  return cluster.raw.put(key).value(JSON.stringify(configMap(name, 'bench'))).then(() => undefined);
}

/** Warms both paths (JIT, connections): creates of ConfigMaps in namespace bench through the face, and raw puts. */
export async function warmUp(cluster: BenchCluster, create: (name: string) => Promise<void>): Promise<void> {
  await runFor(2, 4, (w, i) => create(`warm-${w}-${i}`));
  await runFor(2, 4, (w, i) => rawPut(cluster, `/bench/warm/${w}/${i}`, `warm-${w}-${i}`));
}

/** The creates/s table of one face: at each concurrency, its creates against raw etcd puts of the same bytes. */
export async function printCreateRates(cluster: BenchCluster, opts: { seconds: number; rounds: number; concurrency: number[] }, face: string, create: (name: string) => Promise<void>): Promise<void> {
  if (!opts.concurrency.length) return;
  printRateHeader(face, JSON.stringify(configMap('x', 'bench')).length, opts.seconds, opts.rounds);
  for (const n of opts.concurrency) {
    const r = await compareRates(
      cluster,
      opts.seconds,
      opts.rounds,
      n,
      (_w, i) => create(`c${n}-${i}`),
      (_w, i) => rawPut(cluster, `/bench/raw/c${n}-${i}`, `c${n}-${i}`),
    );
    printRateRow(n, r);
  }
}

/**
 * Watch delivery latency as Kubernetes measures it: its density test's run-to-watch latency
 * runs from the moment of the change (a container's start) to the test's watch observing
 * the pod, and the SIG Scalability watch-latency SLI from the object's storage onwards, not
 * from any acknowledgement to the writer. Here: from the moment a client issues the write
 * to the moment each watcher has read the event, with the write's own round trip (its
 * acknowledgement) shown beside it and, for reference, the delay after the acknowledgement.
 */
export class DeliveryClock {
  private readonly sent = new Map<string, { start: number; ack?: number }>();
  private readonly receipts: { name: string; at: number }[] = [];

  started(name: string): void {
    this.sent.set(name, { start: monotonicMs() });
  }

  acknowledged(name: string): void {
    const s = this.sent.get(name);
    if (s) s.ack = monotonicMs();
  }

  /** `at` is monotonicMs() of the process that read the event. */
  received(name: string, at = monotonicMs()): void {
    if (this.sent.has(name)) this.receipts.push({ name, at });
  }

  get count(): number {
    return this.receipts.length;
  }

  /**
   * Latencies in ms, sorted: from the start of the write (the delivery latency), the writes'
   * own round trips, and from the acknowledgement (a watcher may read an event before its
   * writer reads the acknowledgement, both leave the apiserver together: that counts as 0).
   */
  latencies(): { fromStart: number[]; writes: number[]; fromAck: number[] } {
    const fromAck: number[] = [];
    const fromStart: number[] = [];
    const writes: number[] = [];
    for (const s of this.sent.values()) if (s.ack !== undefined) writes.push(s.ack - s.start);
    for (const r of this.receipts) {
      const s = this.sent.get(r.name)!;
      fromStart.push(r.at - s.start);
      fromAck.push(Math.max(0, r.at - (s.ack ?? s.start)));
    }
    for (const l of [fromAck, fromStart, writes]) l.sort((a, b) => a - b);
    return { fromStart, writes, fromAck };
  }
}

/**
 * Writes `events` objects `intervalMs` apart through `create` (timing each write), then
 * waits up to 10 s for `expected` deliveries (`delivered()`: so far).
 */
export async function writeWatchedEvents(
  clock: DeliveryClock,
  events: number,
  intervalMs: number,
  expected: number,
  create: (name: string) => Promise<unknown>,
  prefix: string,
  delivered: () => number,
): Promise<void> {
  for (let i = 0; i < events; i++) {
    const name = `${prefix}${i}`;
    clock.started(name);
    await create(name);
    clock.acknowledged(name);
    await new Promise((r) => setTimeout(r, intervalMs));
  }
  const deadline = Date.now() + 10_000;
  while (delivered() < expected && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
}

/** Baseline: one raw etcd watch, from the start of the put to the event's receipt. */
export async function rawWatchLatency(raw: Etcd3, events: number, intervalMs: number): Promise<number[]> {
  const clock = new DeliveryClock();
  const w = await raw.watch().prefix('/bench/watch-raw/').create();
  w.on('put', (kv) => clock.received(kv.key.toString()));
  for (let i = 0; i < events; i++) {
    const key = `/bench/watch-raw/${i}`;
    clock.started(key);
    await raw.put(key).value(JSON.stringify(configMap(`r${i}`, 'bench')));
    clock.acknowledged(key);
    await new Promise((r) => setTimeout(r, intervalMs));
  }
  await new Promise((r) => setTimeout(r, 300));
  await w.cancel();
  return clock.latencies().fromStart;
}

const ms = (v: number | undefined) => (v === undefined || Number.isNaN(v) ? '-' : v.toFixed(1));

export function printWatchHeader(face: string, events: number, intervalMs: number, base: number[]): void {
  console.log(`\n${face} watch delivery latency (ms): ${events} ConfigMap creates ${intervalMs} ms apart, from the moment the client issues the create to the moment each watcher has read the event; the watchers run in a process of their own`);
  console.log(`(raw etcd, one watcher, from the start of the put: p50 ${ms(pct(base, 50))}, p99 ${ms(pct(base, 99))}, max ${ms(base.at(-1))})`);
  console.log('watchers   delivery p50     p99     max   | create round trip p50 / p99 | after the ack p50 / p99 | CPU/delivery: apiserver   watchers   delivered     load');
}

export function printWatchRow(watchers: number, clock: DeliveryClock, expected: number, apiCpuSeconds: number, watchersCpuSeconds: number): void {
  const { fromStart, writes, fromAck } = clock.latencies();
  const perDelivery = (s: number) => `${((s * 1e6) / Math.max(1, clock.count)).toFixed(1)} µs`;
  console.log(
    `${String(watchers).padStart(8)}   ${ms(pct(fromStart, 50)).padStart(12)}   ${ms(pct(fromStart, 99)).padStart(5)}   ${ms(fromStart.at(-1)).padStart(5)}   |   ${`${ms(pct(writes, 50))} / ${ms(pct(writes, 99))}`.padEnd(25)} |   ${`${ms(pct(fromAck, 50))} / ${ms(pct(fromAck, 99))}`.padEnd(21)} | ${perDelivery(apiCpuSeconds).padStart(23)}   ${perDelivery(watchersCpuSeconds).padStart(8)}   ${`${clock.count}/${expected}`.padStart(9)}   ${load()}`,
  );
}

export interface WatchRowCpu {
  watchers: number;
  /** Apiserver CPU seconds per create, its deliveries included. */
  apiCpuPerEvent: number;
}

/**
 * The apiserver CPU one more watcher costs per event, from the smallest and largest rows:
 * the CPU per delivery of a row also carries the create's own cost, most of it with 100
 * watchers.
 */
export function printMarginalDeliveryCpu(rows: WatchRowCpu[]): void {
  const sorted = [...rows].sort((a, b) => a.watchers - b.watchers);
  const [lo, hi] = [sorted[0], sorted.at(-1)];
  if (!lo || !hi || hi.watchers === lo.watchers) return;
  const us = ((hi.apiCpuPerEvent - lo.apiCpuPerEvent) * 1e6) / (hi.watchers - lo.watchers);
  console.log(`apiserver CPU per delivery beyond the create's own (${lo.watchers} → ${hi.watchers} watchers): ${us.toFixed(1)} µs`);
}

/**
 * One row of the watch table: `watchers.count` watchers (in their own process) of an empty
 * namespace, 10 untimed creates, then `events` creates `intervalMs` apart through `create`,
 * then the row and the apiserver's etcd transactions for those creates.
 */
export async function measureWatchRow(
  cluster: BenchCluster,
  events: number,
  intervalMs: number,
  watchers: WatchersRequest,
  create: (name: string) => Promise<unknown>,
): Promise<WatchRowCpu> {
  const clock = new DeliveryClock();
  const w = await startWatchers(watchers, clock);
  try {
    const n = watchers.count;
    // The first events of a fresh watch pay for cold paths (a new representation to encode,
    // code not yet optimised): they were among the slowest of a run. Untimed.
    for (let i = 0; i < 10; i++) {
      await create(`${watchers.marker}warm-${i}`);
      await new Promise((r) => setTimeout(r, intervalMs));
    }
    const deadline = Date.now() + 10_000;
    while (w.delivered() < n * 10 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    w.reset();
    const api0 = processCpuSeconds(cluster.apiserverPid);
    const w0 = processCpuSeconds(w.pid);
    const etcd0 = await etcdCreateBuckets(cluster.restPort, cluster.adminToken);
    await writeWatchedEvents(clock, events, intervalMs, n * events, create, watchers.marker, () => w.delivered());
    const apiCpu = processCpuSeconds(cluster.apiserverPid) - api0;
    const watchersCpu = processCpuSeconds(w.pid) - w0;
    await w.collect();
    printWatchRow(n, clock, n * events, apiCpu, watchersCpu);
    console.log(etcdCreateLine(etcd0, await etcdCreateBuckets(cluster.restPort, cluster.adminToken)));
    return { watchers: n, apiCpuPerEvent: apiCpu / events };
  } finally {
    await w.stop();
  }
}

/** Cumulative bucket counts of the apiserver's etcd create calls (its /metrics histogram). */
export async function etcdCreateBuckets(restPort: number, adminToken: string): Promise<Map<number, number>> {
  const text = await new Promise<string>((resolve, reject) => {
    http.get({ host: '127.0.0.1', port: restPort, path: '/metrics', headers: { authorization: `Bearer ${adminToken}` } }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (d: string) => (body += d));
      res.on('end', () => resolve(body));
    }).on('error', reject);
  });
  const buckets = new Map<number, number>();
  for (const m of text.matchAll(/^etcd_request_duration_seconds_bucket\{le="([^"]+)",operation="create"\} (\d+)$/gm)) {
    buckets.set(m[1] === '+Inf' ? Infinity : Number(m[1]), Number(m[2]));
  }
  return buckets;
}

/**
 * Where a slow write spent its time: the bucket bounds (ms) under which 50% and 99% of the
 * apiserver's etcd create calls between two snapshots finished.
 */
export function etcdCreateLine(before: Map<number, number>, after: Map<number, number>): string {
  const les = [...after.keys()].sort((a, b) => a - b);
  const total = (after.get(Infinity) ?? 0) - (before.get(Infinity) ?? 0);
  const bound = (q: number) => {
    for (const le of les) if ((after.get(le) ?? 0) - (before.get(le) ?? 0) >= q * total) return le === Infinity ? '> 1000' : `≤ ${le * 1000}`;
    return '-';
  };
  return `          (the apiserver's etcd transactions for these ${total} creates: p50 ${bound(0.5)} ms, p99 ${bound(0.99)} ms)`;
}
