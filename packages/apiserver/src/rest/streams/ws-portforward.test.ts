// kubelet's WebSocket port-forward protocol on the REST face, with a scripted agent: the
// 2-byte port prefix on each channel's first frame, data both ways per port, a failure as
// text on the port's error channel, the close once every port is done, the base64 variant,
// and bad `ports` refused before the upgrade.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { EventEmitter } from 'node:events';
import WebSocket from 'ws';
import { startTestRestServer, type TestRestServer } from '../../testing/rest-server.js';
import { portForwardPorts } from './ws-portforward.js';

let rest: TestRestServer;

/** Uppercases what it gets on port 80; refuses port 9; ends a stream when sent "bye". */
class EchoAgent extends EventEmitter {
  write(msg: any): boolean {
    const id = msg.stream_id;
    const reply = (m: Record<string, unknown>) => setImmediate(() => this.emit('data', { stream_id: id, ...m }));
    if (msg.open && JSON.parse(msg.open.params_json).port === 9) reply({ close: { status_json: JSON.stringify({ status: 'Failure', message: 'connection refused' }) } });
    else if (msg.data?.channel === 0) {
      const text = Buffer.from(msg.data.data).toString();
      if (text === 'bye') reply({ close: { status_json: '' } });
      else reply({ data: { channel: 0, data: Buffer.from(text.toUpperCase()) } });
    }
    return true;
  }
  end(): void {}
}

before(async () => {
  rest = await startTestRestServer();
  rest.hub.attach('node-1', new EchoAgent());
  await rest.registry.create('pods', 'default', { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p', namespace: 'default' }, spec: { nodeName: 'node-1', containers: [{ name: 'c', image: 'k8ts/hello:1.0' }] } } as never);
});
after(() => rest.stop());

function connect(query: string, protocols: string[]) {
  const ws = new WebSocket(`${rest.base.replace('http', 'ws')}/api/v1/namespaces/default/pods/p/portforward?${query}`, protocols);
  const frames: (Buffer | string)[] = [];
  ws.on('message', (d: Buffer, binary: boolean) => frames.push(binary ? Buffer.from(d) : d.toString()));
  const closed = new Promise<number>((r) => ws.on('close', (code) => r(code)));
  const opened = new Promise<void>((r, j) => {
    ws.on('open', () => r());
    ws.on('error', j);
  });
  return { ws, frames, closed, opened };
}

async function until(what: string, fn: () => boolean) {
  for (let i = 0; i < 200 && !fn(); i++) await new Promise((r) => setTimeout(r, 10));
  assert.ok(fn(), what);
}

test('ports: comma lists and repeats; garbage refused', () => {
  assert.deepEqual(portForwardPorts(new URLSearchParams('ports=80,9&ports=443')), [80, 9, 443]);
  for (const bad of ['', 'ports=', 'ports=0', 'ports=65536', 'ports=80,x', 'ports=-1', 'ports=1e3']) assert.throws(() => portForwardPorts(new URLSearchParams(bad)), /port/, bad);
});

test('v4.channel.k8s.io: prefixes, data per port, errors on the error channel, close at the end', async () => {
  const c = connect('ports=80,9', ['v5.channel.k8s.io', 'v4.channel.k8s.io']);
  await c.opened;
  assert.equal(c.ws.protocol, 'v4.channel.k8s.io');
  await until('four prefixes and the error', () => c.frames.length >= 5);
  const le = (p: number) => Buffer.from([p & 0xff, p >> 8]);
  assert.deepEqual(c.frames.slice(0, 4), [Buffer.concat([Buffer.from([0]), le(80)]), Buffer.concat([Buffer.from([1]), le(80)]), Buffer.concat([Buffer.from([2]), le(9)]), Buffer.concat([Buffer.from([3]), le(9)])]);
  const err = c.frames[4] as Buffer;
  assert.equal(err[0], 3);
  assert.match(err.subarray(1).toString(), /^error forwarding port 9 to pod p, uid [0-9a-f-]+: connection refused$/);
  c.ws.send(Buffer.concat([Buffer.from([0]), Buffer.from('hello')]));
  await until('echo', () => c.frames.length >= 6);
  assert.deepEqual(c.frames[5], Buffer.concat([Buffer.from([0]), Buffer.from('HELLO')]));
  c.ws.send(Buffer.concat([Buffer.from([0]), Buffer.from('bye')]));
  assert.equal(await c.closed, 1000);
});

test('v4.base64.channel.k8s.io: text frames, channel as a digit', async () => {
  const c = connect('ports=80', ['v4.base64.channel.k8s.io']);
  await c.opened;
  assert.equal(c.ws.protocol, 'v4.base64.channel.k8s.io');
  await until('prefixes', () => c.frames.length >= 2);
  assert.deepEqual(c.frames.slice(0, 2), ['0' + Buffer.from([80, 0]).toString('base64'), '1' + Buffer.from([80, 0]).toString('base64')]);
  c.ws.send('0' + Buffer.from('abc').toString('base64'));
  await until('echo', () => c.frames.length >= 3);
  assert.equal(c.frames[2], '0' + Buffer.from('ABC').toString('base64'));
  c.ws.close();
  await c.closed;
});

test('bad ports and unknown subprotocols are a 400 before the upgrade', async () => {
  for (const [query, protocols] of [['ports=0', ['v4.channel.k8s.io']], ['', ['v4.channel.k8s.io']], ['ports=80', ['v9.bogus']]] as const) {
    const c = connect(query, [...protocols]);
    c.opened.catch(() => undefined);
    const status = await new Promise<number>((r) => c.ws.on('unexpected-response', (_req, res) => r(res.statusCode ?? 0)));
    assert.equal(status, 400, `${query} ${protocols}`);
    c.ws.terminate();
  }
});

test('SPDY/3.1+portforward.k8s.io (kubectl 1.31+) is accepted and named in the answer, though no token for ws', async () => {
  const http = await import('node:http');
  const { randomBytes } = await import('node:crypto');
  const answer = await new Promise<{ status: number; protocol?: string }>((resolve, reject) => {
    const req = http.request(`${rest.base}/api/v1/namespaces/default/pods/p/portforward`, {
      headers: { Connection: 'Upgrade', Upgrade: 'websocket', 'Sec-WebSocket-Version': '13', 'Sec-WebSocket-Key': randomBytes(16).toString('base64'), 'Sec-WebSocket-Protocol': 'SPDY/3.1+portforward.k8s.io' },
    });
    req.on('upgrade', (res, socket) => {
      socket.destroy();
      resolve({ status: res.statusCode ?? 0, protocol: res.headers['sec-websocket-protocol'] as string | undefined });
    });
    req.on('response', (res) => resolve({ status: res.statusCode ?? 0 }));
    req.on('error', reject);
    req.end();
  });
  assert.deepEqual(answer, { status: 101, protocol: 'SPDY/3.1+portforward.k8s.io' });
});
