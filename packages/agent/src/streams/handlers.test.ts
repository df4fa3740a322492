import { test } from 'node:test';
import assert from 'node:assert/strict';
import { pickInstance, StreamError } from './handlers.js';
import { demuxBuffer } from '../runtime/docker/docker-streams.js';
import type { ObservedContainer } from '../runtime/container-runtime.js';

function frame(stream: number, s: string): Buffer {
  const body = Buffer.from(s);
  const h = Buffer.alloc(8);
  h[0] = stream;
  h.writeUInt32BE(body.length, 4);
  return Buffer.concat([h, body]);
}

test('demuxBuffer splits stdout and stderr frames; plain text passes through', () => {
  const parts = demuxBuffer(Buffer.concat([frame(1, 'out\n'), frame(2, 'err\n'), frame(1, 'more')]));
  assert.deepEqual(parts.map((p) => [p.stream, p.data.toString()]), [[1, 'out\n'], [2, 'err\n'], [1, 'more']]);
  assert.deepEqual(demuxBuffer(Buffer.from('plain tty text here')).map((p) => p.data.toString()), ['plain tty text here']);
});

test('pickInstance: newest, or the one before for --previous', () => {
  const c = (id: string, restartCount: number, running: boolean) => ({ id, kind: 'app', name: 'c', restartCount, running, state: running ? 'running' : 'exited' }) as ObservedContainer;
  const all = [c('a', 0, false), c('b', 1, true), { ...c('s', 0, true), kind: 'sandbox', name: 'POD' } as ObservedContainer];
  assert.equal(pickInstance(all, 'p', 'c', false).id, 'b');
  assert.equal(pickInstance(all, 'p', 'c', true).id, 'a');
  assert.throws(() => pickInstance([c('a', 0, true)], 'p', 'c', true), (e: Error) => e instanceof StreamError && /previous terminated container "c" in pod "p" not found/.test(e.message));
  assert.throws(() => pickInstance([], 'p', 'c', false), /waiting to start/);
});
