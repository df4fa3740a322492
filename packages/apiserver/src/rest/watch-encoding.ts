// Watch event lines as bytes, encoded once per event and representation however many
// watchers receive them, and already framed as an HTTP/1.1 chunk so a watcher's socket
// gets one write per batch of events.
import type { KubeObject, WatchEvent } from '@k8ts/api';
import type { Output } from './negotiate.js';
import type { Logger } from 'pino';
import type { IncludeObject } from './tables/index.js';
import { toTable, partialObjectMetadata } from './tables/index.js';
import { encodeShared } from '../storage/watch-cache/watch-event.js';
import { keptUtf8 } from '../storage/watch-cache/kept-bytes.js';

export interface WatchFormat {
  resource: string;
  output: Output;
  includeObject: IncludeObject;
  /** Cache key of this representation (without the Table header flag). */
  key: string;
  logger?: Logger;
}

export function watchFormat(resource: string, output: Output, includeObject: IncludeObject, logger?: Logger): WatchFormat {
  const key = output.as === 'object' ? 'object' : `${output.as}/${output.version}/${includeObject}`;
  return { resource, output, includeObject, key, logger };
}

/** The JSON line of an event: objects, one-row Tables (with column definitions only first) or PartialObjectMetadata. */
function encodeLine(ev: WatchEvent, f: WatchFormat, withHeaders: boolean): string {
  let json: string;
  if (ev.type === 'ERROR' || ev.type === 'BOOKMARK') json = JSON.stringify(ev.object);
  else if (f.output.as === 'table') {
    json = JSON.stringify(
      toTable(f.resource, [ev.object as KubeObject], { version: f.output.version, includeObject: f.includeObject, resourceVersion: ev.object.metadata?.resourceVersion, noHeaders: !withHeaders, logger: f.logger }),
    );
  } else if (f.output.as === 'partial') json = JSON.stringify(partialObjectMetadata(ev.object as KubeObject, f.output.version));
  else json = encodeShared(ev.object);
  return `{"type":${JSON.stringify(ev.type)},"object":${json}}\n`;
}

export interface EncodedEvent {
  /** The JSON line. */
  line: Buffer;
  /** The same line framed as an HTTP chunk. */
  chunk: Buffer;
}

// Per shared event object (the registry hands the same object to every watcher), per
// representation and event type.
const cache = new WeakMap<object, Map<string, EncodedEvent>>();

export function encodeWatchEvent(ev: WatchEvent, f: WatchFormat, withHeaders: boolean): EncodedEvent {
  if (ev.type === 'ERROR' || ev.type === 'BOOKMARK') {
    // Per-watcher objects: nothing to share.
    return keptChunk(encodeLine(ev, f, withHeaders));
  }
  const key = `${ev.type}|${f.key}|${withHeaders && f.output.as === 'table' ? 'h' : ''}`;
  let byKey = cache.get(ev.object);
  if (!byKey) {
    byKey = new Map();
    cache.set(ev.object, byKey);
  }
  let enc = byKey.get(key);
  if (!enc) {
    enc = keptChunk(encodeLine(ev, f, withHeaders));
    byKey.set(key, enc);
  }
  return enc;
}

/** The line framed as one chunk of a chunked HTTP/1.1 body, in memory of its own (a shared event keeps it), the line a view of it. */
function keptChunk(line: string): EncodedEvent {
  const length = Buffer.byteLength(line);
  const head = `${length.toString(16)}\r\n`;
  const chunk = keptUtf8(`${head}${line}\r\n`);
  return { line: chunk.subarray(head.length, head.length + length), chunk };
}
