// GrpcClient against a small gRPC server that implements proto/k8ts.proto over FakeClient
// (the apiserver's own face is tested in test/integration/client-grpc.test.ts).
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as grpc from '@grpc/grpc-js';
import type { KubeObject, WatchEvent } from '@k8ts/api';
import { FakeClient } from './fake-client.js';
import { GrpcClient, NodesClient, clientFromOptions, loadClientProto } from './grpc-client.js';
import { ApiError, isAlreadyExists, isConflict, isNotFound } from './types.js';
import { Informer } from './informer.js';

const TOKEN = 's3cret';
const silent = { debug() {}, info() {}, warn() {}, error() {} };
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
async function until(cond: () => boolean, ms = 5000): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error('condition not met in time');
    await sleep(10);
  }
}

function codeFor(e: ApiError): grpc.status {
  const m: Record<number, grpc.status> = { 400: 3, 401: 16, 404: 5, 410: 11, 422: 3 };
  if (e.code === 409) return e.reason === 'AlreadyExists' ? grpc.status.ALREADY_EXISTS : grpc.status.ABORTED;
  return m[e.code] ?? grpc.status.INTERNAL;
}

function toGrpcError(e: unknown): Partial<grpc.StatusObject> {
  const err = e instanceof ApiError ? e : new ApiError(500, 'InternalError', { message: String(e), code: 500 });
  const md = new grpc.Metadata();
  md.set('k8s-status', JSON.stringify(err.status));
  return { code: codeFor(err), details: err.message, metadata: md };
}

interface Seen {
  auth: string[];
}

async function startFakeServer(fake: FakeClient, seen: Seen, port = 0) {
  const { Objects, Nodes } = loadClientProto();
  const server = new grpc.Server();
  const check = (call: { metadata: grpc.Metadata }) => {
    const a = String(call.metadata.get('authorization')[0] ?? '');
    seen.auth.push(a);
    if (a !== `Bearer ${TOKEN}`) throw new ApiError(401, 'Unauthorized', { kind: 'Status', status: 'Failure', message: 'Unauthorized', reason: 'Unauthorized', code: 401 });
  };
  const unary = (fn: (req: any) => Promise<unknown>) => (call: any, cb: grpc.sendUnaryData<unknown>) => {
    Promise.resolve()
      .then(() => check(call))
      .then(() => fn(call.request))
      .then((r) => cb(null, { json: JSON.stringify(r) }), (e) => cb(toGrpcError(e) as grpc.ServiceError));
  };
  server.addService(Objects.service, {
    Get: unary((r) => fake.get(r.resource, r.namespace, r.name, r.subresource || undefined)),
    List: unary((r) => fake.list(r.resource, { namespace: r.namespace || undefined, labelSelector: r.label_selector || undefined, fieldSelector: r.field_selector || undefined, limit: Number(r.limit) || undefined })),
    Create: unary((r) => (r.subresource ? fake.createSubresource(r.resource, r.namespace, r.name, r.subresource, JSON.parse(r.json)) : fake.create(r.resource, JSON.parse(r.json), { dryRun: r.dry_run }))),
    Update: unary((r) => fake.update(r.resource, JSON.parse(r.json), { subresource: r.subresource || undefined })),
    Patch: unary((r) => fake.patch(r.resource, r.namespace, r.name, r.patch_type, r.patch, { subresource: r.subresource || undefined })),
    Delete: unary((r) => fake.delete(r.resource, r.namespace, r.name, r.options_json ? JSON.parse(r.options_json) : {})),
    Watch: (call: grpc.ServerWritableStream<any, any>) => {
      try {
        check(call);
      } catch (e) {
        call.emit('error', toGrpcError(e));
        return;
      }
      const r = call.request;
      const h = fake.watch(r.resource, { namespace: r.namespace || undefined, labelSelector: r.label_selector || undefined, resourceVersion: r.resource_version || undefined }, (ev) => {
        call.write({ type: ev.type, json: JSON.stringify(ev.object) });
        if (ev.type === 'ERROR') setImmediate(() => call.end());
      });
      call.on('cancelled', () => h.stop());
      void h.done.then(() => call.end());
    },
  });
  const leases: Record<string, number> = {};
  server.addService(Nodes.service, {
    RenewLease: (call: any, cb: grpc.sendUnaryData<unknown>) => {
      leases[call.request.node_name] = call.request.lease_duration_seconds;
      cb(null, { renew_time: '2026-11-23T12:00:00.123456Z' });
    },
    Connect: (call: grpc.ServerDuplexStream<any, any>) => {
      call.once('data', (hello: any) => {
        call.write({ stream_id: 's1', open: { kind: 'exec', namespace: 'default', pod: hello.hello.node_name, pod_uid: 'u', params_json: '{}' } });
        call.on('data', (m: any) => {
          call.write({ stream_id: m.stream_id, data: { channel: m.data.channel, data: Buffer.concat([Buffer.from('echo:'), m.data.data]) } });
          call.end();
        });
      });
    },
  });
  const bound = await new Promise<number>((res, rej) => server.bindAsync(`127.0.0.1:${port}`, grpc.ServerCredentials.createInsecure(), (e, p) => (e ? rej(e) : res(p))));
  return { server, port: bound, leases };
}

const fake = new FakeClient();
const seen: Seen = { auth: [] };
const srv = await startFakeServer(fake, seen);
const client = new GrpcClient({ server: `127.0.0.1:${srv.port}`, token: TOKEN });
after(() => {
  client.close();
  srv.server.forceShutdown();
});

test('CRUD round-trips objects and sends the bearer token on every call', async () => {
  const created = await client.create<KubeObject>('pods', { metadata: { name: 'a', namespace: 'ns1', labels: { app: 'x' } }, spec: { containers: [] } });
  assert.equal(created.metadata.namespace, 'ns1');
  assert.ok(created.metadata.uid);
  const got = await client.get<KubeObject>('pods', 'ns1', 'a');
  assert.equal(got.metadata.uid, created.metadata.uid);
  const list = await client.list('pods', { labelSelector: 'app=x' });
  assert.equal(list.items.length, 1);
  assert.equal(list.kind, 'PodList');
  const upd = await client.update<KubeObject>('pods', { ...got, spec: { containers: [], nodeName: 'n0' } });
  assert.equal(upd.spec.nodeName, 'n0');
  const st = await client.update<KubeObject>('pods', { ...upd, status: { phase: 'Running' } }, { subresource: 'status' });
  assert.equal(st.status.phase, 'Running');
  const p = await client.patch<KubeObject>('pods', 'ns1', 'a', 'application/merge-patch+json', { metadata: { labels: { app: 'y' } } });
  assert.equal(p.metadata.labels!.app, 'y');
  await client.create('pods', { metadata: { name: 'b', namespace: 'ns1' }, spec: {} });
  await client.createSubresource('pods', 'ns1', 'b', 'binding', { metadata: { name: 'b' }, target: { name: 'n9' } } as unknown as KubeObject);
  assert.equal((await client.get<KubeObject>('pods', 'ns1', 'b')).spec.nodeName, 'n9');
  await client.delete('pods', 'ns1', 'a');
  await assert.rejects(client.get('pods', 'ns1', 'a'), isNotFound);
  assert.ok(seen.auth.length >= 10);
  assert.ok(seen.auth.every((a) => a === `Bearer ${TOKEN}`));
});

test('withTimeout: a call past its own deadline fails and leaves the Exchange stream; the client keeps its deadline', async () => {
  // An apiserver that takes Exchange requests and never answers them.
  const { Objects } = loadClientProto();
  const silent = new grpc.Server();
  silent.addService(Objects.service, {
    Exchange: (call: grpc.ServerDuplexStream<any, any>) => {
      call.sendMetadata(new grpc.Metadata());
      call.on('data', () => {});
    },
  });
  const port = await new Promise<number>((res, rej) => silent.bindAsync('127.0.0.1:0', grpc.ServerCredentials.createInsecure(), (e, p) => (e ? rej(e) : res(p))));
  const c = new GrpcClient({ server: `127.0.0.1:${port}`, token: TOKEN, exchange: true });
  try {
    const slow = c.get('pods', 'ns1', 'a');
    let settled = false;
    slow.then(() => (settled = true), () => (settled = true));
    const started = Date.now();
    await assert.rejects(c.withTimeout(300).get('pods', 'ns1', 'b'), (e: unknown) => e instanceof ApiError && e.code === 504);
    assert.ok(Date.now() - started < 5000);
    assert.equal(c.requestsInFlight, 1, 'only the call without a deadline of its own is still on the stream');
    await new Promise((r) => setTimeout(r, 300));
    assert.equal(settled, false, 'the client itself still waits (30 s deadline)');
  } finally {
    c.close();
    silent.forceShutdown();
  }
});

test('errors come back as ApiError with the server Status', async () => {
  await client.create('configmaps', { metadata: { name: 'c', namespace: 'default' } });
  await assert.rejects(client.create('configmaps', { metadata: { name: 'c', namespace: 'default' } }), (e: unknown) => {
    assert.ok(isAlreadyExists(e));
    assert.equal((e as ApiError).status.message, 'configmaps "c" already exists');
    return true;
  });
  const cm = await client.get<KubeObject>('configmaps', 'default', 'c');
  await client.update('configmaps', { ...cm, data: { a: '1' } });
  await assert.rejects(client.update('configmaps', { ...cm, data: { a: '2' } }), isConflict);
  await assert.rejects(client.get('configmaps', 'default', 'zz'), (e: unknown) => (e as ApiError).status.details?.name === 'zz');
  const anon = new GrpcClient({ server: `127.0.0.1:${srv.port}` });
  await assert.rejects(anon.get('configmaps', 'default', 'c'), (e: unknown) => (e as ApiError).code === 401);
  anon.close();
  // Nothing listening: a 503 synthesized from UNAVAILABLE.
  const nowhere = new GrpcClient({ server: '127.0.0.1:1', token: TOKEN });
  await assert.rejects(nowhere.get('configmaps', 'default', 'c'), (e: unknown) => (e as ApiError).code === 503 && (e as ApiError).reason === 'ServiceUnavailable');
  nowhere.close();
});

test('watch streams events, resumes, gets 410 as ERROR, and stop() ends it', async () => {
  const events: WatchEvent[] = [];
  const w = client.watch('secrets', { namespace: 'default', resourceVersion: '0' }, (e) => events.push(e));
  await sleep(100);
  const s = await client.create<KubeObject>('secrets', { metadata: { name: 's', namespace: 'default' } });
  await client.patch('secrets', 'default', 's', 'application/merge-patch+json', { data: { k: 'dg==' } });
  await client.create('secrets', { metadata: { name: 'other', namespace: 'kube-system' } });
  await client.delete('secrets', 'default', 's');
  await until(() => events.length === 3);
  assert.deepEqual(events.map((e) => `${e.type} ${e.object.metadata.name}`), ['ADDED s', 'MODIFIED s', 'DELETED s']);
  w.stop();
  await w.done;
  await until(() => fake.watcherCount === 0);

  fake.compact();
  const errs: WatchEvent[] = [];
  const old = client.watch('secrets', { resourceVersion: s.metadata.resourceVersion }, (e) => errs.push(e));
  await old.done;
  assert.equal(errs.length, 1);
  assert.equal(errs[0]!.type, 'ERROR');
  assert.equal((errs[0]!.object as any).code, 410);
});

test('a watch ends when the server goes away, and an informer over GrpcClient rewatches from its resourceVersion after it returns', async () => {
  const fake2 = new FakeClient();
  await fake2.create('nodes', { metadata: { name: 'n1' } });
  let s2 = await startFakeServer(fake2, { auth: [] });
  const port = s2.port;
  const c2 = new GrpcClient({ server: `127.0.0.1:${port}`, token: TOKEN });
  const inf = new Informer(c2, { resource: 'nodes', logger: silent, minBackoffMs: 50, maxBackoffMs: 200 });
  try {
    inf.start();
    assert.equal(await inf.waitForSync(3000), true);
    await until(() => fake2.watcherCount === 1);
    const watches = inf.watchCount;
    s2.server.forceShutdown();
    await fake2.create('nodes', { metadata: { name: 'n2' } });
    s2 = await startFakeServer(fake2, { auth: [] }, port);
    await until(() => inf.get('n2') !== undefined, 8000);
    assert.ok(inf.watchCount > watches);
    assert.equal(inf.listCount, 1, 'the change made while it was away came from the resumed watch');
    await until(() => fake2.watcherCount >= 1);
    await fake2.create('nodes', { metadata: { name: 'n3' } });
    await until(() => inf.get('n3') !== undefined);
  } finally {
    await inf.stop();
    c2.close();
    s2.server.forceShutdown();
  }
});

test('NodesClient renews leases and opens the agent stream with a hello', async () => {
  const nodes = client.nodes;
  assert.equal(await nodes.renewLease('node-1', 40), '2026-11-23T12:00:00.123456Z');
  assert.equal(srv.leases['node-1'], 40);
  const stream = nodes.connect('node-7');
  const msgs: any[] = [];
  stream.on('data', (m) => {
    msgs.push(m);
    if (m.open) stream.write({ stream_id: m.stream_id, data: { channel: 1, data: Buffer.from('hi') } });
  });
  await new Promise<void>((r) => stream.on('end', () => r()));
  assert.equal(msgs[0].msg, 'open');
  assert.equal(msgs[0].open.pod, 'node-7');
  assert.equal(msgs[1].data.data.toString(), 'echo:hi');
  const standalone = new NodesClient({ server: `127.0.0.1:${srv.port}`, token: TOKEN });
  assert.ok(await standalone.renewLease('node-2', 10));
  standalone.close();
});

test('clientFromOptions reads flags, then K8TS_SERVER / K8TS_TOKEN / K8TS_TOKEN_FILE', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'k8ts-token-'));
  const saved = { ...process.env };
  try {
    writeFileSync(join(dir, 'tok'), `${TOKEN}\n`);
    process.env.K8TS_SERVER = `127.0.0.1:${srv.port}`;
    process.env.K8TS_TOKEN_FILE = join(dir, 'tok');
    delete process.env.K8TS_TOKEN;
    const c = clientFromOptions();
    assert.equal(c.server, `127.0.0.1:${srv.port}`);
    assert.ok(await c.list('pods'));
    c.close();
    process.env.K8TS_TOKEN = 'wrong';
    delete process.env.K8TS_TOKEN_FILE;
    const bad = clientFromOptions();
    await assert.rejects(bad.list('pods'), (e: unknown) => (e as ApiError).code === 401);
    bad.close();
    const good = clientFromOptions({ token: TOKEN });
    assert.ok(await good.list('pods'));
    good.close();
  } finally {
    process.env = saved;
    rmSync(dir, { recursive: true, force: true });
  }
});
