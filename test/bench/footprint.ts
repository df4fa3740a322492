// Resident memory of every process of an embedded cluster and the time of `k8ts up`, with the
// components compiled (as k8ts runs them) and, as the baseline in the same run, with their
// TypeScript run through tsx (K8TS_FROM_SOURCE=1, how every component ran before `pnpm build`).
// Each round: `k8ts up` in a fresh home (own ports, network and node names) → 3 Ready nodes,
// the sample workload (deploy/examples/nginx.yaml) Ready, --idle seconds of quiet, then each
// process's VmRSS from /proc; then `k8ts down --purge`. Modes alternate, tsx first.
//   node --import tsx test/bench/footprint.ts [--rounds 2] [--idle 20]
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { cpSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir, loadavg } from 'node:os';
import { join } from 'node:path';
import { componentArgs } from './support/component.js';
import { processCpuSeconds } from './support/apiserver.js';
import { Home } from '../../packages/cli/src/home.js';
import { listProcesses, readPid } from '../../packages/cli/src/processes.js';

const run = promisify(execFile);
const arg = (name: string, def: number) => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : def;
};
const ROUNDS = arg('rounds', 2);
const IDLE_S = arg('idle', 20);
const root = join(import.meta.dirname, '..', '..');
const prefix = 'fp';
const upArgs = ['up', '--agents', '3', '--node-prefix', prefix, '--api-port', '19543', '--grpc-port', '19544', '--etcd-port', '25379', '--network', 'k8ts-bench-fp', '--subnet', '10.223.0.0/16', '--service-range', '10.100.0.0/16', '--lb-pool', '10.224.0.0/24', '--ops-port-offset', '4000'];
const cliEntry = await componentArgs('cli');
const load = () => loadavg().map((l) => l.toFixed(1)).join(' ');

type Mode = 'tsx' | 'compiled';
interface Round {
  upMs: number;
  /** CPU seconds the cluster's Node processes had used when `up` returned: start-up's cost, less noisy than its time. */
  upCpuS: number;
  rss: Map<string, number>; // MiB by process name
}

/** Not Node processes (etcd, the cluster registry): shown, but left out of the Node totals and targets. */
const NOT_NODE = new Set(['etcd', 'registry']);
const pidsOf = (home: string) => {
  const h = new Home(home);
  return listProcesses(h)
    .sort()
    .map((name) => ({ name, pid: readPid(h, name)! }));
};

async function round(mode: Mode): Promise<Round> {
  const home = mkdtempSync(join(tmpdir(), 'k8ts-bench-fp-'));
  const env = { ...process.env, K8TS_HOME: home, KUBECONFIG: join(home, 'kubeconfig'), K8TS_FROM_SOURCE: mode === 'tsx' ? '1' : '0' };
  const cli = (...args: string[]) => run(process.execPath, [...cliEntry, ...args], { cwd: root, env, timeout: 600_000, maxBuffer: 1 << 24 });
  const kubectl = (...args: string[]) => run('kubectl', args, { cwd: root, env, timeout: 300_000 });
  try {
    const t0 = Date.now();
    const { stdout } = await cli(...upArgs);
    const upMs = Date.now() - t0;
    if (!/k8ts is up/.test(stdout)) throw new Error(`up did not finish: ${stdout}`);
    const upCpuS = pidsOf(home).filter((p) => !NOT_NODE.has(p.name)).reduce((sum, p) => sum + processCpuSeconds(p.pid), 0);
    await kubectl('apply', '-f', 'deploy/examples/nginx.yaml');
    await kubectl('-n', 'nginx', 'wait', '--for=condition=Ready', 'pods', '--all', '--timeout=240s');
    await new Promise((r) => setTimeout(r, IDLE_S * 1000));
    const rss = new Map<string, number>();
    for (const { name, pid } of pidsOf(home)) {
      const kb = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1];
      rss.set(name, Number(kb) / 1024);
    }
    console.log(`  ${mode.padEnd(8)} up → 3 Ready ${(upMs / 1000).toFixed(2)} s, Node processes' CPU by then ${upCpuS.toFixed(1)} s; RSS MiB ${[...rss].map(([n, m]) => `${n} ${m.toFixed(0)}`).join(', ')}; load ${load()}`);
    return { upMs, upCpuS, rss };
  } catch (e) {
    // The logs outlive the purge, to see why.
    const kept = mkdtempSync(join(tmpdir(), `k8ts-bench-fp-${mode}-failed-`));
    cpSync(join(home, 'logs'), kept, { recursive: true });
    console.error(`${mode} round failed; its logs are in ${kept}`);
    throw e;
  } finally {
    await cli('down', '--purge').catch((e) => console.error(`down failed: ${e.message}`));
    rmSync(home, { recursive: true, force: true });
  }
}

const results: Record<Mode, Round[]> = { tsx: [], compiled: [] };
console.log(`load before: ${load()}`);
for (let i = 0; i < ROUNDS; i++) for (const mode of ['tsx', 'compiled'] as const) results[mode].push(await round(mode));

/** Per process name without its number (scheduler-1 and -2 together; agents as "agent"). */
const kind = (name: string) => (name.startsWith(`${prefix}-`) ? 'agent' : name.replace(/-\d+$/, ''));
const byKind = (rounds: Round[]) => {
  const out = new Map<string, number[]>();
  for (const r of rounds) for (const [n, mib] of r.rss) out.set(kind(n), [...(out.get(kind(n)) ?? []), mib]);
  return out;
};
const span = (xs: number[]) => `${Math.min(...xs).toFixed(0)}–${Math.max(...xs).toFixed(0)}`;
const tsx = byKind(results.tsx);
const compiled = byKind(results.compiled);
console.log(`\nidle RSS (MiB, min–max over ${ROUNDS} round(s) and replicas) after ${IDLE_S} s with the sample workload, compiled vs tsx in the same run:`);
// Kubernetes v1.26 measured on this machine with nothing loaded (issue 19), and its targets for k8ts.
const KUBERNETES_IDLE_MIB: Record<string, number> = { 'kube-apiserver': 250, 'kube-controller-manager': 70, 'kube-scheduler': 49 };
const counterpart = (k: string) => (['apiserver', 'controller-manager', 'scheduler'].includes(k) ? `kube-${k}` : '');
const IDLE_TARGET_MIB = 70;
for (const [k, xs] of compiled) {
  const kube = KUBERNETES_IDLE_MIB[counterpart(k)];
  const target = k === 'apiserver' || NOT_NODE.has(k) ? '' : `   target ≤ ${IDLE_TARGET_MIB}: ${Math.max(...xs) <= IDLE_TARGET_MIB ? 'met' : 'NOT met'}`;
  console.log(`  ${k.padEnd(19)} compiled ${span(xs).padEnd(9)} tsx ${span(tsx.get(k) ?? [NaN]).padEnd(9)}${kube ? ` ${counterpart(k)} ≈ ${kube}` : ''}${target}`);
}
const total = (rounds: Round[]) => rounds.map((r) => [...r.rss].filter(([n]) => !NOT_NODE.has(n)).reduce((s, [, m]) => s + m, 0));
console.log(`  all Node processes  compiled ${span(total(results.compiled))} tsx ${span(total(results.tsx))}`);
console.log(`k8ts up → 3 Ready nodes (fresh home, images present): compiled ${results.compiled.map((r) => (r.upMs / 1000).toFixed(2)).join(' / ')} s, tsx ${results.tsx.map((r) => (r.upMs / 1000).toFixed(2)).join(' / ')} s`);
console.log(`CPU the components used to get there: compiled ${results.compiled.map((r) => r.upCpuS.toFixed(1)).join(' / ')} s, tsx ${results.tsx.map((r) => r.upCpuS.toFixed(1)).join(' / ')} s`);
console.log(`load at the end: ${load()}`);
