import { test } from 'node:test';
import assert from 'node:assert/strict';
import { demuxBuffer } from './docker-streams.js';

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
