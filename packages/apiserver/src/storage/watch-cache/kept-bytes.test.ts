import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { keptBytes, keptUtf8 } from './kept-bytes.js';
import { encodeWatchEvent, watchFormat } from '../../rest/watch-encoding.js';

const ownsItsMemory = (b: Buffer) => b.byteOffset === 0 && b.buffer.byteLength === b.byteLength;

describe('bytes kept with an event', () => {
  it('copies a slice of Node’s pool into memory of its own, with the same bytes', () => {
    const pooled = Buffer.from('{"type":"ADDED"}');
    assert.ok(!ownsItsMemory(pooled), 'a small Buffer.from is a slice of the 8 KiB pool');
    const kept = keptBytes(pooled);
    assert.ok(ownsItsMemory(kept));
    assert.deepEqual(kept, pooled);
  });

  it('keeps a Buffer that already owns its memory as it is', () => {
    const own = Buffer.allocUnsafeSlow(16).fill(7);
    assert.equal(keptBytes(own), own);
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
