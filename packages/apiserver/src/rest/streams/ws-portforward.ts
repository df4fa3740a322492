// Port-forward over a WebSocket as kubelet serves it (portforward/websocket.go), the protocol
// of @kubernetes/client-node and the Python client: `?ports=a,b` names the ports, port i
// has data channel 2i and error channel 2i+1, and the server starts each channel with the
// port as 2 bytes little-endian. Each port is one connection to the pod, pumped through the
// agent tunnel as SPDY port-forward's are; a failure is text on the port's error channel,
// and the WebSocket closes once every port's connection has ended.
import type { WebSocket } from 'ws';
import type { KubeObject } from '@k8ts/api';
import type { StreamTunnel, TunnelStream } from '../../tunnel/types.js';
import { badRequest } from '../status.js';
import { decodeFrame, encodeFrame } from './channels.js';
import { closeStatus } from './target.js';

/** The `ports` query (each value may list several, comma-separated), as kubelet's NewV4Options reads it. */
export function portForwardPorts(q: URLSearchParams): number[] {
  const values = q.getAll('ports');
  if (values.length === 0) throw badRequest('query parameter "port" is required');
  const ports: number[] = [];
  for (const v of values) {
    if (v === '') throw badRequest('query parameter "port" cannot be empty');
    for (const p of v.split(',')) {
      const n = /^\d{1,5}$/.test(p) ? Number(p) : NaN;
      if (!(n >= 1 && n <= 65535)) throw badRequest(`unable to parse ${JSON.stringify(v)} as a port: a number from 1 to 65535`);
      ports.push(n);
    }
  }
  return ports;
}

export function serveWebSocketPortForward(ws: WebSocket, protocol: string, ports: number[], pod: KubeObject, nodeName: string, tunnel: StreamTunnel): void {
  const name = pod.metadata.name ?? '';
  const uid = pod.metadata.uid ?? '';
  const streams: (TunnelStream | undefined)[] = [];
  let running = ports.length;
  const send = (channel: number, data: Buffer) => {
    if (ws.readyState !== ws.OPEN) return;
    const f = encodeFrame(protocol, channel, data);
    ws.send(f.data, { binary: f.binary });
  };
  const ended = (i: number) => {
    streams[i] = undefined;
    if (--running === 0 && ws.readyState === ws.OPEN) ws.close(1000);
  };
  const failed = (i: number, port: number, message: string) => send(2 * i + 1, Buffer.from(`error forwarding port ${port} to pod ${name}, uid ${uid}: ${message}`));

  ports.forEach((port, i) => {
    const prefix = Buffer.alloc(2);
    prefix.writeUInt16LE(port);
    send(2 * i, prefix);
    send(2 * i + 1, prefix);
    let stream: TunnelStream;
    try {
      stream = tunnel.open(nodeName, { kind: 'portforward', namespace: pod.metadata.namespace ?? '', pod: name, podUid: uid, params: { port } });
    } catch (e) {
      failed(i, port, (e as Error).message);
      return ended(i);
    }
    streams[i] = stream;
    stream.on('data', (_channel: number, data: Buffer) => send(2 * i, data));
    stream.on('close', (statusJson: string) => {
      const status = closeStatus(statusJson);
      if (status) failed(i, port, status.message ?? '');
      ended(i);
    });
  });

  ws.on('message', (data: Buffer, isBinary: boolean) => {
    const f = decodeFrame(protocol, Buffer.isBuffer(data) ? data : Buffer.from(data as ArrayBuffer), isBinary);
    // Only data channels carry bytes for the pod; what a client writes on an error channel is dropped, as kubelet does.
    if (!f || f.channel % 2 !== 0 || f.payload.length === 0) return;
    streams[f.channel / 2]?.write(0, f.payload);
  });
  const stop = () => {
    for (const s of streams) if (s && !s.closed) s.close();
  };
  ws.on('close', stop);
  ws.on('error', stop);
}
