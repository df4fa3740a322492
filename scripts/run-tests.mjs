#!/usr/bin/env node
// Runs every test of the repository: the unit tests in one `node --test` run, then the suites
// in test/ in another, and closes with a summary of both. Unit tests sit beside the code
// (packages/*/src/**/*.test.ts); suites that start etcd, Docker or several processes live in
// test/ and run one file at a time so they do not fight over the Docker engine.
//   --unit         only the unit tests
//   --integration  only test/
//   any other argument: a substring a test file's path must contain
import { readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const root = join(fileURLToPath(import.meta.url), '..', '..');
const args = process.argv.slice(2);
const unitOnly = args.includes('--unit');
const integrationOnly = args.includes('--integration');
const filters = args.filter((a) => !a.startsWith('--'));

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
// Unit tests run two files at a time; the suites in test/ one at a time after them, each in a
// run of its own so that its time (setup and teardown included) can be printed: CI's limit is
// the sum of them. Each run's summary is read as it passes by, and they are added up at the end.
const suites = files.filter((f) => integration.includes(f));
const runs = [
  { files: files.filter((f) => !integration.includes(f)), concurrency: 2 },
  ...suites.map((f) => ({ files: [f], concurrency: 1 })),
].filter((r) => r.files.length > 0);
const SUMMARY = /^# (tests|suites|pass|fail|cancelled|skipped|todo) (\d+)$/;
const totals = {};
const timings = [];
let failed = false;
for (const run of runs) {
  const started = Date.now();
  const code = await new Promise((resolve) => {
    const child = spawn(
      process.execPath,
      // A test that hangs fails after 15 min instead of holding CI until its own limit.
      ['--import', 'tsx', '--test', `--test-concurrency=${run.concurrency}`, '--test-timeout=900000', '--test-force-exit', ...run.files.map((f) => relative(root, f))],
      { cwd: root, stdio: ['inherit', 'pipe', 'inherit'], env: { ...process.env, TESTCONTAINERS_RYUK_DISABLED: 'true', TESTCONTAINERS_HOST_OVERRIDE: 'localhost' } },
    );
    let rest = '';
    child.stdout.on('data', (b) => {
      process.stdout.write(b);
      const lines = (rest + b.toString()).split('\n');
      rest = lines.pop() ?? '';
      for (const l of lines) {
        const m = SUMMARY.exec(l);
        if (m) totals[m[1]] = (totals[m[1]] ?? 0) + Number(m[2]);
      }
    });
    child.on('exit', (c, signal) => resolve(c ?? (signal ? 1 : 0)));
  });
  const label = run.files.length === 1 ? relative(root, run.files[0]) : `${run.files.length} unit test files`;
  timings.push({ label, seconds: (Date.now() - started) / 1000, code });
  console.log(`# run ${label}: ${code === 0 ? 'ok' : `failed (${code})`} in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  if (code !== 0) failed = true;
}
if (timings.length > 1) {
  console.log('# slowest runs:');
  for (const t of [...timings].sort((a, b) => b.seconds - a.seconds).slice(0, 15)) console.log(`#   ${t.seconds.toFixed(1).padStart(7)} s  ${t.label}${t.code === 0 ? '' : '  (failed)'}`);
  console.log(`#   ${timings.reduce((s, t) => s + t.seconds, 0).toFixed(1).padStart(7)} s  in all`);
}
if (runs.length > 1) console.log(`# all runs: ${Object.entries(totals).map(([k, v]) => `${k} ${v}`).join(', ')}`);
process.exit(failed ? 1 : 0);
