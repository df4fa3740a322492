// Issue 19's soak: a `k8ts up` cluster with its default settings (3 agents renewing their Leases
// every second, the controller-manager's node-monitor grace period of 4 s, the agent's stream to
// the apiserver as the first sign of a lost node) under the scheduler benchmark's load for
// --minutes (10): 1000 hollow nodes whose Leases this process renews every 10 s (kubemark's
// rhythm, as in scheduler.ts) and pods created 64 at a time as fast as the API takes them, bound
// by the cluster's own scheduler to hollow nodes, then deleted, round after round.
// It counts the real nodes wrongly turned NotReady: each time a node whose agent ran throughout
// had its Ready condition leave True or got the unreachable / not-ready taint (target 0). Beside
// it, per real node, the longest gap between two renewals of its Lease and the agent's stream
// drops the apiserver recorded, during the load and in the minute of the same cluster before it
// (the baseline).
// The hollow nodes have no agent and renew less often than the grace period, so the
// controller-manager rightly marks them unreachable; the bench's pods tolerate that (and select
// hollow nodes only, so the real agents start no containers for them).
//   node --import tsx test/bench/node-ready-soak.ts [--minutes 10] [--nodes 1000] [--pods 5000]
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { GrpcClient, Informer, NodesClient, keepIdleExchangeStreams } from '@k8ts/client';
import { AgentDisconnectedAtAnnotation, type KubeObject } from '@k8ts/api';
import { benchCli, runThenPurge } from './support/cli-cluster.js';
import { hollowNode } from './hollow-node.js';
import { codeIs, pool, retrying } from './support/calls.js';
import { processCpuSeconds } from './support/apiserver.js';
import { Home } from '../../packages/cli/src/home.js';
import { listProcesses, readPid } from '../../packages/cli/src/processes.js';

const args = process.argv.slice(2);
const arg = (name: string, def: number) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? Number(args[i + 1]) : def;
};
const MINUTES = arg('minutes', 10);
const N = arg('nodes', 1000);
const M = arg('pods', 5000);
const BASELINE_S = arg('baseline', 60);
const CONCURRENCY = 64;
const LEASE_RENEW_MS = 10_000;
const GRACE_S = 4;
const NS = 'soak';
const HOLLOW = 'k8ts.io/hollow';
const PREFIX = 'soak';
const GRPC_PORT = '19644';

const home = mkdtempSync(join(tmpdir(), 'k8ts-bench-soak-'));
const env = { ...process.env, K8TS_HOME: home, KUBECONFIG: join(home, 'kubeconfig') };
const cli = await benchCli(env);
const load = () => loadavg().map((l) => l.toFixed(1)).join(' ');
const clock = () => new Date().toISOString().slice(11, 19);

/** CPU seconds so far of each process `k8ts up` started (its pid files), by name. */
function clusterCpu(): Map<string, number> {
  const out = new Map<string, number>();
  const h = new Home(home);
  for (const name of listProcesses(h)) {
    const pid = readPid(h, name);
    try {
      if (pid !== undefined) out.set(name, processCpuSeconds(pid));
    } catch {
      // a process that is gone counts nothing
    }
  }
  return out;
}

/** Each process's share of a core between two clusterCpu() readings, busiest first. */
function cpuShares(a: Map<string, number>, b: Map<string, number>, seconds: number): string {
  return [...b]
    .map(([k, v]) => [k, (v - (a.get(k) ?? v)) / seconds] as const)
    .sort((x, y) => y[1] - x[1])
    .map(([k, v]) => `${k} ${(v * 100).toFixed(0)} %`)
    .join(', ');
}

function soakPod(name: string): KubeObject {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, namespace: NS, labels: { app: 'soak' } },
    spec: {
      nodeSelector: { [HOLLOW]: 'true' },
      // Hollow nodes are unreachable (no agent renews within the grace period): stay anyway.
      tolerations: [{ operator: 'Exists' }],
      containers: [{ name: 'c', image: 'k8ts/pause', resources: { requests: { cpu: '10m', memory: '16Mi' } } }],
    },
  };
}

const readyOf = (n: KubeObject) => ((n as any).status?.conditions ?? []).find((c: any) => c.type === 'Ready')?.status as string | undefined;
const lostTaint = (n: KubeObject) =>
  ((n as any).spec?.taints ?? []).find((t: any) => t.key === 'node.kubernetes.io/unreachable' || t.key === 'node.kubernetes.io/not-ready')?.key as string | undefined;

/** What the soak watches on each real node: NotReady turns, Lease renewal gaps and stream drops, per phase. */
class RealNodes {
  phase: 'baseline' | 'load' | 'after' = 'baseline';
  readonly turns: string[] = [];
  private readonly lastRenew = new Map<string, number>();
  private readonly lastDisconnect = new Map<string, string>();
  readonly maxGap = { baseline: new Map<string, number>(), load: new Map<string, number>() };
  readonly drops = { baseline: 0, load: 0 };
  private readonly wasBad = new Map<string, boolean>();

  constructor(readonly names: string[]) {}

  node(n: KubeObject): void {
    const name = n.metadata.name!;
    if (!this.names.includes(name)) return;
    const ready = readyOf(n);
    const taint = lostTaint(n);
    const bad = ready !== 'True' || !!taint;
    if (bad && !this.wasBad.get(name)) this.turns.push(`${clock()} ${name} (${this.phase}): Ready=${ready ?? 'absent'}${taint ? `, taint ${taint}` : ''}`);
    this.wasBad.set(name, bad);
  }

  lease(l: KubeObject): void {
    const name = l.metadata.name!;
    if (!this.names.includes(name) || this.phase === 'after') return;
    const renew = Date.parse((l as any).spec?.renewTime ?? '');
    const prev = this.lastRenew.get(name);
    if (Number.isFinite(renew) && prev !== undefined && renew > prev) {
      const gaps = this.maxGap[this.phase];
      gaps.set(name, Math.max(gaps.get(name) ?? 0, renew - prev));
    }
    if (Number.isFinite(renew)) this.lastRenew.set(name, renew);
    const disconnect = l.metadata.annotations?.[AgentDisconnectedAtAnnotation] ?? '';
    const seen = this.lastDisconnect.get(name);
    if (seen !== undefined && disconnect && disconnect !== seen) this.drops[this.phase]++;
    this.lastDisconnect.set(name, disconnect);
  }

  gaps(phase: 'baseline' | 'load'): string {
    return this.names.map((n) => `${n} ${((this.maxGap[phase].get(n) ?? 0) / 1000).toFixed(2)} s`).join(', ');
  }
}

async function main(): Promise<void> {
  await cli('images');
  console.log(`load before: ${load()}`);
  await cli(
    'up', '--node-prefix', PREFIX, '--api-port', '19643', '--grpc-port', GRPC_PORT, '--etcd-port', '25479',
    '--network', 'k8ts-bench-soak', '--subnet', '10.217.0.0/16', '--service-range', '10.94.0.0/16', '--lb-pool', '10.225.0.0/24',
    '--ops-port-offset', '5000', '--ingress-port', '18480', '--registry-port', '15480', '--timeout', '240',
  );
  const token = readFileSync(join(home, 'tokens.csv'), 'utf8').split(',')[0]!;
  const tls = { server: `127.0.0.1:${GRPC_PORT}`, token, caFile: join(home, 'pki', 'ca.crt') };
  keepIdleExchangeStreams();
  const c = new GrpcClient(tls);
  const leases = new NodesClient(tls);
  let leasesStopped = false;
  const leaseTimers = new Set<NodeJS.Timeout>();
  const informers: Informer<KubeObject>[] = [];
  try {
    const real = new RealNodes((await c.list('nodes')).items.map((n) => n.metadata.name!).sort());
    console.log(`real nodes: ${real.names.join(', ')}`);
    const nodeInf = new Informer<KubeObject>(c, { resource: 'nodes' });
    nodeInf.addEventHandler({ onAdd: (n) => real.node(n), onUpdate: (_o, n) => real.node(n) });
    const leaseInf = new Informer<KubeObject>(c, { resource: 'leases', namespace: 'kube-node-lease' });
    leaseInf.addEventHandler({ onAdd: (l) => real.lease(l), onUpdate: (_o, l) => real.lease(l) });
    informers.push(nodeInf, leaseInf);
    for (const i of informers) i.start();
    for (const i of informers) await i.waitForSync();

    // The baseline: the same cluster with nothing but its own agents, before any load.
    console.log(`baseline: ${BASELINE_S} s with no load (${clock()})`);
    const idle0 = clusterCpu();
    await sleep(BASELINE_S * 1000);
    const cpuIdle = cpuShares(idle0, clusterCpu(), BASELINE_S);
    real.phase = 'load';

    const t0 = Date.now();
    const hollow = Array.from({ length: N }, (_, i) => {
      const n = hollowNode(i, true);
      n.metadata.labels = { ...n.metadata.labels, [HOLLOW]: 'true' };
      return n;
    });
    await pool(hollow, 32, async (n) => {
      await retrying(() => c.create('nodes', n), codeIs(409));
      await retrying(() => leases.renewLease(n.metadata.name!, 40));
    });
    const renew = (name: string, delay: number) => {
      const timer = setTimeout(async () => {
        leaseTimers.delete(timer);
        await leases.renewLease(name, 40).catch(() => undefined);
        if (!leasesStopped) renew(name, LEASE_RENEW_MS);
      }, delay);
      leaseTimers.add(timer);
    };
    hollow.forEach((n, i) => renew(n.metadata.name!, (i * LEASE_RENEW_MS) / N));
    console.log(`${N} hollow nodes with leases in ${((Date.now() - t0) / 1000).toFixed(1)} s (${clock()}, load ${load()})`);

    await retrying(() => c.create('namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: NS } }), codeIs(409));
    const bound = new Set<string>();
    const podInf = new Informer<KubeObject>(c, { resource: 'pods', namespace: NS, fieldSelector: 'spec.nodeName!=' });
    podInf.addEventHandler({ onAdd: (p) => void bound.add(p.metadata.name!), onUpdate: (_o, p) => void bound.add(p.metadata.name!) });
    informers.push(podInf);
    podInf.start();
    await podInf.waitForSync();

    const cpu0 = clusterCpu();
    const l0 = Date.now();
    const deadline = t0 + MINUTES * 60_000;
    let round = 0;
    let podsBound = 0;
    while (Date.now() < deadline) {
      round++;
      const names = Array.from({ length: M }, (_, i) => `r${round}-${i}`);
      const r0 = Date.now();
      await pool(names, CONCURRENCY, (n) => retrying(() => c.create('pods', soakPod(n)), codeIs(409)));
      const created = Date.now();
      while (names.some((n) => !bound.has(n))) {
        if (Date.now() - r0 > 300_000) throw new Error(`round ${round}: only ${names.filter((n) => bound.has(n)).length}/${M} bound after 5 minutes`);
        await sleep(100);
      }
      const allBound = Date.now();
      podsBound += M;
      await pool(names, CONCURRENCY, (n) => retrying(() => c.delete('pods', NS, n, { gracePeriodSeconds: 0 }), codeIs(404)));
      for (const n of names) bound.delete(n);
      const secs = (a: number, b: number) => ((b - a) / 1000).toFixed(1);
      console.log(`  ${clock()} round ${round}: ${M} created in ${secs(r0, created)} s, all bound ${secs(r0, allBound)} s after the first create (${((M * 1000) / (allBound - r0)).toFixed(0)} pods/s), deleted in ${secs(allBound, Date.now())} s; load ${load()}; real nodes turned NotReady so far: ${real.turns.length}`);
    }
    real.phase = 'after';
    const cpuLoad = cpuShares(cpu0, clusterCpu(), (Date.now() - l0) / 1000);
    const minutes = (Date.now() - t0) / 60_000;

    console.log(`\nnode-ready soak: ${minutes.toFixed(1)} min of the scheduler benchmark's load (${N} hollow nodes renewing every ${LEASE_RENEW_MS / 1000} s, ${round} rounds of ${M} pods created ${CONCURRENCY} at a time, bound, deleted: ${podsBound} pods bound) on a \`k8ts up\` cluster with default settings (grace period ${GRACE_S} s)`);
    console.log(`  longest gap between two Lease renewals, per real node: under load ${real.gaps('load')}; baseline (${BASELINE_S} s before the load) ${real.gaps('baseline')}`);
    console.log(`  CPU of the cluster's processes (share of one core) during the rounds: ${cpuLoad}; baseline: ${cpuIdle}`);
    console.log(`  agent streams dropped (the apiserver's disconnect mark on the Lease): under load ${real.drops.load}, baseline ${real.drops.baseline}`);
    for (const t of real.turns) console.log(`  NotReady: ${t}`);
    console.log(`  real nodes wrongly turned NotReady: ${real.turns.length} (target 0: ${real.turns.length === 0 ? 'met' : 'NOT met'}); load at the end ${load()}`);
  } finally {
    leasesStopped = true;
    for (const t of leaseTimers) clearTimeout(t);
    for (const i of informers) await i.stop();
    leases.close();
    c.close();
  }
}

runThenPurge(main, cli, () => rmSync(home, { recursive: true, force: true }));
