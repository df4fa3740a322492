// `k8ts drill SCENARIO`: one drill against the running cluster, progress through listr2, the
// report written to a directory whose path is printed. Ctrl-C ends the fault, removes the
// workload and exits (130); a second Ctrl-C exits at once.
import { Listr } from 'listr2';
import { join } from 'node:path';
import { Home } from '../home.js';
import { openTarget } from '../target/open.js';
import { runDrill, DrillAborted } from '../drill/run.js';
import { findScenario } from '../drill/scenarios.js';
import { writeReport } from '../drill/report.js';
import { secs, type DrillReport } from '../drill/report-types.js';

export interface DrillCliOptions {
  compose?: boolean;
  /** Compose project (default: the only one running, else the directory name). */
  project?: string;
  out?: string;
  replicas?: number;
  timeout?: number;
  keep?: boolean;
}

export function defaultReportDir(scenario: string, at = new Date()): string {
  return new Home().path('drills', `${at.toISOString().replace(/[:.]/g, '-')}-${scenario}`);
}

export async function drill(scenario: string, o: DrillCliOptions = {}): Promise<number> {
  const sc = findScenario(scenario);
  if (sc.composeOnly && !o.compose) throw new Error(`the ${scenario} drill needs the compose cluster (three etcd members; the embedded one has one): \`k8ts drill ${scenario} --compose\``);
  const target = await openTarget(o);
  const ac = new AbortController();
  const onSigint = () => {
    if (ac.signal.aborted) process.exit(130);
    console.error('\ninterrupted: undoing the fault and removing the drill workload (Ctrl-C again to leave at once)');
    ac.abort();
  };
  process.on('SIGINT', onSigint);
  let report: DrillReport | undefined;
  const tasks = new Listr(
    [
      {
        title: `drill ${scenario} on the ${target.kind} cluster`,
        task: async (_ctx, task) => {
          report = await runDrill({
            scenario,
            target,
            replicas: o.replicas,
            timeoutMs: o.timeout ? o.timeout * 1000 : undefined,
            keep: o.keep,
            signal: ac.signal,
            onStep: (s) => (task.output = s),
          });
          task.title = `drill ${scenario}: ${report.passed ? 'passed' : 'FAILED'}, detected in ${secs(report.timeToDetectMs)}, recovered in ${secs(report.timeToRecoverMs)}`;
        },
        rendererOptions: { outputBar: 1, persistentOutput: false },
      },
    ],
    { renderer: process.stdout.isTTY ? 'default' : 'simple', exitOnError: true, registerSignalListeners: false },
  );
  try {
    await tasks.run();
  } catch (e) {
    if (e instanceof DrillAborted || ac.signal.aborted) {
      console.error('drill interrupted: the fault is undone and the workload removed');
      return 130;
    }
    throw e;
  } finally {
    process.off('SIGINT', onSigint);
  }
  const r = report!;
  const files = writeReport(o.out ?? defaultReportDir(scenario, new Date(r.startedAt)), r);
  for (const c of r.checks) console.log(`${c.ok ? 'ok  ' : 'FAIL'} ${c.name}: ${c.detail}`);
  console.log(`report: ${files.dir} (report.md, report.json, report.html)`);
  console.log(join(files.dir, 'report.html'));
  return r.passed ? 0 : 1;
}
