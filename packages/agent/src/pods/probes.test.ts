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
