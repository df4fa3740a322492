// The soak: a cluster of its own (`k8ts up`), a workload behind a Service, then for the given
// time the abusers (a child process: test/soak/abusers/main.ts) against it while this
// process watches the components' pids, the nodes, the Leases and the Service; `k8ts down
// --purge` at the end whatever happened. The result names every invariant that broke.
import { fork } from 'node:child_process';
import { execFileSync } from 'node:child_process';
import { cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import { upCluster, repoRoot, type SoakCluster } from './cluster.js';
import { prepare, NS } from './setup.js';
import { ApiClient } from './http.js';
import { ProcessMonitor, type ProcessFigures } from './monitors/processes.js';
import { ServiceMonitor, type ServiceFigures } from './monitors/service.js';
import { ClusterMonitor, type ClusterFigures } from './monitors/cluster-state.js';
import { Tally, type AbuseEvent, type AbuseKind, type TallyJson } from './tally.js';
import { LagMonitor, type LagFigures } from './monitors/apiserver-lag.js';
import type { AbuseConfig } from './abusers/context.js';
import { brokenInvariants } from './summary.js';

export interface SoakOptions {
  seconds: number;
  seed: number;
  kinds: AbuseKind[];
  agents: number;
  /** Workload replicas behind the Service. */
  replicas: number;
  /** Concurrent flood requests per user (three users). */
  floodWorkers: number;
  /** Names the cluster's nodes, network and home (<prefix>-<tag>). */
  prefix: string;
  signal?: AbortSignal;
  log: (s: string) => void;
}

export interface SoakResult {
  options: Omit<SoakOptions, 'signal' | 'log'>;
  abusedMs: number;
  tally: TallyJson;
  service: ServiceFigures;
  cluster: ClusterFigures;
  processes: ProcessFigures;
  lag: LagFigures;
  /** When the soak's monitors started (epoch ms): `atMs` figures count from here. */
  startedAt: number;
  events: AbuseEvent[];
  machine: { cpus: number; loadBefore: number[]; loadAfter: number[]; otherSuites: boolean };
  broken: string[];
  /** Where the components' logs were kept when something broke. */
  logs?: string;
}

/** Whether another test suite runs on this machine meanwhile (their figures say so). */
function otherSuitesRunning(): boolean {
  try {
    return execFileSync('pgrep', ['-f', 'run-tests.mjs|node --test|--test '], { encoding: 'utf8' }).trim().length > 0;
  } catch {
    return false;
  }
}

function abuseConfig(c: SoakCluster, p: Awaited<ReturnType<typeof prepare>>, o: SoakOptions): AbuseConfig {
  return {
    server: c.server,
    grpcServer: c.grpcServer,
    ca: c.ca,
    admin: { name: 'kubernetes-admin', token: c.adminToken },
    users: p.users,
    serviceAccount: p.serviceAccount,
    floodNamespace: NS.flood,
    fuzzNamespace: NS.fuzz,
    kinds: o.kinds,
    seed: o.seed,
    floodWorkers: o.floodWorkers,
  };
}

/** Runs the abusers for `ms` (or until aborted); their tally. */
async function abuse(config: AbuseConfig, ms: number, o: { signal?: AbortSignal; log: (s: string) => void; processes: ProcessMonitor }): Promise<{ tally: TallyJson; events: AbuseEvent[] }> {
  const { signal, log } = o;
  const child = fork(join(repoRoot, 'test', 'soak', 'abusers', 'main.ts'), [], { cwd: repoRoot, execArgv: ['--import', 'tsx'], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  if (child.pid) o.processes.measure('abusers', child.pid);
  let tally: TallyJson = new Tally().kinds;
  let events: AbuseEvent[] = [];
  const done = new Promise<void>((resolve) => {
    child.on('message', (m: { type: string; tally: TallyJson; events?: AbuseEvent[] }) => {
      tally = m.tally;
      events = m.events ?? events;
      if (m.type === 'done') resolve();
    });
    child.once('exit', () => resolve());
  });
  child.send(config);
  const started = Date.now();
  const progress = setInterval(() => {
    const t = tally;
    log(`  ${Math.round((Date.now() - started) / 1000)} s: ${Object.entries(t).filter(([, k]) => k.requests).map(([n, k]) => `${n} ${k.requests}`).join(', ')}; 429s ${t.flood.outcomes['429'] ?? 0}`);
  }, 30_000);
  await new Promise<void>((resolve) => {
    const timer = setTimeout(resolve, ms);
    signal?.addEventListener('abort', () => (clearTimeout(timer), resolve()), { once: true });
  });
  clearInterval(progress);
  if (child.connected) child.send('stop');
  const killer = setTimeout(() => child.kill('SIGKILL'), 45_000);
  await done;
  clearTimeout(killer);
  if (child.exitCode === null) child.kill('SIGKILL');
  return { tally, events };
}

export async function runSoak(o: SoakOptions): Promise<SoakResult> {
  const loadBefore = loadavg();
  const otherBefore = otherSuitesRunning();
  const cluster = await upCluster({ agents: o.agents, prefix: o.prefix, log: o.log });
  try {
    const prepared = await prepare(cluster, o.replicas);
    o.log(`workload Ready: ${o.replicas} × hello behind ${prepared.vip}:80; abusing for ${o.seconds} s: ${o.kinds.join(', ')} (seed ${o.seed})`);
    const admin = new ApiClient(cluster.server, cluster.ca, { name: 'monitor', token: cluster.adminToken });
    const processes = new ProcessMonitor(cluster.home);
    const service = new ServiceMonitor(`http://${prepared.vip}/`);
    const state = new ClusterMonitor(admin);
    const lag = new LagMonitor(admin);
    const startedAt = Date.now();
    await state.start();
    lag.start();
    processes.start();
    service.start();
    const started = Date.now();
    const { tally, events } = await abuse(abuseConfig(cluster, prepared, o), o.seconds * 1000, { signal: o.signal, log: o.log, processes });
    const abusedMs = Date.now() - started;
    const result: SoakResult = {
      options: { seconds: o.seconds, seed: o.seed, kinds: o.kinds, agents: o.agents, replicas: o.replicas, floodWorkers: o.floodWorkers, prefix: o.prefix },
      abusedMs,
      tally,
      service: await service.stop(),
      cluster: await state.stop(),
      processes: processes.stop(),
      lag: lag.stop(),
      startedAt,
      events,
      machine: { cpus: cpus().length, loadBefore, loadAfter: loadavg(), otherSuites: otherBefore || otherSuitesRunning() },
      broken: [],
    };
    admin.close();
    result.broken = brokenInvariants(result);
    if (result.broken.length) result.logs = cluster.saveLogs();
    return result;
  } catch (e) {
    o.log(`the soak failed; component logs kept in ${cluster.saveLogs()}`);
    throw e;
  } finally {
    await cluster.down();
  }
}
