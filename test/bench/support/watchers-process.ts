// The watchers of the watch benchmarks, in a process of their own (forked by ./watchers.ts):
// their reads cost CPU and event-loop turns (grpc-js ≈ 20 µs a message), and sharing the
// writer's loop with 1000 of them delayed the writer's own acknowledgements, which the
// bench times. Real watchers are processes of their own too. Each receipt is stamped with
// process.hrtime (CLOCK_MONOTONIC, one clock for every process of the machine) at the read
// and kept here; while the writer is timed it gets only a count now and then, the receipts
// once it has finished.
import net from 'node:net';
import http2 from 'node:http2';
import * as grpc from '@grpc/grpc-js';
import { RawObjects } from '../../support/grpc-objects.js';
import { monotonicMs, type WatchersRequest, type WatchersMessage } from './watchers.js';

const send = (m: WatchersMessage) => process.send!(m);

// Receipts as (event number, time) in typed arrays: 200 000 name strings kept for a whole
// row made the garbage collector's work, and this process's CPU per read, grow by a quarter.
let count = 0;
let seqs = new Int32Array(1 << 16);
let times = new Float64Array(1 << 16);
let reported = 0;
const countTimer = setInterval(() => {
  if (count !== reported) send({ type: 'count', n: (reported = count) });
}, 100);

/** seq -1: an event the writer does not time (its name has no number after the marker). */
function record(seq: number, now: number): void {
  if (count === seqs.length) {
    const s = new Int32Array(count * 2);
    s.set(seqs);
    seqs = s;
    const t = new Float64Array(count * 2);
    t.set(times);
    times = t;
  }
  seqs[count] = seq;
  times[count++] = now;
}

function sendReceipts(): void {
  const CHUNK = 20_000;
  for (let i = 0; i < count; i += CHUNK) {
    const end = Math.min(count, i + CHUNK);
    send({ type: 'receipts', seqs: Array.from(seqs.subarray(i, end)), at: Array.from(times.subarray(i, end)) });
  }
  send({ type: 'collected' });
}

/** Records each watched name in `b` after `needle` ("name":"<marker>); returns what may hold a name cut at the end. */
function scan(b: Buffer, needle: Buffer, now: number): Buffer {
  let from = 0;
  for (;;) {
    const i = b.indexOf(needle, from);
    if (i < 0) break;
    let j = i + needle.length;
    let seq = 0;
    for (; j < b.length && b[j] >= 48 && b[j] <= 57; j++) seq = seq * 10 + b[j] - 48;
    if (j >= b.length) {
      from = i; // cut by this read
      break;
    }
    record(b[j] === 34 && j > i + needle.length ? seq : -1, now);
    from = j;
  }
  return b.subarray(Math.max(from, b.length - needle.length - 64));
}

/**
 * REST watches as plain TCP connections carrying the HTTP/1.1 watch request, read as raw
 * bytes: Node's HTTP client (parser, response stream, decoding) costs ≈ 20 µs a read, which
 * would be what we measure. The server sees an ordinary watch.
 */
async function restWatchers(req: Extract<WatchersRequest, { face: 'rest' }>, needle: Buffer): Promise<() => void> {
  const sockets: net.Socket[] = [];
  const request = Buffer.from(`GET ${req.path} HTTP/1.1\r\nHost: 127.0.0.1:${req.port}\r\nAccept: application/json\r\nAuthorization: Bearer ${req.token}\r\n\r\n`, 'latin1');
  await Promise.all(
    Array.from(
      { length: req.count },
      () =>
        new Promise<void>((resolve, reject) => {
          const s = net.connect(req.port, '127.0.0.1', () => s.write(request));
          sockets.push(s);
          let started = false;
          let tail: Buffer = Buffer.alloc(0);
          s.on('error', reject);
          s.on('data', (chunk: Buffer) => {
            const now = monotonicMs();
            if (!started) {
              started = true;
              if (!chunk.subarray(0, 12).toString('latin1').startsWith('HTTP/1.1 200')) return reject(new Error(`watch answered ${chunk.toString('latin1', 0, 40)}`));
              resolve();
            }
            tail = scan(tail.length ? Buffer.concat([tail, chunk]) : chunk, needle, now);
          });
        }),
    ),
  );
  return () => sockets.forEach((s) => s.destroy());
}

/**
 * gRPC Watch streams as plain HTTP/2 streams spread over a few connections, as separate
 * components would hold them, read as raw bytes: grpc-js's client costs ≈ 20 µs a message
 * (measured here: 22.6 µs a delivery against the apiserver's 14), so with 1000 streams this
 * process, not the apiserver, set the last watcher's time, as Node's HTTP client did for the
 * REST watchers above. The server sees an ordinary gRPC call (the request message framed as
 * gRPC frames it, `te: trailers`, the token as its metadata).
 */
async function grpcWatchers(req: Extract<WatchersRequest, { face: 'grpc' }>, needle: Buffer): Promise<() => void> {
  // Only for Watch's definition (path, request encoding): its channels never connect.
  const objects = new RawObjects(req.address, req.token);
  const def = objects.watchDefinition;
  objects.close();
  const message = def.requestSerialize({ resource: req.resource, namespace: req.namespace, resource_version: req.resourceVersion });
  const frame = Buffer.alloc(5 + message.length);
  frame.writeUInt32BE(message.length, 1);
  message.copy(frame, 5);
  const headers: http2.OutgoingHttpHeaders = { ':method': 'POST', ':path': def.path, 'content-type': 'application/grpc', te: 'trailers' };
  if (req.token) headers.authorization = `Bearer ${req.token}`;
  const sessions = Array.from({ length: Math.max(1, Math.ceil(req.count / 250)) }, () => http2.connect(`http://${req.address}`, { settings: { initialWindowSize: 16 * 1024 * 1024 } }));
  const streams: http2.ClientHttp2Stream[] = [];
  const errors: string[] = [];
  let ready = 0;
  for (const s of sessions) s.on('error', (err) => errors.push(err.message));
  for (let i = 0; i < req.count; i++) {
    const stream = sessions[i % sessions.length]!.request(headers);
    let tail: Buffer = Buffer.alloc(0);
    stream.on('response', (h) => {
      if (h[':status'] === 200 && h['grpc-status'] === undefined) ready++;
      else errors.push(`status ${h[':status']} grpc-status ${h['grpc-status']} ${h['grpc-message'] ?? ''}`);
    });
    stream.on('trailers', (t) => {
      if (t['grpc-status'] !== '0' && t['grpc-status'] !== String(grpc.status.CANCELLED)) errors.push(`grpc-status ${t['grpc-status']} ${t['grpc-message'] ?? ''}`);
    });
    stream.on('data', (chunk: Buffer) => {
      tail = scan(tail.length ? Buffer.concat([tail, chunk]) : chunk, needle, monotonicMs());
    });
    stream.on('error', (err) => errors.push(err.message));
    stream.end(frame);
    streams.push(stream);
  }
  const t0 = Date.now();
  while (ready < req.count && !errors.length && Date.now() - t0 < 20_000) await new Promise((r) => setTimeout(r, 20));
  if (ready < req.count) throw new Error(`${ready}/${req.count} watches started; errors: ${[...new Set(errors)].join('; ') || 'none'}`);
  return () => {
    for (const stream of streams) stream.close(http2.constants.NGHTTP2_CANCEL);
    for (const s of sessions) s.destroy();
  };
}

process.once('message', async (req: WatchersRequest) => {
  const needle = Buffer.from(`"name":"${req.marker}`, 'latin1');
  let stop: () => void;
  try {
    stop = req.face === 'rest' ? await restWatchers(req, needle) : await grpcWatchers(req, needle);
  } catch (err) {
    send({ type: 'error', message: (err as Error).message });
    process.exit(1);
  }
  process.on('message', (m: { type: string }) => {
    if (m.type === 'reset') {
      count = 0;
      reported = -1;
    } else if (m.type === 'collect') sendReceipts();
    else if (m.type === 'stop') {
      clearInterval(countTimer);
      stop();
      send({ type: 'stopped' });
      process.disconnect();
    }
  });
  send({ type: 'ready' });
});
