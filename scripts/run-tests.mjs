#!/usr/bin/env node
// Runs every test of the repository: the unit tests, then the suites in test/, and closes with
// a summary of all runs. Unit tests sit beside the code (packages/*/src/**/*.test.ts); suites
// that start etcd, Docker or several processes live in test/. Each suite file runs in a
// `node --test` run of its own so that its time (setup and teardown included) can be printed:
// CI's limit is the sum of the stretches below.
//   --unit         only the unit tests
//   --integration  only test/
//   any other argument: a substring a test file's path must contain
// K8TS_TEST_LANES=N runs N files of test/integration at once (default 2; 1 runs them one by one).
// Those suites start their own etcd, apiserver and Docker networks with free ports, random
// ranges and chain prefixes of their own, and mostly wait on timers and containers, so two at a
// time share the two cores well. test/e2e files each bring up a whole cluster and run one at a
// time: two at once (2026-12-07) took 789 s instead of about 713 s one by one, at load 20–26.
import { readdirSync, statSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const root = join(fileURLToPath(import.meta.url), '..', '..');
const args = process.argv.slice(2);
const unitOnly = args.includes('--unit');
const integrationOnly = args.includes('--integration');
const filters = args.filter((a) => !a.startsWith('--'));
const lanes = Math.max(1, Number(process.env.K8TS_TEST_LANES ?? 2) || 1);

function walk(dir, out = []) {
  for (const name of readdirSync(dir)) {
    if (name === 'node_modules' || name.startsWith('.')) continue;
    const p = join(dir, name);
    if (statSync(p).isDirectory()) walk(p, out);
    else if (name.endsWith('.test.ts')) out.push(p);
  }
  return out;
}

const unit = walk(join(root, 'packages'));
const integration = walk(join(root, 'test')).filter((p) => !p.includes(`${join('test', 'bench')}`));
let files = unitOnly ? unit : integrationOnly ? integration : [...unit, ...integration];
if (filters.length) files = files.filter((f) => filters.some((s) => relative(root, f).includes(s)));
if (files.length === 0) {
  console.error('no test files matched');
  process.exit(1);
}
const isE2e = (f) => relative(root, f).startsWith(`test${sep}e2e${sep}`);
const unitFiles = files.filter((f) => !integration.includes(f));
const suiteFiles = files.filter((f) => integration.includes(f) && !isE2e(f));
const e2eFiles = files.filter((f) => integration.includes(f) && isE2e(f));
// Each stretch runs its runs `lanes` at a time; the next stretch starts when it is done.
const stretches = [
  { lanes: 1, runs: unitFiles.length ? [{ files: unitFiles, concurrency: 2 }] : [] },
  { lanes, runs: suiteFiles.map((f) => ({ files: [f], concurrency: 1 })) },
  { lanes: 1, runs: e2eFiles.map((f) => ({ files: [f], concurrency: 1 })) },
].filter((s) => s.runs.length > 0);

const SUMMARY = /^# (tests|suites|pass|fail|cancelled|skipped|todo) (\d+)$/;
const totals = {};
const timings = [];
let failed = false;

/**
 * One `node --test` run. With one lane its output passes straight through; with more, each
 * run's output is held and printed whole when it ends, so two runs' lines never interleave.
 */
function runOne(run, passThrough) {
  const label = run.files.length === 1 ? relative(root, run.files[0]) : `${run.files.length} unit test files`;
  const started = Date.now();
  if (!passThrough) console.log(`# start ${label}`);
  return new Promise((resolve) => {
    const child = spawn(
      process.execPath,
      // A test that hangs fails after 15 min instead of holding CI until its own limit.
      ['--import', 'tsx', '--test', `--test-concurrency=${run.concurrency}`, '--test-timeout=900000', '--test-force-exit', ...run.files.map((f) => relative(root, f))],
      { cwd: root, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, TESTCONTAINERS_RYUK_DISABLED: 'true', TESTCONTAINERS_HOST_OVERRIDE: 'localhost' } },
    );
    const held = [];
    let rest = '';
    child.stderr.on('data', (b) => (passThrough ? process.stderr.write(b) : held.push(b)));
    child.stdout.on('data', (b) => {
      if (passThrough) process.stdout.write(b);
      else held.push(b);
      const lines = (rest + b.toString()).split('\n');
      rest = lines.pop() ?? '';
      for (const l of lines) {
        const m = SUMMARY.exec(l);
        if (m) totals[m[1]] = (totals[m[1]] ?? 0) + Number(m[2]);
      }
    });
    child.on('exit', (c, signal) => {
      const code = c ?? (signal ? 1 : 0);
      if (!passThrough) process.stdout.write(Buffer.concat(held));
      const seconds = (Date.now() - started) / 1000;
      timings.push({ label, seconds, code });
      console.log(`# run ${label}: ${code === 0 ? 'ok' : `failed (${code})`} in ${seconds.toFixed(1)} s`);
      if (code !== 0) failed = true;
      resolve();
    });
  });
}

const stretchTimes = [];
for (const stretch of stretches) {
  const started = Date.now();
  let next = 0;
  const alone = stretch.lanes === 1 || stretch.runs.length === 1;
  const lane = async () => {
    while (next < stretch.runs.length) await runOne(stretch.runs[next++], alone);
  };
  await Promise.all(Array.from({ length: Math.min(stretch.lanes, stretch.runs.length) }, lane));
  stretchTimes.push({ lanes: alone ? 1 : stretch.lanes, runs: stretch.runs.length, seconds: (Date.now() - started) / 1000 });
}
if (timings.length > 1) {
  console.log('# slowest runs:');
  for (const t of [...timings].sort((a, b) => b.seconds - a.seconds).slice(0, 15)) console.log(`#   ${t.seconds.toFixed(1).padStart(7)} s  ${t.label}${t.code === 0 ? '' : '  (failed)'}`);
  console.log(`#   ${timings.reduce((s, t) => s + t.seconds, 0).toFixed(1).padStart(7)} s  of runs in all`);
  for (const s of stretchTimes) console.log(`#   ${s.seconds.toFixed(1).padStart(7)} s  wall for ${s.runs} run(s), ${s.lanes} at a time`);
  console.log(`#   ${stretchTimes.reduce((a, s) => a + s.seconds, 0).toFixed(1).padStart(7)} s  wall in all`);
}
if (timings.length > 1) console.log(`# all runs: ${Object.entries(totals).map(([k, v]) => `${k} ${v}`).join(', ')}`);
process.exit(failed ? 1 : 0);
