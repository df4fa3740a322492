// runComponent as a process sees it: flags, token, exit codes, stop on SIGTERM.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { createRequire } from 'node:module';
import net from 'node:net';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { resolveComponentToken } from './component.js';

const componentModule = fileURLToPath(new URL('./component.ts', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'k8ts-component-'));
test.after(() => rmSync(dir, { recursive: true, force: true }));

// A component that prints what the entry gave it, then runs until stopped; --fail-start makes
// its start throw, --fail-stop its stop; it counts its starts on the entry's ops registry.
// --probe-exit reports, as the process exits, whether its ops port still takes connections.
const promClient = createRequire(import.meta.url).resolve('prom-client');
const script = join(dir, 'demo.mts');
writeFileSync(
  script,
  `import net from 'node:net';
import { runComponent } from ${JSON.stringify(componentModule)};
import prom from ${JSON.stringify(promClient)};
let opsPort = -1;
await runComponent<{ failStart?: boolean; failStop?: boolean; slowStart?: boolean; probeExit?: boolean }, { stop(): Promise<void> }>({
  name: 'demo',
  command: 'k8ts-demo',
  description: 'demo',
  opsPort: Number(process.env.DEMO_OPS_PORT ?? -1),
  flags: (cmd) => cmd.option('--fail-start').option('--fail-stop').option('--slow-start').option('--probe-exit'),
  start: async ({ opts, server, token, ops, log }) => {
    if (opts.failStart) throw new Error('cannot start');
    const o = await ops();
    opsPort = o.port;
    new prom.Counter({ name: 'demo_starts_total', help: 'starts', registers: [o.registry] }).inc();
    if (opts.slowStart) {
      console.log(JSON.stringify({ starting: true, opsPort }));
      await new Promise((r) => setTimeout(r, 1000));
    }
    if (opts.probeExit) {
      const exit = process.exit.bind(process);
      process.exit = ((code?: number) => {
        const s = net.connect(opsPort, '127.0.0.1');
        const report = (open: boolean) => { s.destroy(); console.log(JSON.stringify({ opsOpenAtExit: open })); exit(code); };
        s.once('connect', () => report(true)).once('error', () => report(false));
      }) as typeof process.exit;
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

interface Demo {
  child: ChildProcess;
  /** Resolves with the first match of `re` in the output so far or to come. */
  waitFor(re: RegExp): Promise<RegExpMatchArray>;
  exited: Promise<Run>;
}

function spawnDemo(args: string[], env: Record<string, string> = {}): Demo {
  const full: NodeJS.ProcessEnv = { ...process.env, ...env };
  for (const k of ['K8TS_SERVER', 'K8TS_TOKEN', 'K8TS_TOKEN_FILE', 'DEMO_OPS_PORT']) if (!env[k]) delete full[k];
  const child = spawn(process.execPath, ['--import', 'tsx', script, ...args], { env: full, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  const waiters: { re: RegExp; resolve(m: RegExpMatchArray): void }[] = [];
  const timer = setTimeout(() => child.kill('SIGKILL'), 20_000);
  const onData = (b: Buffer) => {
    out += b.toString();
    for (const w of [...waiters]) {
      const m = out.match(w.re);
      if (m) waiters.splice(waiters.indexOf(w), 1), w.resolve(m);
    }
  };
  child.stdout!.on('data', onData);
  child.stderr!.on('data', onData);
  const exited = new Promise<Run>((resolve, reject) => {
    child.on('error', reject);
    child.on('exit', (code) => {
      clearTimeout(timer);
      for (const w of waiters) w.resolve(['']); // a test waiting for a line that never came fails on its content
      resolve({ code, out });
    });
  });
  const waitFor = (re: RegExp) => new Promise<RegExpMatchArray>((resolve) => {
    const m = out.match(re);
    if (m) resolve(m);
    else waiters.push({ re, resolve });
  });
  return { child, waitFor, exited };
}

function run(args: string[], opts: { env?: Record<string, string>; signalAfterReady?: NodeJS.Signals; readyLine?: string } = {}): Promise<Run> {
  const demo = spawnDemo(args, opts.env);
  const sig = opts.signalAfterReady;
  if (sig) void demo.waitFor(new RegExp(escape(opts.readyLine ?? '"ready":true'))).then(() => demo.child.kill(sig));
  return demo.exited;
}

const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** A port nothing listens on now. */
async function freePort(): Promise<number> {
  const srv = net.createServer();
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  const port = (srv.address() as net.AddressInfo).port;
  await new Promise((r) => srv.close(r));
  return port;
}

const refused = (port: number) =>
  new Promise<boolean>((resolve) => {
    const s = net.connect(port, '127.0.0.1');
    s.once('connect', () => (s.destroy(), resolve(false))).once('error', () => resolve(true));
  });

test('common flags reach the component; SIGTERM and SIGINT stop it with exit 0', async () => {
  const r = await run(['--server', '10.0.0.1:7000', '--token', 'abc', '--ops-port', '-1'], { signalAfterReady: 'SIGTERM' });
  assert.equal(r.code, 0, r.out);
  assert.match(r.out, /"ready":true,"server":"10.0.0.1:7000","opsPort":-1,"tokenLength":3/);
  assert.match(r.out, /"component":"demo".*"msg":"stopping"/);
  const port = await freePort();
  const i = await run([], { signalAfterReady: 'SIGINT', env: { K8TS_SERVER: '10.0.0.2:1', DEMO_OPS_PORT: String(port) } });
  assert.equal(i.code, 0, i.out);
  assert.match(i.out, new RegExp(`"server":"10.0.0.2:1","opsPort":${port},"tokenLength":-1`));
});

test('the ops server: healthz, metrics with the component label, readyz once started; closed on stop', async () => {
  const demo = spawnDemo(['--ops-port', '0', '--slow-start', '--probe-exit']);
  try {
    const port = Number((await demo.waitFor(/"starting":true,"opsPort":(\d+)/))[1]);
    assert.ok(port > 0);
    const healthz = await fetch(`http://127.0.0.1:${port}/healthz`);
    assert.deepEqual([healthz.status, await healthz.text()], [200, 'ok']);
    const starting = await fetch(`http://127.0.0.1:${port}/readyz`);
    assert.deepEqual([starting.status, await starting.text()], [503, 'not ready: started']);
    await demo.waitFor(/"ready":true/);
    assert.equal((await fetch(`http://127.0.0.1:${port}/readyz`)).status, 200);
    const metrics = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
    assert.match(metrics, /^demo_starts_total\{component="demo"\} 1$/m);
    assert.match(metrics, /^process_cpu_seconds_total\{component="demo"\} /m);
    assert.equal((await fetch(`http://127.0.0.1:${port}/nothing`)).status, 404);
    demo.child.kill('SIGTERM');
    const r = await demo.exited;
    assert.equal(r.code, 0, r.out);
    // Closed by the entry after the component stopped, before the process exits.
    assert.match(r.out, /"stopped":true[\s\S]*"opsOpenAtExit":false/);
    assert.ok(await refused(port));
  } finally {
    demo.child.kill('SIGKILL');
  }
});

test('--ops-port -1: no listener, the component still gets a registry', async () => {
  const port = await freePort();
  const demo = spawnDemo(['--ops-port', '-1'], { DEMO_OPS_PORT: String(port) });
  try {
    await demo.waitFor(/"ready":true,"server":"[^"]*","opsPort":-1/);
    assert.ok(await refused(port), 'the default port is not bound');
    demo.child.kill('SIGTERM');
    assert.equal((await demo.exited).code, 0);
  } finally {
    demo.child.kill('SIGKILL');
  }
});

test('an ops port in use fails the start with exit 1', async () => {
  const srv = net.createServer();
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  try {
    const r = await run(['--ops-port', String((srv.address() as net.AddressInfo).port)]);
    assert.equal(r.code, 1, r.out);
    assert.match(r.out, /EADDRINUSE[\s\S]*demo failed to start|demo failed to start[\s\S]*EADDRINUSE/);
  } finally {
    srv.close();
  }
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
