// SPDY/3.1 sessions for port-forward (and exec/attach from kubectl before 1.30), on a raw
// upgraded socket or tunnelled through a WebSocket. Framing and header compression come
// from spdy-transport; Go's spdystream sends streams without the `:method`/`:path` headers
// spdy-transport insists on, so those are filled in before it checks.
import type { Duplex } from 'node:stream';
// @ts-expect-error spdy-transport ships no types
import transport from 'spdy-transport';

export interface SpdyStream extends Duplex {
  id: number;
  headers: Record<string, string>;
  respond(status: number, headers: Record<string, string>): void;
  abort(code?: string, callback?: () => void): void;
}

export interface SpdySession {
  on(event: 'stream', listener: (stream: SpdyStream) => void): this;
  on(event: 'error' | 'close', listener: (err?: Error) => void): this;
  end(callback?: () => void): void;
  destroyStreams(err?: Error): void;
}

export function spdyServerSession(socket: Duplex): SpdySession {
  const conn = transport.connection.create(socket, { protocol: 'spdy', isServer: true, windowSize: 16 * 1024 * 1024 });
  const parser = conn._spdyState.parser;
  const parseKVs = parser.parseKVs.bind(parser);
  parser.parseKVs = (buffer: unknown, callback: (err: Error | null, headers?: Record<string, string>) => void) =>
    parseKVs(buffer, (err: Error | null, headers?: Record<string, string>) => {
      if (headers) {
        headers[':method'] ??= 'POST';
        headers[':path'] ??= '/';
      }
      callback(err, headers);
    });
  // Go's spdystream (kubectl's side) neither honours nor sends WINDOW_UPDATE, so a sender
  // that waits for window refills stalls after 64 KiB: open the send windows wide, as the
  // Go servers effectively do.
  const wide = 0x7fffffff;
  for (const side of [conn._spdyState.window.send, conn._spdyState.streamWindow.send]) {
    side.limit = wide;
    side.max = wide;
    side.current = wide;
    side.lowWaterMark = 0;
  }
  conn.start(3.1);
  return conn as SpdySession;
}

/** Headers as the Go client sent them (lower-cased by the parser), without the fillers. */
export function streamHeader(stream: SpdyStream, name: string): string | undefined {
  const v = stream.headers[name.toLowerCase()];
  return Array.isArray(v) ? v[0] : v;
}
