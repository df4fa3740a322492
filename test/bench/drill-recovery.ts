// Recovery figures of the agent-kill and node-loss drills (p50 and max over --runs each) and
// the time from `k8ts up` to all nodes Ready, on an embedded cluster of its own (own home,
// ports, network and node names), everything through the real CLI as a user runs it.
// Baselines from the same run: for recovery, the cold start of the drill's own workload
// (Deployment created → all replicas Ready, measured inside each drill); for `up`, the bare
// start of the same processes' runtimes (etcd healthy plus every component's compiled module
// graph loaded with --help, in parallel): what `up` costs before any cluster logic runs. The
// CLI and the components run compiled, as `pnpm k8ts` runs them. Then the same drills on
// `k8ts up --machines 3` (node-loss there powers a machine off), unless --no-machines.
//   node --import tsx test/bench/drill-recovery.ts [--runs 5] [--no-machines]
import { execFile, spawn } from 'node:child_process';
import { promisify } from 'node:util';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir, loadavg } from 'node:os';
import { join } from 'node:path';
import { freePort } from '../support/ports.js';
import { componentArgs } from './support/component.js';
import { benchCli, runThenPurge } from './support/cli-cluster.js';

const run = promisify(execFile);
const RUNS = Number(process.argv[process.argv.indexOf('--runs') + 1]) || 5;
const NO_MACHINES = process.argv.includes('--no-machines');
const root = join(import.meta.dirname, '..', '..');
const home = mkdtempSync(join(tmpdir(), 'k8ts-bench-drill-'));
const prefix = 'bd';
const env = { ...process.env, K8TS_HOME: home };
const cli = await benchCli(env);
const sec = (ms: number) => `${(ms / 1000).toFixed(2)} s`;
const load = () => loadavg().map((l) => l.toFixed(1)).join(' ');
function pct(xs: number[], p: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil((p / 100) * s.length) - 1))]!;
}


const upArgs = ['up', '--agents', '3', '--node-prefix', prefix, '--api-port', '18543', '--grpc-port', '18544', '--etcd-port', '24379', '--network', 'k8ts-bench-drill', '--subnet', '10.221.0.0/16', '--service-range', '10.97.0.0/16', '--lb-pool', '10.222.0.0/24', '--ops-port-offset', '3000'];

/** etcd healthy + every component's modules loaded (compiled, --help), all in parallel. */
async function bareStart(): Promise<number> {
  const dir = mkdtempSync(join(tmpdir(), 'k8ts-bench-etcd-'));
  const [c, p] = [await freePort(), await freePort()];
  const t0 = Date.now();
  const etcd = spawn('etcd', ['--data-dir', dir, '--listen-client-urls', `http://127.0.0.1:${c}`, '--advertise-client-urls', `http://127.0.0.1:${c}`, '--listen-peer-urls', `http://127.0.0.1:${p}`, '--initial-advertise-peer-urls', `http://127.0.0.1:${p}`, '--initial-cluster', `default=http://127.0.0.1:${p}`], { stdio: 'ignore' });
  try {
    const pkgs = ['apiserver', 'scheduler', 'scheduler', 'controller-manager', 'controller-manager', 'dns', 'proxy', 'agent', 'agent', 'agent'];
    await Promise.all([
      (async () => {
        for (;;) {
          const ok = await fetch(`http://127.0.0.1:${c}/health`).then((r) => r.ok, () => false);
          if (ok) return;
          await new Promise((r) => setTimeout(r, 100));
        }
      })(),
      ...pkgs.map(async (pkg) => run(process.execPath, [...(await componentArgs(pkg)), '--help'], { cwd: root })),
    ]);
    return Date.now() - t0;
  } finally {
    etcd.kill('SIGKILL');
    await new Promise((r) => etcd.once('exit', r));
    rmSync(dir, { recursive: true, force: true });
  }
}

async function timedUp(): Promise<number> {
  const t0 = Date.now();
  const { stdout } = await cli(...upArgs);
  if (!/k8ts is up/.test(stdout)) throw new Error(`up did not finish: ${stdout}`);
  return Date.now() - t0;
}

interface Fig {
  recover: number;
  detect: number;
  cold: number;
  failedShare: number;
}

async function drill(scenario: string, i: number): Promise<Fig> {
  const out = join(home, 'reports', `${scenario}-${i}`);
  await cli('drill', scenario, '--out', out).catch((e) => {
    throw new Error(`drill ${scenario} run ${i} failed: ${e.stdout ?? ''}${e.stderr ?? ''}`);
  });
  const r = JSON.parse(readFileSync(join(out, 'report.json'), 'utf8'));
  if (!r.passed) throw new Error(`drill ${scenario} run ${i}: checks failed: ${JSON.stringify(r.checks)}`);
  const marks = r.timeline as { t: number; kind: string }[];
  const first = (k: string) => marks.find((m) => m.t >= 0 && m.kind === k)?.t;
  const evict = first('eviction');
  const bound = marks.filter((m) => m.kind === 'scheduled' && m.t >= 0).at(-1)?.t;
  console.log(
    `  ${scenario} run ${i}: recovered ${sec(r.timeToRecoverMs)} (NotReady ${sec(r.timeToDetectMs)}, first eviction ${evict !== undefined ? sec(evict) : '-'}, last bound ${bound !== undefined ? sec(bound) : '-'}), cold start ${sec(r.coldStartMs)}, Service failures ${(r.service.failedShare * 100).toFixed(1)} %; load ${load()}`,
  );
  return { recover: r.timeToRecoverMs, detect: r.timeToDetectMs, cold: r.coldStartMs, failedShare: r.service.failedShare };
}

async function main(): Promise<void> {
  await cli('images');
  console.log(`load before: ${load()}`);
  const bare1 = await bareStart();
  const up1 = await timedUp();
  console.log(`k8ts up (fresh home) → 3 Ready nodes: ${sec(up1)}; bare start of the same runtimes ${sec(bare1)}; load ${load()}`);
  const results: Record<string, Fig[]> = { 'agent-kill': [], 'node-loss': [] };
  for (let i = 1; i <= RUNS; i++) for (const s of Object.keys(results)) results[s]!.push(await drill(s, i));
  await cli('down');
  const bare2 = await bareStart();
  const up2 = await timedUp();
  console.log(`k8ts up (state kept) → 3 Ready nodes: ${sec(up2)}; bare start ${sec(bare2)}; load ${load()}`);
  await cli('down', '--purge');

  // The same drills on three machines (a namespace, LAN link and Docker engine each): node-loss
  // powers a machine off, engine and every container with it.
  const machines: Record<string, Fig[]> = { 'agent-kill': [], 'node-loss': [] };
  if (!NO_MACHINES) {
    const t0 = Date.now();
    await cli(...upArgs, '--machines', '3');
    console.log(`k8ts up --machines 3 → 3 Ready nodes: ${sec(Date.now() - t0)}; load ${load()}`);
    for (let i = 1; i <= RUNS; i++) for (const s of Object.keys(machines)) machines[s]!.push(await drill(s, i));
  }

  console.log('');
  console.log(`drill recovery over ${RUNS} runs each (fault → replicas Ready on the other nodes; 4 replicas on 3 nodes; defaults: node grace 4 s, disconnect grace 1 s, toleration 2 s):`);
  const report = (layout: string, res: Record<string, Fig[]>) => {
    for (const [s, figs] of Object.entries(res)) {
      if (!figs.length) continue;
      const rec = figs.map((f) => f.recover);
      const cold = pct(figs.map((f) => f.cold), 50);
      console.log(
        `  ${layout.padEnd(13)} ${s.padEnd(11)} p50 ${sec(pct(rec, 50))}  max ${sec(Math.max(...rec))}  (target p50 <= 5 s, max <= 8 s)   detect p50 ${sec(pct(figs.map((f) => f.detect), 50))}   baseline cold start p50 ${sec(cold)}   recovery/cold start ${(pct(rec, 50) / cold).toFixed(2)}x   Service failures max ${(Math.max(...figs.map((f) => f.failedShare)) * 100).toFixed(1)} %`,
      );
    }
  };
  report('single engine', results);
  report('3 machines', machines);
  console.log(`k8ts up → Ready: ${sec(up1)} fresh, ${sec(up2)} with state (target <= 15 s); bare runtime start ${sec(bare1)} / ${sec(bare2)}: up/bare ${(up1 / bare1).toFixed(2)}x / ${(up2 / bare2).toFixed(2)}x`);
  console.log(`load at the end: ${load()}`);
}

runThenPurge(main, cli);
