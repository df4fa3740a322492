// GrpcClient's requests over Objects.Exchange against a small grpc-js server whose behaviour
// each test sets: ids matched out of order, in-band errors, timeouts, aborts, a broken stream
// (503, nothing re-sent, the next request on a new stream), a 401 stream and the unary fallback.
import { test, after, beforeEach } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import * as grpc from '@grpc/grpc-js';
import type { KubeObject } from '@k8ts/api';
import { GrpcClient, loadClientProto } from './grpc-client.js';
import { ApiError } from './types.js';

const TOKEN = 'tok';
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
async function until(cond: () => boolean, ms: number): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error('condition not met in time');
    await sleep(10);
  }
}

type Call = grpc.ServerDuplexStream<any, any>;
interface Behaviour {
  /** What the server does with each request read from a stream. */
  onRequest(call: Call, msg: any): void;
  /** When set, the stream is refused with this error instead. */
  refuse?: Partial<grpc.StatusObject>;
}
const obj = (name: string, extra: object = {}) => ({ json: JSON.stringify({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, namespace: 'default' }, ...extra }) });
const echo: Behaviour = {
  onRequest: (call, m) =>
    m.op === 'renew_lease'
      ? call.write({ id: m.id, renewed: { renew_time: `renewed ${m.renew_lease.node_name} for ${m.renew_lease.lease_duration_seconds}s` } })
      : call.write({ id: m.id, reply: obj(m[m.op].name || JSON.parse(m[m.op].json ?? '{}').metadata?.name, { op: m.op }) }),
};

let behaviour: Behaviour = echo;
const seen = { streams: 0, auth: [] as string[], requests: [] as any[], unary: 0 };
const streams: Call[] = [];

async function start(withExchange: boolean) {
  const { Objects } = loadClientProto();
  const server = new grpc.Server();
  const unary = (call: any, cb: grpc.sendUnaryData<unknown>) => {
    seen.unary++;
    cb(null, obj(call.request.name || JSON.parse(call.request.json ?? '{}').metadata?.name, { unary: true }));
  };
  const impl: grpc.UntypedServiceImplementation = { Get: unary, Create: unary, Update: unary, Patch: unary, Delete: unary };
  const { Nodes } = loadClientProto();
  server.addService(Nodes.service, {
    RenewLease: (call: any, cb: grpc.sendUnaryData<unknown>) => {
      seen.unary++;
      cb(null, { renew_time: `unary ${call.request.node_name}` });
    },
  });
  if (withExchange) {
    impl.Exchange = (call: Call) => {
      seen.streams++;
      seen.auth.push(String(call.metadata.get('authorization')[0] ?? ''));
      if (behaviour.refuse) {
        call.emit('error', behaviour.refuse);
        return;
      }
      streams.push(call);
      call.on('data', (m: any) => {
        seen.requests.push(m);
        behaviour.onRequest(call, m);
      });
      call.on('end', () => call.end());
    };
  }
  server.addService(Objects.service, impl);
  const port = await new Promise<number>((res, rej) => server.bindAsync('127.0.0.1:0', grpc.ServerCredentials.createInsecure(), (e, p) => (e ? rej(e) : res(p))));
  return { server, port };
}

const srv = await start(true);
const plain = await start(false);
const client = new GrpcClient({ server: `127.0.0.1:${srv.port}`, token: TOKEN, timeoutMs: 2000 });
after(() => {
  client.close();
  srv.server.forceShutdown();
  plain.server.forceShutdown();
});
beforeEach(() => {
  behaviour = echo;
  seen.requests = [];
});

test('requests share one stream with the token sent once; replies out of order reach their own callers', async () => {
  const streams0 = seen.streams;
  const held: [Call, any][] = [];
  behaviour = {
    onRequest: (call, m) => {
      held.push([call, m]);
      // Answer the batch in reverse once all ten are in.
      if (held.length === 10) for (const [c, r] of held.reverse()) echo.onRequest(c, r);
    },
  };
  const names = Array.from({ length: 10 }, (_, i) => `cm-${i}`);
  const got = await Promise.all(names.map((n, i) => (i % 2 ? client.get<KubeObject>('configmaps', 'default', n) : client.create<KubeObject>('configmaps', { metadata: { name: n, namespace: 'default' } }))));
  assert.deepEqual(got.map((o) => o.metadata.name), names);
  assert.deepEqual(got.map((o) => (o as any).op), names.map((_, i) => (i % 2 ? 'get' : 'create')));
  assert.equal(new Set(seen.requests.map((r) => r.id)).size, 10, 'every request has its own id');
  assert.ok(seen.streams - streams0 <= 1, 'one stream for all of them');
  assert.equal(seen.auth.at(-1), `Bearer ${TOKEN}`);
  behaviour = echo;
  // update, patch and delete go the same way.
  const u = await client.update<KubeObject>('configmaps', { metadata: { name: 'u', namespace: 'default' } });
  const p = await client.patch<KubeObject>('configmaps', 'default', 'p', 'application/merge-patch+json', { data: { a: '1' } });
  const d = await client.delete('configmaps', 'default', 'd');
  assert.deepEqual([(u as any).op, (p as any).op, (d as any).op], ['update', 'patch', 'delete']);
  assert.equal(seen.unary, 0);
});

test('an in-band error becomes the ApiError a unary call would give (code, reason, Status)', async () => {
  const status = { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message: 'configmaps "x" already exists', reason: 'AlreadyExists', details: { name: 'x', kind: 'configmaps' }, code: 409 };
  behaviour = { onRequest: (call, m) => call.write({ id: m.id, error: { code: grpc.status.ALREADY_EXISTS, message: status.message, status_json: JSON.stringify(status) } }) };
  const err = await client.create('configmaps', { metadata: { name: 'x', namespace: 'default' } }).then(() => assert.fail('resolved'), (e) => e);
  assert.ok(err instanceof ApiError);
  assert.equal(err.code, 409);
  assert.equal(err.reason, 'AlreadyExists');
  assert.deepEqual(err.status, status);
  assert.equal(err.message, status.message);
  // Without a Status the gRPC code maps as for unary calls.
  behaviour = { onRequest: (call, m) => call.write({ id: m.id, error: { code: grpc.status.NOT_FOUND, message: 'gone', status_json: '' } }) };
  const nf = await client.get('configmaps', 'default', 'y').then(() => assert.fail('resolved'), (e) => e);
  assert.equal(nf.code, 404);
  assert.equal(nf.reason, 'NotFound');
});

test('a request without a reply times out with 504 and the others on the stream are unaffected', async () => {
  const c = new GrpcClient({ server: `127.0.0.1:${srv.port}`, token: TOKEN, timeoutMs: 300 });
  try {
    const silentFor = new Set(['lost']);
    const late: [Call, any][] = [];
    behaviour = { onRequest: (call, m) => (silentFor.has(m.get?.name) ? late.push([call, m]) : echo.onRequest(call, m)) };
    const t0 = Date.now();
    const lost = c.get('configmaps', 'default', 'lost').then(() => assert.fail('resolved'), (e) => e);
    const ok = await c.get<KubeObject>('configmaps', 'default', 'fine');
    assert.equal(ok.metadata.name, 'fine');
    const err = await lost;
    assert.equal(err.code, 504);
    assert.equal(err.reason, 'Timeout');
    assert.ok(Date.now() - t0 >= 280);
    // The late reply is dropped; the stream keeps serving.
    for (const [call, m] of late) echo.onRequest(call, m);
    assert.equal((await c.get<KubeObject>('configmaps', 'default', 'after')).metadata.name, 'after');
    assert.equal(c.requestsInFlight, 0);
  } finally {
    c.close();
  }
});

test('an aborted request rejects at once with 499', async () => {
  const { ExchangeStream } = await import('./exchange-stream.js');
  const { Objects } = loadClientProto();
  const raw = new Objects(`127.0.0.1:${srv.port}`, grpc.credentials.createInsecure()) as any;
  const md = new grpc.Metadata();
  md.set('authorization', `Bearer ${TOKEN}`);
  const ex = new ExchangeStream(() => raw.Exchange(md), () => Promise.reject(new Error('no unary here')), () => new ApiError(500, 'InternalError', {}));
  try {
    behaviour = { onRequest: () => undefined };
    const ac = new AbortController();
    const p = ex.call('get', { resource: 'configmaps', namespace: 'default', name: 'a' }, { timeoutMs: 5000, signal: ac.signal });
    await sleep(50);
    ac.abort();
    const err = await p.then(() => assert.fail('resolved'), (e) => e);
    assert.equal(err.code, 499);
    assert.equal(ex.inFlight, 0);
  } finally {
    ex.close();
    raw.close();
  }
});

/** A TCP proxy in front of the server whose connections can be cut, as a dropped network would. */
async function cuttableProxy(port: number) {
  const sockets = new Set<net.Socket>();
  const proxy = net.createServer((down) => {
    const up = net.connect(port, '127.0.0.1');
    for (const s of [down, up]) {
      sockets.add(s);
      s.on('error', () => undefined);
      s.on('close', () => sockets.delete(s));
    }
    down.pipe(up).pipe(down);
  });
  await new Promise<void>((r) => proxy.listen(0, '127.0.0.1', r));
  return {
    port: (proxy.address() as net.AddressInfo).port,
    cut: () => sockets.forEach((s) => s.destroy()),
    close: () => new Promise<void>((r) => (sockets.forEach((s) => s.destroy()), proxy.close(() => r()))),
  };
}

test('a broken connection fails the requests in flight with 503, re-sends nothing, and the next request opens a new stream', async () => {
  const proxy = await cuttableProxy(srv.port);
  const c = new GrpcClient({ server: `127.0.0.1:${proxy.port}`, token: TOKEN, timeoutMs: 5000 });
  try {
    assert.equal((await c.get<KubeObject>('configmaps', 'default', 'first')).metadata.name, 'first');
    const streams0 = seen.streams;
    seen.requests = [];
    let held = 0;
    // Hold three requests, then cut the connection.
    behaviour = { onRequest: () => void (++held === 3 && setTimeout(proxy.cut, 20)) };
    const results = await Promise.allSettled([
      c.create('configmaps', { metadata: { name: 'maybe-1', namespace: 'default' } }),
      c.create('configmaps', { metadata: { name: 'maybe-2', namespace: 'default' } }),
      c.get('configmaps', 'default', 'g'),
    ]);
    for (const r of results) {
      assert.equal(r.status, 'rejected');
      const e = (r as PromiseRejectedResult).reason;
      assert.ok(e instanceof ApiError);
      assert.equal(e.code, 503);
      assert.equal(e.reason, 'ServiceUnavailable');
    }
    assert.equal(seen.requests.length, 3, 'each request was sent once, none re-sent');
    behaviour = echo;
    const next = await c.get<KubeObject>('configmaps', 'default', 'next');
    assert.equal(next.metadata.name, 'next');
    assert.equal(seen.streams - streams0, 1, 'a new stream after the broken one');
    assert.equal(seen.requests.length, 4);
  } finally {
    c.close();
    await proxy.close();
  }
});

test('a stream the server ends with requests unanswered fails them with 503', async () => {
  behaviour = { onRequest: (call) => setTimeout(() => call.end(), 20) };
  const err = await client.create('configmaps', { metadata: { name: 'cut', namespace: 'default' } }).then(() => assert.fail('resolved'), (e) => e);
  assert.equal(err.code, 503);
  behaviour = echo;
  assert.equal((await client.get<KubeObject>('configmaps', 'default', 'again')).metadata.name, 'again');
});

test('a stream refused with a Status (401) fails its requests with that Status', async () => {
  const status = { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message: 'Unauthorized', reason: 'Unauthorized', code: 401 };
  const md = new grpc.Metadata();
  md.set('k8s-status', JSON.stringify(status));
  behaviour = { onRequest: () => undefined, refuse: { code: grpc.status.UNAUTHENTICATED, details: 'Unauthorized', metadata: md } };
  const c = new GrpcClient({ server: `127.0.0.1:${srv.port}`, token: 'wrong' });
  try {
    const errs = await Promise.all([c.get('configmaps', 'default', 'a'), c.create('configmaps', { metadata: { name: 'b', namespace: 'default' } })].map((p) => p.then(() => assert.fail('resolved'), (e) => e)));
    for (const e of errs) {
      assert.equal(e.code, 401);
      assert.deepEqual(e.status, status);
    }
  } finally {
    c.close();
  }
});

test('an apiserver without Exchange gets the same requests as unary calls', async () => {
  const c = new GrpcClient({ server: `127.0.0.1:${plain.port}`, token: TOKEN });
  try {
    const unary0 = seen.unary;
    const got = await Promise.all(['a', 'b', 'c'].map((n) => c.get<KubeObject>('configmaps', 'default', n)));
    assert.deepEqual(got.map((o) => [o.metadata.name, (o as any).unary]), [['a', true], ['b', true], ['c', true]]);
    assert.equal((await c.create<KubeObject>('configmaps', { metadata: { name: 'd', namespace: 'default' } })).metadata.name, 'd');
    assert.equal(seen.unary - unary0, 4);
  } finally {
    c.close();
  }
});

test('exchange: false keeps every request a unary call', async () => {
  const c = new GrpcClient({ server: `127.0.0.1:${srv.port}`, token: TOKEN, exchange: false });
  try {
    const streams0 = seen.streams;
    const unary0 = seen.unary;
    await c.get('configmaps', 'default', 'a');
    assert.equal(seen.streams, streams0);
    assert.equal(seen.unary - unary0, 1);
  } finally {
    c.close();
  }
});

test('lease renewals go over the stream: the client\'s own (GrpcClient.nodes) or a NodesClient\'s own', async () => {
  const { NodesClient } = await import('./grpc-client.js');
  const unary0 = seen.unary;
  seen.requests = [];
  assert.equal(await client.nodes.renewLease('n1', 40), 'renewed n1 for 40s');
  const standalone = new NodesClient({ server: `127.0.0.1:${srv.port}`, token: TOKEN });
  try {
    const streams0 = seen.streams;
    assert.deepEqual(await Promise.all(['a', 'b'].map((n) => standalone.renewLease(n, 10))), ['renewed a for 10s', 'renewed b for 10s']);
    assert.equal(seen.streams - streams0, 1, 'the NodesClient opened one stream of its own');
  } finally {
    standalone.close();
  }
  assert.equal(seen.unary, unary0);
  assert.deepEqual(seen.requests.map((r) => r.op), ['renew_lease', 'renew_lease', 'renew_lease']);
  // Without Exchange on the server, renewals fall back to Nodes.RenewLease.
  const old = new NodesClient({ server: `127.0.0.1:${plain.port}`, token: TOKEN });
  try {
    assert.equal(await old.renewLease('n2', 40), 'unary n2');
  } finally {
    old.close();
  }
});

test('a stream idle for EXCHANGE_IDLE_CLOSE_MS is closed; the next request opens another', async () => {
  const { EXCHANGE_IDLE_CLOSE_MS } = await import('./exchange-stream.js');
  const c = new GrpcClient({ server: `127.0.0.1:${srv.port}`, token: TOKEN });
  try {
    const streams0 = seen.streams;
    const opened = streams.length;
    await c.get('configmaps', 'default', 'a');
    await c.get('configmaps', 'default', 'b');
    const call = streams[opened]!;
    let ended = false;
    call.on('end', () => (ended = true));
    await sleep(EXCHANGE_IDLE_CLOSE_MS / 2);
    assert.equal(ended, false, 'not before the idle time');
    await until(() => ended, EXCHANGE_IDLE_CLOSE_MS * 4);
    assert.equal(seen.streams - streams0, 1);
    assert.equal((await c.get<KubeObject>('configmaps', 'default', 'c')).metadata.name, 'c');
    assert.equal(seen.streams - streams0, 2);
  } finally {
    c.close();
  }
});

test('in a long-running component (keepIdleExchangeStreams) an idle stream stays open and the next requests reuse it', async () => {
  const { EXCHANGE_IDLE_CLOSE_MS, keepIdleExchangeStreams } = await import('./exchange-stream.js');
  keepIdleExchangeStreams();
  const c = new GrpcClient({ server: `127.0.0.1:${srv.port}`, token: TOKEN });
  try {
    const streams0 = seen.streams;
    await c.get('configmaps', 'default', 'a');
    await sleep(EXCHANGE_IDLE_CLOSE_MS * 3);
    await c.get('configmaps', 'default', 'b');
    assert.equal(seen.streams - streams0, 1, 'one stream for both requests');
  } finally {
    c.close();
    keepIdleExchangeStreams(EXCHANGE_IDLE_CLOSE_MS);
  }
});

test('a process that forgets close() still exits once its requests are done', async () => {
  const { spawn } = await import('node:child_process');
  const script = `
    import { GrpcClient } from ${JSON.stringify(new URL('./grpc-client.ts', import.meta.url).href)};
    const c = new GrpcClient({ server: '127.0.0.1:${srv.port}', token: '${TOKEN}' });
    const o = await c.get('configmaps', 'default', 'from-child');
    console.log(o.metadata.name);
  `;
  const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { stdio: ['ignore', 'pipe', 'inherit'] });
  let out = '';
  child.stdout!.on('data', (d) => (out += d));
  const t0 = Date.now();
  const code = await Promise.race([new Promise((r) => child.once('exit', r)), sleep(20_000).then(() => 'hung')]);
  if (code === 'hung') child.kill('SIGKILL');
  assert.equal(code, 0, `the child ${code === 'hung' ? 'did not exit' : `exited ${code}`}`);
  assert.equal(out.trim(), 'from-child');
  assert.ok(Date.now() - t0 < 15_000);
});
