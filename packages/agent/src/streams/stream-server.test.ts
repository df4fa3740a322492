import { test } from 'node:test';
import assert from 'node:assert/strict';
import { EventEmitter } from 'node:events';
import { createLogger } from '@k8ts/client';
import type { Pod } from '@k8ts/api';
import { StreamServer, type ConnectCall, type StreamServerOptions } from './stream-server.js';
import type { ContainerRuntime } from '../runtime/container-runtime.js';

class FakeCall extends EventEmitter implements ConnectCall {
  written: Record<string, any>[] = [];
  ended = false;
  write(msg: Record<string, unknown>): boolean {
    this.written.push(msg);
    return true;
  }
  end(): void {
    this.ended = true;
  }
}

const log = createLogger('agent-test');
log.level = 'silent';

/** A StreamServer for node n1 whose every Connect call is a FakeCall kept in `calls`. */
function serverOver(calls: FakeCall[], pods: Map<string, Pod>, more: Partial<StreamServerOptions>): StreamServer {
  const connect = () => {
    const c = new FakeCall();
    calls.push(c);
    return c;
  };
  return new StreamServer({ connect, nodeName: 'n1', runtime: { list: async () => [] } as unknown as ContainerRuntime, pods: () => pods, log, ...more });
}

test('reopens the Connect stream when it breaks, and answers streams for unknown pods with 404', async () => {
  const calls: FakeCall[] = [];
  const pod = { metadata: { name: 'web', namespace: 'default', uid: 'u1' }, spec: { containers: [{ name: 'c' }] } } as Pod;
  const s = serverOver(calls, new Map([['u1', pod]]), { reconnectMs: 20 });
  s.start();
  assert.equal(calls.length, 1);
  calls[0].emit('error', new Error('UNAVAILABLE'));
  calls[0].emit('end');
  await new Promise((r) => setTimeout(r, 60));
  assert.equal(calls.length, 2, 'reconnected once (error and end count as one break)');
  const c = calls[1];
  c.emit('data', { stream_id: 's1', msg: 'open', open: { kind: 'log', namespace: 'default', pod: 'nope', pod_uid: '', params_json: '{"container":"c"}' } });
  c.emit('data', { stream_id: 's2', msg: 'open', open: { kind: 'log', namespace: 'default', pod: 'web', pod_uid: 'u1', params_json: '{"container":"c"}' } });
  c.emit('data', { stream_id: 's3', msg: 'open', open: { kind: 'exec', namespace: 'default', pod: 'web', pod_uid: 'u1', params_json: '{"container":"zz","command":["sh"]}' } });
  await new Promise((r) => setTimeout(r, 30));
  const closes = Object.fromEntries(c.written.filter((m) => m.close).map((m) => [m.stream_id, JSON.parse(m.close.status_json)]));
  assert.equal(closes.s1.code, 404);
  assert.equal(closes.s2.code, 400);
  assert.match(closes.s2.message, /waiting to start/);
  assert.match(closes.s3.message, /container zz is not valid for pod web/);
  s.stop();
  assert.equal(c.ended, true);
});

test('tells of every new stream (the agent renews its Lease then), and reconnects at once after a stream that worked, slower after one that did not', async (t) => {
  const calls: FakeCall[] = [];
  let opened = 0;
  const s = serverOver(calls, new Map(), { reconnectMs: 5000, onConnect: () => opened++ });
  t.after(() => s.stop());
  s.start();
  assert.equal(opened, 1);
  await new Promise((r) => setTimeout(r, 1050)); // a stream that worked for a while
  calls[0].emit('end');
  await new Promise((r) => setTimeout(r, 200));
  assert.equal(calls.length, 2, 'reconnected well before reconnectMs');
  assert.equal(opened, 2);
  calls[1].emit('end'); // broke at once: a failing apiserver is not hammered
  await new Promise((r) => setTimeout(r, 200));
  assert.equal(calls.length, 2);
});

test('a nodeproxy stream is bytes to the agent\'s own ops port, whatever port is asked; none without an ops server', async (t) => {
  const http = await import('node:http');
  const ops = http.createServer((req, res) => res.end(`ops ${req.url}`));
  await new Promise<void>((r) => ops.listen(0, '127.0.0.1', r));
  t.after(() => ops.close());
  const calls: FakeCall[] = [];
  const s = serverOver(calls, new Map(), { opsPort: (ops.address() as { port: number }).port });
  t.after(() => s.stop());
  s.start();
  const c = calls[0]!;
  c.emit('data', { stream_id: 'n1', msg: 'open', open: { kind: 'nodeproxy', namespace: '', pod: '', pod_uid: '', params_json: '{"port":22}' } });
  c.emit('data', { stream_id: 'n1', msg: 'data', data: { channel: 0, data: Buffer.from('GET /healthz HTTP/1.0\r\n\r\n') } });
  for (let i = 0; i < 500 && !c.written.some((m) => m.stream_id === 'n1' && m.close); i++) await new Promise((r) => setTimeout(r, 10));
  const got = Buffer.concat(c.written.filter((m) => m.stream_id === 'n1' && m.data).map((m) => m.data.data)).toString();
  assert.match(got, /^HTTP\/1\.[01] 200/);
  assert.match(got, /ops \/healthz$/);

  const none = serverOver(calls, new Map(), { opsPort: -1 });
  t.after(() => none.stop());
  none.start();
  const c2 = calls.at(-1)!;
  c2.emit('data', { stream_id: 'n2', msg: 'open', open: { kind: 'nodeproxy', namespace: '', pod: '', pod_uid: '', params_json: '{}' } });
  for (let i = 0; i < 500 && !c2.written.some((m) => m.stream_id === 'n2' && m.close); i++) await new Promise((r) => setTimeout(r, 10));
  const close = c2.written.find((m) => m.stream_id === 'n2' && m.close);
  assert.equal(JSON.parse(close!.close.status_json).code, 503);
});
