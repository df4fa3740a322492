import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import http2 from 'node:http2';
import net from 'node:net';
import { createCa, issueClientCert } from '@k8ts/client';
import { EtcdThread } from './etcd-thread.js';
import { FrameBatch, readFrames } from './etcd-thread-frames.js';

/** An HTTP/2 server that takes calls and answers none of them, counting them. */
async function silentEtcd(): Promise<{ url: string; calls: number; close(): void }> {
  const server = http2.createServer();
  const state = { url: '', calls: 0, close: () => server.close() };
  server.on('stream', (s) => {
    state.calls++;
    s.on('data', () => {});
    s.on('error', () => {});
  });
  // A client thread terminated mid-call resets its connection: expected here, not a failure.
  server.on('session', (s) => {
    s.on('error', () => {});
    server.once('close', () => s.destroy());
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  state.url = `http://127.0.0.1:${(server.address() as net.AddressInfo).port}`;
  return state;
}

/** The thread behind an EtcdThread, to end it as a crash would. */
const workerOf = (t: EtcdThread) => (t as unknown as { worker: { terminate(): Promise<number> } | undefined }).worker;

describe('EtcdThread', () => {
  const cleanups: (() => void)[] = [];
  after(() => cleanups.forEach((f) => f()));

  it('fails the calls in flight when its thread dies, and starts a new thread for the next call', async () => {
    const etcd = await silentEtcd();
    const t = new EtcdThread({ servers: [etcd.url], callTimeoutMs: 60_000 });
    cleanups.push(() => t.close(), () => etcd.close());
    const inFlight = t.call('/etcdserverpb.KV/Range', new Uint8Array([10, 1, 97]));
    while (etcd.calls === 0) await new Promise((r) => setTimeout(r, 20));
    const first = workerOf(t);
    await first!.terminate();
    const err = await inFlight.then(() => assert.fail('expected an error'), (e) => e as Error);
    assert.match(err.message, /etcd client thread/);
    const next = t.call('/etcdserverpb.KV/Range', new Uint8Array([10, 1, 98]));
    while (etcd.calls < 2) await new Promise((r) => setTimeout(r, 20));
    assert.notEqual(workerOf(t), first, 'a new thread made the call');
    t.close();
    assert.match((await next.then(() => assert.fail('expected an error'), (e) => e as Error)).message, /closed/);
    assert.match((await t.call('/etcdserverpb.KV/Range', new Uint8Array()).then(() => assert.fail('expected an error'), (e) => e as Error)).message, /closed/);
  });

  it('hands the caller the status a call failed with as etcd3 typed errors', async () => {
    const t = new EtcdThread({ servers: ['http://127.0.0.1:1'], maxAttempts: 1 });
    cleanups.push(() => t.close());
    const err = await t.call('/etcdserverpb.KV/Range', new Uint8Array()).then(() => assert.fail('expected an error'), (e) => e as Error);
    assert.equal(err.name, 'GRPCUnavailableError');
  });

  it('reaches https:// servers with the TLS files it was given (they cross into the thread as bytes)', async () => {
    const ca = createCa({ commonName: 'etcd-ca' });
    const client = issueClientCert(ca, { user: 'kube-apiserver-etcd-client' });
    const tls = { ca: Buffer.from(ca.certPem), cert: Buffer.from(client.certPem), key: Buffer.from(client.keyPem) };
    const t = new EtcdThread({ servers: ['https://127.0.0.1:1'], maxAttempts: 1, tls });
    cleanups.push(() => t.close());
    const err = await t.call('/etcdserverpb.KV/Range', new Uint8Array()).then(() => assert.fail('expected an error'), (e) => e as Error);
    assert.equal(err.name, 'GRPCUnavailableError', err.message);
  });
});

describe('FrameBatch', () => {
  it('posts the records of one turn as one buffer that reads back as they were added', async () => {
    const posted: ArrayBuffer[] = [];
    const batch = new FrameBatch((f) => posted.push(f));
    batch.add(1, 0, 0, Buffer.from('abc'));
    batch.add(2 ** 32 - 1, 2, 14, new Uint8Array());
    batch.add(7, 1, 11, Buffer.alloc(70_000, 7));
    await new Promise((r) => setImmediate(r));
    batch.add(8, 0, 0, Buffer.from('next turn'));
    await new Promise((r) => setImmediate(r));
    assert.equal(posted.length, 2);
    const read: [number, number, number, string][] = [];
    for (const f of posted) readFrames(f, (id, kind, code, bytes) => read.push([id, kind, code, bytes.length > 100 ? `${bytes.length}×${bytes[0]}` : bytes.toString()]));
    assert.deepEqual(read, [
      [1, 0, 0, 'abc'],
      [2 ** 32 - 1, 2, 14, ''],
      [7, 1, 11, '70000×7'],
      [8, 0, 0, 'next turn'],
    ]);
  });
});
