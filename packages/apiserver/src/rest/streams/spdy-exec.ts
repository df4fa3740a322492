// exec and attach over SPDY (kubectl before the WebSocket default): the client opens one
// stream per channel, named by its `streamtype` header; once the expected ones are there
// the agent stream starts. The process' end is written to the error stream (a Status for
// v4.channel.k8s.io, the message text for older versions).
import type { Duplex } from 'node:stream';
import type { Logger } from 'pino';
import type { TunnelStream } from '../../tunnel/types.js';
import { STDIN_CLOSE_CHANNEL } from '../../tunnel/types.js';
import { spdyServerSession, streamHeader, type SpdyStream } from './spdy.js';
import { errorChannelPayload } from './channels.js';
import type { ExecParams } from './exec-params.js';

export const SPDY_EXEC_PROTOCOLS = ['v4.channel.k8s.io', 'v3.channel.k8s.io', 'v2.channel.k8s.io', 'channel.k8s.io'];

export function serveSpdyExec(socket: Duplex, protocol: string, params: ExecParams, openStream: () => TunnelStream, logger: Logger): void {
  const session = spdyServerSession(socket);
  const streams = new Map<string, SpdyStream>();
  const expected = ['error'];
  if (params.stdin) expected.push('stdin');
  if (params.stdout) expected.push('stdout');
  if (params.stderr) expected.push('stderr');
  if (params.tty && protocol !== 'channel.k8s.io' && protocol !== 'v2.channel.k8s.io') expected.push('resize');
  let started = false;

  const start = () => {
    if (started) return;
    started = true;
    clearTimeout(timer);
    let stream: TunnelStream;
    try {
      stream = openStream();
    } catch (e) {
      streams.get('error')?.end((e as Error).message);
      session.end();
      return;
    }
    const stdin = streams.get('stdin');
    stdin?.on('data', (chunk: Buffer) => stream.write(0, chunk));
    stdin?.on('end', () => stream.closed || stream.write(STDIN_CLOSE_CHANNEL, Buffer.from([0])));
    // Resize events arrive as a sequence of JSON objects.
    streams.get('resize')?.on('data', (chunk: Buffer) => stream.write(4, chunk));
    stream.on('data', (channel: number, data: Buffer) => {
      const target = channel === 1 ? streams.get('stdout') : channel === 2 ? streams.get('stderr') : undefined;
      target?.write(data);
    });
    stream.on('close', (statusJson: string) => {
      streams.get('stdout')?.end();
      streams.get('stderr')?.end();
      const payload = errorChannelPayload(protocol, statusJson);
      const err = streams.get('error');
      if (err) {
        if (payload) err.write(payload);
        err.end();
      }
      setTimeout(() => session.end(), 100);
    });
    socket.on('close', () => stream.closed || stream.close());
  };
  // kubelet waits a while for all streams, then works with what it has.
  const timer = setTimeout(start, 5000);

  session.on('stream', (s: SpdyStream) => {
    s.respond(200, {});
    s.on('error', () => undefined);
    const type = streamHeader(s, 'streamtype') ?? '';
    streams.set(type, s);
    if (expected.every((t) => streams.has(t))) start();
  });
  session.on('error', (err) => logger.debug({ err }, 'exec session error'));
  socket.on('close', () => clearTimeout(timer));
  socket.on('error', () => undefined);
}
