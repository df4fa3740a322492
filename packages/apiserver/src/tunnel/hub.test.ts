import { test } from 'node:test';
import assert from 'node:assert/strict';
import { EventEmitter } from 'node:events';
import { TunnelHub } from './hub.js';
import { readAgentMessage } from './messages.js';
import { ApiError } from '@k8ts/client';

class Call extends EventEmitter {
  sent: any[] = [];
  ended = false;
  write(msg: any): boolean {
    this.sent.push(msg);
    return true;
  }
  end(): void {
    this.ended = true;
  }
}

test('agent messages are read in either field spelling of the proto loader', () => {
  assert.deepEqual(readAgentMessage({ stream_id: '3', msg: 'data', data: { channel: 2, data: Buffer.from('x') }, hello: null, close: null }), { streamId: '3', data: { channel: 2, data: Buffer.from('x') } });
  assert.deepEqual(readAgentMessage({ streamId: '4', close: { statusJson: '{"status":"Success"}' } }), { streamId: '4', close: { statusJson: '{"status":"Success"}' } });
  assert.deepEqual(readAgentMessage({ stream_id: '', hello: { node_name: 'n1' } }), { streamId: '', hello: { nodeName: 'n1' } });
});

test('streams are opened on the node\'s call, multiplexed by id, and closed from either side', () => {
  const hub = new TunnelHub();
  const call = new Call();
  hub.attach('n1', call);
  assert.deepEqual(hub.connectedNodes(), ['n1']);
  const a = hub.open('n1', { kind: 'exec', namespace: 'ns', pod: 'p', podUid: 'u', params: { command: ['sh'] } });
  const b = hub.open('n1', { kind: 'log', namespace: 'ns', pod: 'p', podUid: 'u', params: {} });
  assert.notEqual(a.id, b.id);
  assert.equal(call.sent[0].open.kind, 'exec');
  assert.equal(call.sent[0].open.params_json, '{"command":["sh"]}');
  assert.equal(call.sent[0].open.paramsJson, '{"command":["sh"]}');
  const gotA: string[] = [];
  const gotB: string[] = [];
  a.on('data', (ch: number, d: Buffer) => gotA.push(`${ch}:${d}`));
  b.on('data', (ch: number, d: Buffer) => gotB.push(`${ch}:${d}`));
  call.emit('data', { stream_id: b.id, msg: 'data', data: { channel: 1, data: Buffer.from('log') } });
  call.emit('data', { stream_id: a.id, msg: 'data', data: { channel: 2, data: Buffer.from('err') } });
  assert.deepEqual(gotA, ['2:err']);
  assert.deepEqual(gotB, ['1:log']);
  a.write(0, Buffer.from('in'));
  assert.deepEqual(call.sent.at(-1), { stream_id: a.id, streamId: a.id, data: { channel: 0, data: Buffer.from('in') } });
  let closedWith: string | undefined;
  b.on('close', (s: string) => (closedWith = s));
  call.emit('data', { stream_id: b.id, msg: 'close', close: { status_json: '' } });
  assert.equal(closedWith, '');
  assert.equal(b.closed, true);
  a.close();
  assert.equal(call.sent.at(-1).close.status_json, '');
  assert.equal(a.closed, true);
});

test('a lost or replaced agent ends its streams with 503; an unknown node is 503 at once', () => {
  const hub = new TunnelHub();
  const first = new Call();
  hub.attach('n1', first);
  const s = hub.open('n1', { kind: 'log', namespace: 'ns', pod: 'p', podUid: 'u', params: {} });
  let status = '';
  s.on('close', (j: string) => (status = j));
  const second = new Call();
  hub.attach('n1', second);
  assert.equal(JSON.parse(status).code, 503);
  assert.equal(first.ended, true);
  // The replaced call ending later must not detach the new one.
  first.emit('end');
  assert.deepEqual(hub.connectedNodes(), ['n1']);
  second.emit('cancelled');
  assert.deepEqual(hub.connectedNodes(), []);
  assert.throws(() => hub.open('n1', { kind: 'log', namespace: 'ns', pod: 'p', podUid: 'u', params: {} }), (e: unknown) => e instanceof ApiError && e.code === 503);
});

test('attachCall waits for the hello', () => {
  const hub = new TunnelHub();
  const call = new Call();
  hub.attachCall(call);
  assert.deepEqual(hub.connectedNodes(), []);
  call.emit('data', { stream_id: '', msg: 'hello', hello: { node_name: 'n7' } });
  assert.deepEqual(hub.connectedNodes(), ['n7']);
});

test('a node whose connection ends without a newer one is reported lost; a replaced one and the hub closing are not', () => {
  const lost: string[] = [];
  const hub = new TunnelHub(undefined, (node) => lost.push(node));
  const first = new Call();
  const second = new Call();
  hub.attach('n1', first);
  hub.attach('n1', second); // the agent reconnected before its old call ended
  first.emit('end');
  assert.deepEqual(lost, [], 'the old call of a reconnected agent');
  second.emit('cancelled');
  assert.deepEqual(lost, ['n1']);
  const third = new Call();
  hub.attach('n2', third);
  hub.close();
  third.emit('end');
  assert.deepEqual(lost, ['n1'], 'not at shutdown: the agents reconnect to the next apiserver');
});
