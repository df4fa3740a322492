import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ApiError } from '@k8ts/api';
import { pickInstance, resizer } from './handlers.js';
import type { ObservedContainer } from '../runtime/container-runtime.js';

test('pickInstance: newest, or the one before for --previous', () => {
  const c = (id: string, restartCount: number, running: boolean) => ({ id, kind: 'app', name: 'c', restartCount, running, state: running ? 'running' : 'exited' }) as ObservedContainer;
  const all = [c('a', 0, false), c('b', 1, true), { ...c('s', 0, true), kind: 'sandbox', name: 'POD' } as ObservedContainer];
  assert.equal(pickInstance(all, 'p', 'c', false).id, 'b');
  assert.equal(pickInstance(all, 'p', 'c', true).id, 'a');
  assert.throws(() => pickInstance([c('a', 0, true)], 'p', 'c', true), (e: Error) => e instanceof ApiError && e.code === 400 && /previous terminated container "c" in pod "p" not found/.test(e.message));
  assert.throws(() => pickInstance([], 'p', 'c', false), /waiting to start/);
});

test('resizer: sizes applied one at a time in the order sent, the last one last', async () => {
  const applied: string[] = [];
  let calls = 0;
  // An engine that answers the first call last: unordered calls would end one too big.
  const engine = async (w: number, h: number) => {
    const delay = ++calls === 1 ? 30 : 1;
    await new Promise((r) => setTimeout(r, delay));
    applied.push(`${w}x${h}`);
  };
  const settle = () => new Promise((r) => setTimeout(r, 80));
  const feed = resizer(engine);
  // kubectl attach: size + 1, then the size, as two frames
  feed(Buffer.from('{"Width":101,"Height":31}\n'));
  feed(Buffer.from('{"Width":100,"Height":30}\n'));
  await settle();
  assert.equal(applied.at(-1), '100x30');
  assert.deepEqual(applied, ['101x31', '100x30']);
  // two messages in one chunk, and one split across chunks (SPDY's stream)
  applied.length = 0;
  feed(Buffer.from('{"Width":81,"Height":25}\n{"Width":80,"Height":24}\n{"Wid'));
  feed(Buffer.from('th":120,"Height":40}\n'));
  await settle();
  assert.equal(applied.at(-1), '120x40');
  // a WebSocket frame without a newline; garbage and zero sizes are ignored
  applied.length = 0;
  feed(Buffer.from('{"Width":90,"Height":20}'));
  await settle();
  feed(Buffer.from('not json\n{"Width":0,"Height":5}\n{"Width":-1,"Height":5}\n'));
  feed(Buffer.from('x'.repeat(10_000)));
  feed(Buffer.from('{"Width":70,"Height":10}\n'));
  await settle();
  assert.deepEqual(applied, ['90x20', '70x10']);
});
