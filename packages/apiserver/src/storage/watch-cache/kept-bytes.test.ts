import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { keptUtf8 } from './kept-bytes.js';
import { encodeWatchEvent, watchFormat } from '../../rest/watch-encoding.js';

const ownsItsMemory = (b: Buffer) => b.byteOffset === 0 && b.buffer.byteLength === b.byteLength;

describe('bytes kept with an event', () => {
  it('a small Buffer.from is a slice of Node’s pool (what keptUtf8 avoids)', () => {
    assert.ok(!ownsItsMemory(Buffer.from('{"type":"ADDED"}')));
  });

  it('writes a string’s UTF-8 into memory of its own', () => {
    const kept = keptUtf8('ünïcode ✓');
    assert.ok(ownsItsMemory(kept));
    assert.equal(kept.toString('utf8'), 'ünïcode ✓');
  });

  it('encodes a REST watch event once per event, as a chunk of its own with the line inside it', () => {
    const ev = { type: 'ADDED' as const, object: { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'ä', namespace: 'default', resourceVersion: '5' } } };
    const f = watchFormat('pods', { as: 'object', yaml: false }, 'Object');
    const enc = encodeWatchEvent(ev, f, false);
    const line = `{"type":"ADDED","object":${JSON.stringify(ev.object)}}\n`;
    assert.equal(enc.line.toString('utf8'), line);
    assert.equal(enc.chunk.toString('utf8'), `${Buffer.byteLength(line).toString(16)}\r\n${line}\r\n`);
    assert.ok(ownsItsMemory(enc.chunk));
    assert.equal(enc.line.buffer, enc.chunk.buffer, 'the line is a view of the chunk, not a second copy');
    assert.equal(encodeWatchEvent(ev, f, false), enc, 'the same event encodes once');
  });
});
