// Port-forward over SPDY: for each request id the client opens an `error` stream and a
// `data` stream naming the pod port; the data stream is pumped through the agent's
// tunnel to that port, and a failure is written as text on the error stream.
import type { Duplex } from 'node:stream';
import type { Logger } from 'pino';
import type { KubeObject } from '@k8ts/api';
import type { StreamTunnel } from '../../tunnel/types.js';
import { STDIN_CLOSE_CHANNEL } from '../../tunnel/types.js';
import { spdyServerSession, streamHeader, type SpdyStream } from './spdy.js';
import { closeStatus } from './target.js';

interface Pair {
  data?: SpdyStream;
  error?: SpdyStream;
  started: boolean;
}

export function servePortForward(socket: Duplex, pod: KubeObject, nodeName: string, tunnel: StreamTunnel, logger: Logger): void {
  const session = spdyServerSession(socket);
  const pairs = new Map<string, Pair>();
  const namespace = pod.metadata.namespace ?? '';
  const name = pod.metadata.name ?? '';

  const start = (key: string, pair: Pair) => {
    if (pair.started || !pair.data || !pair.error) return;
    pair.started = true;
    const data = pair.data;
    const error = pair.error;
    const port = Number(streamHeader(data, 'port'));
    if (!Number.isInteger(port) || port <= 0 || port > 65535) {
      error.end(`invalid port: ${streamHeader(data, 'port')}`);
      data.end();
      return;
    }
    let stream;
    try {
      stream = tunnel.open(nodeName, { kind: 'portforward', namespace, pod: name, podUid: pod.metadata.uid ?? '', params: { port } });
    } catch (e) {
      error.end(`error forwarding port ${port} to pod ${name}: ${(e as Error).message}`);
      data.end();
      return;
    }
    data.on('data', (chunk: Buffer) => stream.write(0, chunk));
    data.on('end', () => {
      if (!stream.closed) stream.write(STDIN_CLOSE_CHANNEL, Buffer.from([0]));
    });
    data.on('error', () => stream.closed || stream.close());
    stream.on('data', (_channel: number, chunk: Buffer) => {
      if (!data.destroyed) data.write(chunk);
    });
    stream.on('close', (statusJson: string) => {
      const status = closeStatus(statusJson);
      if (status) error.write(`error forwarding port ${port} to pod ${name}, uid : ${status.message ?? ''}`);
      error.end();
      data.end();
      pairs.delete(key);
    });
  };

  session.on('stream', (s: SpdyStream) => {
    s.respond(200, {});
    const type = streamHeader(s, 'streamtype');
    const requestId = streamHeader(s, 'requestid') ?? streamHeader(s, 'port') ?? '';
    const key = requestId;
    const pair = pairs.get(key) ?? { started: false };
    pairs.set(key, pair);
    if (type === 'data') pair.data = s;
    else if (type === 'error') pair.error = s;
    else {
      s.abort();
      return;
    }
    s.on('error', () => undefined);
    start(key, pair);
  });
  session.on('error', (err) => logger.debug({ err, pod: `${namespace}/${name}` }, 'port-forward session error'));
  socket.on('error', () => undefined);
}
