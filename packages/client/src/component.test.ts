// runComponent as a process sees it: flags, token, exit codes, stop on SIGTERM.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { resolveComponentToken } from './component.js';

const componentModule = fileURLToPath(new URL('./component.ts', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'k8ts-component-'));
test.after(() => rmSync(dir, { recursive: true, force: true }));

// A component that prints what the entry gave it, then runs until stopped; --fail-start makes
// its start throw, --fail-stop its stop.
const script = join(dir, 'demo.mts');
writeFileSync(
  script,
  `import { runComponent } from ${JSON.stringify(componentModule)};
await runComponent<{ failStart?: boolean; failStop?: boolean; slowStart?: boolean }, { stop(): Promise<void> }>({
  name: 'demo',
  command: 'k8ts-demo',
  description: 'demo',
  opsPort: 10999,
  flags: (cmd) => cmd.option('--fail-start').option('--fail-stop').option('--slow-start'),
  start: async ({ opts, server, token, opsPort, log }) => {
    if (opts.failStart) throw new Error('cannot start');
    if (opts.slowStart) {
      console.log(JSON.stringify({ starting: true }));
      await new Promise((r) => setTimeout(r, 1000));
    }
    log.info({ server, opsPort }, 'started');
    console.log(JSON.stringify({ ready: true, server, opsPort, tokenLength: token?.length ?? -1 }));
    const keep = setInterval(() => {}, 1000);
    return { stop: async () => { clearInterval(keep); console.log(JSON.stringify({ stopped: true })); if (opts.failStop) throw new Error('cannot stop'); } };
  },
});
`,
);

interface Run {
  code: number | null;
  out: string;
}

function run(args: string[], opts: { env?: Record<string, string>; signalAfterReady?: NodeJS.Signals; readyLine?: string } = {}): Promise<Run> {
  return new Promise((resolve, reject) => {
    const env: NodeJS.ProcessEnv = { ...process.env, ...opts.env };
    for (const k of ['K8TS_SERVER', 'K8TS_TOKEN', 'K8TS_TOKEN_FILE']) if (!opts.env?.[k]) delete env[k];
    const child = spawn(process.execPath, ['--import', 'tsx', script, ...args], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    const timer = setTimeout(() => child.kill('SIGKILL'), 20_000);
    const onData = (b: Buffer) => {
      out += b.toString();
      if (opts.signalAfterReady && out.includes(opts.readyLine ?? '"ready":true')) {
        const sig = opts.signalAfterReady;
        opts.signalAfterReady = undefined;
        child.kill(sig);
      }
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.on('error', reject);
    child.on('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, out });
    });
  });
}

test('common flags reach the component; SIGTERM and SIGINT stop it with exit 0', async () => {
  const r = await run(['--server', '10.0.0.1:7000', '--token', 'abc', '--ops-port', '0'], { signalAfterReady: 'SIGTERM' });
  assert.equal(r.code, 0, r.out);
  assert.match(r.out, /"ready":true,"server":"10.0.0.1:7000","opsPort":0,"tokenLength":3/);
  assert.match(r.out, /"component":"demo".*"msg":"stopping"/);
  const i = await run([], { signalAfterReady: 'SIGINT', env: { K8TS_SERVER: '10.0.0.2:1' } });
  assert.equal(i.code, 0, i.out);
  assert.match(i.out, /"server":"10.0.0.2:1","opsPort":10999,"tokenLength":-1/);
});

test('a signal during the start stops the component once it is up', async () => {
  const r = await run(['--slow-start'], { signalAfterReady: 'SIGTERM', readyLine: '"starting":true' });
  assert.equal(r.code, 0, r.out);
  // pino writes asynchronously: its line may come after console.log's.
  assert.match(r.out, /"ready":true[\s\S]*"stopped":true/);
  assert.match(r.out, /"signal":"SIGTERM","msg":"stopping"/);
});

test('the token file is read, trimmed and never written to the logs', async () => {
  const secret = 'sekrit-' + 'x'.repeat(20);
  const file = join(dir, 'token');
  writeFileSync(file, `${secret}\n`);
  const r = await run(['--token-file', file], { signalAfterReady: 'SIGTERM' });
  assert.equal(r.code, 0, r.out);
  assert.match(r.out, new RegExp(`"tokenLength":${secret.length}`));
  assert.ok(!r.out.includes(secret));
});

test('exit 2 for an unreadable token file or a bad --ops-port, 1 when start or stop fails', async () => {
  const missing = await run(['--token-file', join(dir, 'absent')]);
  assert.equal(missing.code, 2, missing.out);
  assert.match(missing.out, /cannot read --token-file .*absent: ENOENT/);
  const port = await run(['--ops-port', 'x']);
  assert.equal(port.code, 2, port.out);
  assert.match(port.out, /--ops-port must be an integer, got x/);
  const start = await run(['--fail-start']);
  assert.equal(start.code, 1, start.out);
  assert.match(start.out, /demo failed to start/);
  const stop = await run(['--fail-stop'], { signalAfterReady: 'SIGTERM' });
  assert.equal(stop.code, 1, stop.out);
  assert.match(stop.out, /stop failed/);
});

test('token precedence: --token-file, --token, K8TS_TOKEN_FILE, K8TS_TOKEN', () => {
  const f1 = join(dir, 't1');
  const f2 = join(dir, 't2');
  writeFileSync(f1, 'from-flag-file');
  writeFileSync(f2, ' from-env-file \n');
  const env = { K8TS_TOKEN_FILE: f2, K8TS_TOKEN: 'from-env' };
  assert.equal(resolveComponentToken({ tokenFile: f1, token: 'flag' }, env), 'from-flag-file');
  assert.equal(resolveComponentToken({ token: 'flag' }, env), 'flag');
  assert.equal(resolveComponentToken({}, env), 'from-env-file');
  assert.equal(resolveComponentToken({}, { K8TS_TOKEN: 'from-env' }), 'from-env');
  assert.equal(resolveComponentToken({}, {}), undefined);
});
