#!/usr/bin/env node
// Runs every test of the repository in one `node --test` run so the closing summary covers
// all of them. Unit tests sit beside the code (packages/*/src/**/*.test.ts); suites that
// start etcd, Docker or several processes live in test/ and run one file at a time so they
// do not fight over the Docker engine.
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
const concurrency = files.some((f) => integration.includes(f)) ? 1 : 2;
const child = spawn(
  process.execPath,
  ['--import', 'tsx', '--test', `--test-concurrency=${concurrency}`, '--test-force-exit', ...files.map((f) => relative(root, f))],
  { cwd: root, stdio: 'inherit', env: { ...process.env, TESTCONTAINERS_RYUK_DISABLED: 'true', TESTCONTAINERS_HOST_OVERRIDE: 'localhost' } },
);
child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
