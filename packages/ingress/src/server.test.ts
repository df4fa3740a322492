// The data plane on loopback: routing to a backend, 404/503/502, and hostile requests that
// must never take the server down.
import { test, after, before } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import net from 'node:net';
import { Registry } from 'prom-client';
import { pino } from 'pino';
import { IngressServer } from './server.js';
import { buildRouteTable } from './routes.js';
import { ingressMetrics } from './metrics.js';

let backend: http.Server;
let backendPort = 0;
let closedPort = 0;
let ingress: IngressServer;

const ing = {
  apiVersion: 'networking.k8s.io/v1',
  kind: 'Ingress',
  metadata: { name: 'i', namespace: 'default', creationTimestamp: '2026-01-01T00:00:00Z' },
  spec: {
    rules: [
      { host: 'web.test', http: { paths: [{ path: '/', pathType: 'Prefix', backend: { service: { name: 'web', port: { number: 80 } } } }] } },
      { host: 'empty.test', http: { paths: [{ path: '/', pathType: 'Prefix', backend: { service: { name: 'empty', port: { number: 80 } } } }] } },
      { host: 'dead.test', http: { paths: [{ path: '/', pathType: 'Prefix', backend: { service: { name: 'dead', port: { number: 80 } } } }] } },
    ],
  },
} as any;

before(async () => {
  backend = http.createServer((req, res) => res.end(JSON.stringify({ url: req.url, host: req.headers.host, xff: req.headers['x-forwarded-for'] })));
  await new Promise<void>((r) => backend.listen(0, '127.0.0.1', r));
  backendPort = (backend.address() as net.AddressInfo).port;
  const spare = net.createServer();
  await new Promise<void>((r) => spare.listen(0, '127.0.0.1', r));
  closedPort = (spare.address() as net.AddressInfo).port;
  await new Promise<void>((r) => spare.close(() => r()));
  const svc = (name: string) => ({ metadata: { name, namespace: 'default' }, spec: { ports: [{ port: 80 }] } }) as any;
  const slice = (port: number, ready: boolean) => ({ addressType: 'IPv4', ports: [{ port, protocol: 'TCP' }], endpoints: [{ addresses: ['127.0.0.1'], conditions: { ready } }] }) as any;
  const slices: Record<string, any[]> = { web: [slice(backendPort, true)], empty: [slice(backendPort, false)], dead: [slice(closedPort, true)] };
  const table = buildRouteTable([ing]);
  ingress = new IngressServer({
    host: '127.0.0.1',
    port: 0,
    routes: () => table,
    lookup: { service: (_ns, name) => svc(name), slices: (_ns, name) => slices[name] ?? [] },
    log: pino({ level: 'silent' }),
    metrics: ingressMetrics(new Registry()),
    maxHeaderSize: 4096,
  });
  await ingress.start();
});

after(async () => {
  await ingress?.stop();
  await new Promise<void>((r) => (backend ? backend.close(() => r()) : r()));
});

function get(host: string, path = '/'): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port: ingress.port, path, headers: { host }, agent: false }, (res) => {
      let body = '';
      res.on('data', (c) => (body += c));
      res.on('end', () => resolve({ status: res.statusCode!, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

/** Writes raw bytes and returns what came back before the server closed (or 2 s passed). */
function raw(bytes: string | Buffer): Promise<string> {
  return new Promise((resolve) => {
    const s = net.connect(ingress.port, '127.0.0.1');
    let out = '';
    const done = () => (s.destroy(), resolve(out));
    s.setTimeout(2000, done);
    s.on('data', (c) => (out += c.toString('latin1')));
    s.on('close', done);
    s.on('error', done);
    s.write(bytes);
  });
}

test('a known host reaches its backend with the Host and X-Forwarded-For headers', async () => {
  const r = await get('web.test:8080', '/a/b?q=1');
  assert.equal(r.status, 200);
  const seen = JSON.parse(r.body);
  assert.equal(seen.url, '/a/b?q=1');
  assert.equal(seen.host, 'web.test:8080');
  assert.equal(seen.xff, '127.0.0.1');
});

test('unknown host: 404; no ready endpoints: 503; a dead endpoint: 502', async () => {
  assert.equal((await get('nobody.test')).status, 404);
  const unavailable = await get('empty.test');
  assert.equal(unavailable.status, 503);
  assert.match(unavailable.body, /NoReadyEndpoints/);
  assert.equal((await get('dead.test')).status, 502);
});

test('hostile requests get 4xx answers and the server keeps serving', async () => {
  assert.match(await raw(`GET / HTTP/1.1\r\nHost: web.test\r\nX-Big: ${'a'.repeat(8192)}\r\n\r\n`), /^HTTP\/1\.1 431/);
  assert.match(await raw('GARBAGE\r\n\r\n'), /^HTTP\/1\.1 400/);
  assert.match(await raw('GET / HTTP/1.1\r\nHost: a b c\r\nConnection: close\r\n\r\n'), /^HTTP\/1\.1 404/);
  assert.match(await raw('GET / HTTP/1.1\r\nHost: web.test\r\nHost: other.test\r\nConnection: close\r\n\r\n'), /^HTTP\/1\.1 400/);
  assert.match(await raw(Buffer.from('GET / HTTP/1.1\r\nHost: \xff\xfe\x00\r\n\r\n', 'latin1')), /^HTTP\/1\.1 400/);
  assert.match(await raw('GET http://web.test/ HTTP/1.1\r\nHost: web.test\r\nConnection: close\r\n\r\n'), /^HTTP\/1\.1 400/);
  assert.match(await raw('GET /%zz/../.. HTTP/1.1\r\nHost: nobody.test\r\nConnection: close\r\n\r\n'), /^HTTP\/1\.1 (400|404)/);
  assert.match(await raw('GET / HTTP/1.1\r\nHost: web.test\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n'), /^HTTP\/1\.1 \d{3}/);
  assert.match(await raw('GET / HTTP/1.1\r\nHost: nobody.test\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n'), /^HTTP\/1\.1 404/);
  assert.equal((await get('web.test')).status, 200, 'still serving');
});
