import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import http2 from 'node:http2';
import net from 'node:net';
import path from 'node:path';
import { createRequire } from 'node:module';
import protobuf from 'protobufjs';
import { EtcdKv } from './etcd-kv.js';
import { ETCD_FLOW_CONTROL_WINDOW, createEtcdClient } from './etcd-client.js';
import { isCompactedError } from './store.js';

const dir = path.join(path.dirname(createRequire(import.meta.url).resolve('etcd3/package.json')), 'proto');
const root = new protobuf.Root();
root.resolvePath = (_o, t) => (path.isAbsolute(t) ? t : path.join(dir, t));
root.loadSync('rpc.proto', { keepCase: true });
const RangeResponse = root.lookupType('etcdserverpb.RangeResponse');

type Handler = (stream: http2.ServerHttp2Stream, body: Buffer) => void;

/** A stand-in etcd speaking just enough gRPC for the tests. */
async function fakeEtcd(handler: Handler): Promise<{ url: string; calls: number; close(): void }> {
  const server = http2.createServer();
  const state = { url: '', calls: 0, close: () => server.close() };
  server.on('stream', (stream) => {
    state.calls++;
    const chunks: Buffer[] = [];
    stream.on('data', (c: Buffer) => chunks.push(c));
    stream.on('end', () => handler(stream, Buffer.concat(chunks)));
  });
  server.on('session', (s) => server.once('close', () => s.destroy()));
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  state.url = `http://127.0.0.1:${(server.address() as net.AddressInfo).port}`;
  return state;
}

function answer(stream: http2.ServerHttp2Stream, message: Uint8Array): void {
  stream.respond({ ':status': 200, 'content-type': 'application/grpc' }, { waitForTrailers: true });
  const frame = Buffer.alloc(5 + message.length);
  frame.writeUInt32BE(message.length, 1);
  frame.set(message, 5);
  stream.on('wantTrailers', () => stream.sendTrailers({ 'grpc-status': '0' }));
  stream.end(frame);
}

async function closedPort(): Promise<number> {
  const srv = net.createServer();
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  const port = (srv.address() as net.AddressInfo).port;
  await new Promise((r) => srv.close(r));
  return port;
}

for (const thread of [false, true]) describe(`EtcdKv (grpc-js unary calls${thread ? ', from a thread' : ''})`, () => {
  const cleanups: (() => void)[] = [];
  after(() => cleanups.forEach((f) => f()));

  it('decodes answers with int64 fields as strings, as etcd3 gives them', async () => {
    const etcd = await fakeEtcd((s) =>
      answer(s, RangeResponse.encode({ header: { revision: 42 }, kvs: [{ key: Buffer.from('/a'), value: Buffer.from('{}'), mod_revision: 41, create_revision: 40, version: 2 }], count: 1 }).finish()),
    );
    const kv = new EtcdKv({ servers: [etcd.url], thread });
    cleanups.push(() => kv.close(), () => etcd.close());
    const res = await kv.range({ key: Buffer.from('/a') });
    assert.equal(res.header.revision, '42');
    assert.equal(res.count, '1');
    assert.equal(res.kvs[0].mod_revision, '41');
    assert.equal(res.kvs[0].create_revision, '40');
    assert.equal(res.kvs[0].key.toString(), '/a');
  });

  it('turns grpc-status into etcd3 typed errors (compacted reads stay recognisable)', async () => {
    const etcd = await fakeEtcd((s) => s.respond({ ':status': 200, 'content-type': 'application/grpc', 'grpc-status': '11', 'grpc-message': 'etcdserver: mvcc: required revision has been compacted' }, { endStream: true }));
    const kv = new EtcdKv({ servers: [etcd.url], thread });
    cleanups.push(() => kv.close(), () => etcd.close());
    const err = await kv.range({ key: Buffer.from('/a'), revision: 3 }).then(() => assert.fail('expected an error'), (e) => e as Error);
    assert.equal(err.name, 'GRPCOutOfRangeError');
    assert.ok(isCompactedError(err));
  });

  it('moves on to the next member when one refuses connections', async () => {
    const etcd = await fakeEtcd((s) => answer(s, RangeResponse.encode({ header: { revision: 7 } }).finish()));
    const kv = new EtcdKv({ servers: [`http://127.0.0.1:${await closedPort()}`, etcd.url], thread });
    cleanups.push(() => kv.close(), () => etcd.close());
    assert.equal((await kv.range({ key: Buffer.from('/a') })).header.revision, '7');
  });

  it('gives up on a member that never answers, without retrying the call, and dials again', async () => {
    let hang = false;
    const etcd = await fakeEtcd((s) => {
      if (!hang) answer(s, RangeResponse.encode({ header: { revision: 9 } }).finish());
    });
    const kv = new EtcdKv({ servers: [etcd.url], callTimeoutMs: 1000, thread });
    cleanups.push(() => kv.close(), () => etcd.close());
    // Connected first, so that the write below reaches etcd within its deadline even on a loaded machine.
    await kv.range({ key: Buffer.from('/a') });
    hang = true;
    const before = etcd.calls;
    const t0 = Date.now();
    const err = await kv.txn({ compare: [], success: [], failure: [] }).then(() => assert.fail('expected an error'), (e) => e as Error);
    assert.equal(err.name, 'GRPCDeadlineExceededError');
    // The call's own deadline gave up, not the 30 s default (far apart even on a loaded machine).
    assert.ok(Date.now() - t0 < 15_000);
    assert.equal(etcd.calls - before, 1, 'a write that may have been applied is not sent again');
    hang = false;
    assert.equal((await kv.range({ key: Buffer.from('/a') })).header.revision, '9');
  });

  it('lets etcd send 16 MiB before the apiserver reads (stream and connection windows), on both channels', async () => {
    // With HTTP/2's 64 KiB a busy apiserver took etcd's answers 64 KiB per event-loop turn
    // and a Lease renewal's etcd call waited behind list answers until its deadline (issue 14).
    const seen: { stream: number; connection: number }[] = [];
    const etcd = await fakeEtcd((s) => {
      seen.push({ stream: s.session!.remoteSettings.initialWindowSize!, connection: s.session!.state.remoteWindowSize! });
      answer(s, RangeResponse.encode({ header: { revision: 5 } }).finish());
    });
    const kv = new EtcdKv({ servers: [etcd.url] });
    const client = createEtcdClient({ servers: [etcd.url] });
    cleanups.push(() => kv.close(), () => client.close(), () => etcd.close());
    await kv.range({ key: Buffer.from('/a') });
    await client.get('/a').string();
    assert.equal(seen.length, 2);
    for (const w of seen) assert.deepEqual(w, { stream: ETCD_FLOW_CONTROL_WINDOW, connection: ETCD_FLOW_CONTROL_WINDOW });
  });

  it('keeps at most maxInflight calls at etcd, and a Lease call goes past the ones waiting', async () => {
    const held: http2.ServerHttp2Stream[] = [];
    const etcd = await fakeEtcd((s, body) => {
      if (body.includes('/registry/leases/')) answer(s, RangeResponse.encode({ header: { revision: 3 } }).finish());
      else held.push(s);
    });
    const kv = new EtcdKv({ servers: [etcd.url], maxInflight: 2 });
    cleanups.push(() => kv.close(), () => etcd.close());
    const pods = Array.from({ length: 5 }, (_, i) => kv.range({ key: Buffer.from(`/registry/pods/ns/p${i}`) }));
    const lease = await kv.txn({ compare: [{ key: Buffer.from('/registry/leases/kube-node-lease/n1'), target: 'Mod', mod_revision: 2 }], success: [], failure: [] });
    assert.equal(lease.header.revision, '3');
    assert.equal(held.length, 2, 'only two calls reached etcd before the Lease call was answered');
    assert.equal(etcd.calls, 3);
    // As each held call is answered, the next waiting one reaches etcd.
    const heldNow = () => held.length;
    for (let answered = 0; answered < 5; answered++) {
      while (!heldNow()) await new Promise((r) => setTimeout(r, 5));
      answer(held.shift()!, RangeResponse.encode({ header: { revision: 4 } }).finish());
    }
    assert.deepEqual((await Promise.all(pods)).map((r) => r.header.revision), ['4', '4', '4', '4', '4']);
    assert.equal(etcd.calls, 6);
  });
});
