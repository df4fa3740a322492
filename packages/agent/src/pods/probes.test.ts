import { test } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import net from 'node:net';
import { ProbeCounter, probeTiming, resolvePort, runProbe, ProbeWorker } from './probes.js';

test('thresholds: a result flips only after enough consecutive outcomes', () => {
  const c = new ProbeCounter(2, 3, false);
  assert.equal(c.record(true), undefined);
  assert.equal(c.record(true), true);
  assert.equal(c.record(false), undefined);
  assert.equal(c.record(false), undefined);
  assert.equal(c.record(true), undefined, 'a success resets the failure count');
  assert.equal(c.record(false), undefined);
  assert.equal(c.record(false), undefined);
  assert.equal(c.record(false), false);
  assert.equal(c.record(false), undefined, 'reported once');
});

test('timing defaults as Kubernetes: period 10 s, timeout 1 s, failure 3, success 1 (liveness forced to 1)', () => {
  assert.deepEqual(probeTiming({}, 'readiness'), { initialDelayMs: 0, periodMs: 10_000, timeoutMs: 1000, successThreshold: 1, failureThreshold: 3 });
  assert.equal(probeTiming({ successThreshold: 3 }, 'liveness').successThreshold, 1);
  assert.equal(probeTiming({ successThreshold: 3 }, 'readiness').successThreshold, 3);
});

test('named ports resolve through the container', () => {
  assert.equal(resolvePort('http', { name: 'c', ports: [{ name: 'http', containerPort: 8080 }] }), 8080);
  assert.equal(resolvePort(81, { name: 'c' }), 81);
  assert.throws(() => resolvePort('nope', { name: 'c' }));
});

test('httpGet: 2xx/3xx succeed, others fail with the code; tcpSocket; exec', async (t) => {
  const srv = http.createServer((req, res) => res.writeHead(req.url === '/ok' ? 200 : 503).end());
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', () => r()));
  t.after(() => srv.close());
  const port = (srv.address() as net.AddressInfo).port;
  const target = { containerId: 'x', podIP: '127.0.0.1', exec: async (cmd: string[]) => ({ exitCode: cmd[0] === 'true' ? 0 : 1, stdout: '', stderr: 'nope', timedOut: false }) };
  const c = { name: 'c' };
  assert.equal((await runProbe({ httpGet: { path: '/ok', port } }, c, target, 1000)).ok, true);
  const bad = await runProbe({ httpGet: { path: '/bad', port } }, c, target, 1000);
  assert.equal(bad.ok, false);
  assert.match(bad.message, /statuscode: 503/);
  assert.equal((await runProbe({ tcpSocket: { port } }, c, target, 1000)).ok, true);
  srv.close();
  const closed = await runProbe({ tcpSocket: { port } }, c, target, 1000);
  assert.equal(closed.ok, false);
  assert.equal((await runProbe({ exec: { command: ['true'] } }, c, target, 1000)).ok, true);
  assert.match((await runProbe({ exec: { command: ['false'] } }, c, target, 1000)).message, /exit code 1/);
});

test('a worker waits initialDelaySeconds, then reports flips on its period', async () => {
  let calls = 0;
  const results: boolean[] = [];
  const t0 = Date.now();
  let firstAt = 0;
  const w = new ProbeWorker({
    kind: 'readiness',
    probe: { exec: { command: ['x'] }, initialDelaySeconds: 1, periodSeconds: 1, failureThreshold: 1 },
    container: { name: 'c' },
    target: { containerId: 'x', podIP: '', exec: async () => { calls++; if (!firstAt) firstAt = Date.now(); return { exitCode: calls >= 2 ? 1 : 0, stdout: '', stderr: '', timedOut: false }; } },
    onResult: (ok) => results.push(ok),
  });
  await new Promise((r) => setTimeout(r, 2300));
  w.stop();
  assert.ok(firstAt - t0 >= 950, `first probe after the initial delay (${firstAt - t0} ms)`);
  assert.deepEqual(results, [true, false]);
});

test("ticks count from the pod's admission, as kubelet's ticker: a probe that failed at the start is retried at the next tick, not a whole period later", async () => {
  const at: number[] = [];
  const t0 = Date.now();
  let ready: boolean | undefined;
  const w = new ProbeWorker({
    kind: 'readiness',
    probe: { exec: { command: ['x'] }, periodSeconds: 1 },
    container: { name: 'c' },
    anchorMs: t0 - 700,
    target: { containerId: 'x', podIP: '', exec: async () => { at.push(Date.now() - t0); return { exitCode: at.length >= 2 ? 0 : 1, stdout: '', stderr: '', timedOut: false }; } },
    onResult: (ok) => (ready = ok),
  });
  await new Promise((r) => setTimeout(r, 600));
  w.stop();
  assert.ok(at[0]! < 100, `first probe at once (${at[0]} ms)`);
  assert.ok(at[1]! >= 250 && at[1]! < 500, `second at the tick 300 ms later (${at[1]} ms)`);
  assert.equal(ready, true);
});

test('trigger() probes at once without moving the ticks; a trigger during a probe runs after it', async () => {
  const at: number[] = [];
  const t0 = Date.now();
  const w = new ProbeWorker({
    kind: 'readiness',
    probe: { exec: { command: ['x'] }, periodSeconds: 1 },
    container: { name: 'c' },
    target: { containerId: 'x', podIP: '', exec: async () => { at.push(Date.now() - t0); await new Promise((r) => setTimeout(r, 50)); return { exitCode: 1, stdout: '', stderr: '', timedOut: false }; } },
    onResult: () => {},
  });
  w.trigger(); // while the first probe runs
  await new Promise((r) => setTimeout(r, 400));
  w.trigger();
  await new Promise((r) => setTimeout(r, 750));
  w.stop();
  assert.equal(at.length, 4, `probes at ${at.join(', ')} ms`);
  assert.ok(at[1]! >= 45 && at[1]! < 200, `the queued trigger ran after the first probe (${at[1]} ms)`);
  assert.ok(at[2]! >= 400 && at[2]! < 550, `the trigger at 400 ms ran at once (${at[2]} ms)`);
  assert.ok(at[3]! >= 950 && at[3]! < 1150, `the tick stayed at 1 s (${at[3]} ms)`);
});

test('initialDelaySeconds holds triggers too, counted from the container start', async () => {
  const at: number[] = [];
  const t0 = Date.now();
  const w = new ProbeWorker({
    kind: 'readiness',
    probe: { exec: { command: ['x'] }, periodSeconds: 1, initialDelaySeconds: 5 },
    container: { name: 'c' },
    startedAtMs: t0 - 4_800,
    target: { containerId: 'x', podIP: '', exec: async () => { at.push(Date.now() - t0); return { exitCode: 0, stdout: '', stderr: '', timedOut: false }; } },
    onResult: () => {},
  });
  w.trigger();
  assert.deepEqual(at, [], 'the trigger ran inside the delay');
  await new Promise((r) => setTimeout(r, 1100));
  w.stop();
  // On a loaded machine the timer may fire late, and a later tick may run too: what matters
  // is that nothing ran before the delay ended (200 ms after t0).
  assert.ok(at.length >= 1, 'no probe after the delay');
  assert.ok(at[0]! >= 195, `a probe ran inside the delay, at ${at[0]} ms`);
});
