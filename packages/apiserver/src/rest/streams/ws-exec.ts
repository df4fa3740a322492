// exec and attach over a WebSocket (channel.k8s.io protocols): client frames go to the
// agent's stream by channel, agent output comes back framed; the end of the process is
// a Status on the error channel, then a normal close.
import type { WebSocket } from 'ws';
import type { TunnelStream } from '../../tunnel/types.js';
import { STDIN_CLOSE_CHANNEL } from '../../tunnel/types.js';
import { CLOSE, STDIN, RESIZE, ERROR, decodeFrame, encodeFrame, errorChannelPayload } from './channels.js';

export function pumpWebSocketExec(ws: WebSocket, protocol: string, stream: TunnelStream): void {
  const send = (channel: number, data: Buffer) => {
    const f = encodeFrame(protocol, channel, data);
    ws.send(f.data, { binary: f.binary });
  };
  ws.on('message', (data: Buffer, isBinary: boolean) => {
    const f = decodeFrame(protocol, Buffer.isBuffer(data) ? data : Buffer.from(data as ArrayBuffer), isBinary);
    if (!f) return;
    const { channel, payload } = f;
    if (channel === STDIN || channel === RESIZE) {
      if (payload.length > 0) stream.write(channel, payload);
    } else if (channel === CLOSE && protocol === 'v5.channel.k8s.io') {
      if (payload[0] === STDIN) stream.write(STDIN_CLOSE_CHANNEL, Buffer.from([STDIN]));
    }
  });
  stream.on('data', (channel: number, data: Buffer) => {
    if (ws.readyState === ws.OPEN) send(channel, data);
  });
  stream.on('close', (statusJson: string) => {
    if (ws.readyState !== ws.OPEN) return;
    const payload = errorChannelPayload(protocol, statusJson);
    if (payload) send(ERROR, payload);
    ws.close(1000);
  });
  ws.on('close', () => {
    if (!stream.closed) stream.close();
  });
  ws.on('error', () => {
    if (!stream.closed) stream.close();
  });
}
