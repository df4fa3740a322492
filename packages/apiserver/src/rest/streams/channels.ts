// The channel.k8s.io WebSocket protocols of exec and attach: each binary message starts
// with its channel byte (0 stdin, 1 stdout, 2 stderr, 3 error, 4 resize; v5 adds 255 =
// "close this channel"). v4 and v5 carry a metav1.Status on the error channel, older
// versions carry the message text.

export const EXEC_PROTOCOLS = ['v5.channel.k8s.io', 'v4.channel.k8s.io', 'v3.channel.k8s.io', 'v2.channel.k8s.io', 'channel.k8s.io'];
export const PORT_FORWARD_WS_PROTOCOL = 'SPDY/3.1+portforward.k8s.io';
/** kubelet's WebSocket port-forward (client-node, the Python client); no subprotocol is binary too. */
export const PORT_FORWARD_CHANNEL_PROTOCOLS = ['v4.channel.k8s.io', 'v4.base64.channel.k8s.io'];

export const STDIN = 0;
export const STDOUT = 1;
export const STDERR = 2;
export const ERROR = 3;
export const RESIZE = 4;
export const CLOSE = 255;

export function pickProtocol(offered: Iterable<string>, supported: string[]): string | false {
  const set = new Set(offered);
  for (const p of supported) if (set.has(p)) return p;
  return false;
}

export function frame(channel: number, data: Buffer): Buffer {
  const out = Buffer.allocUnsafe(data.length + 1);
  out[0] = channel;
  data.copy(out, 1);
  return out;
}

/**
 * The base64 variants carry text messages: the channel as an ASCII digit, then the data in
 * base64 (wsstream's base64.channel.k8s.io).
 */
export function isBase64Protocol(protocol: string): boolean {
  return protocol.includes('base64.channel.k8s.io');
}

export function encodeFrame(protocol: string, channel: number, data: Buffer): { data: Buffer | string; binary: boolean } {
  if (isBase64Protocol(protocol)) return { data: String.fromCharCode(48 + channel) + data.toString('base64'), binary: false };
  return { data: frame(channel, data), binary: true };
}

/** A client's message as channel and payload; undefined for an empty or undecodable one. */
export function decodeFrame(protocol: string, msg: Buffer, isBinary: boolean): { channel: number; payload: Buffer } | undefined {
  if (msg.length === 0) return undefined;
  if (isBase64Protocol(protocol) && !isBinary) return { channel: msg[0]! - 48, payload: Buffer.from(msg.subarray(1).toString('latin1'), 'base64') };
  return { channel: msg[0]!, payload: msg.subarray(1) };
}

/** What goes on the error channel when the process ended. */
export function errorChannelPayload(protocol: string, statusJson: string): Buffer | undefined {
  const structured = protocol === 'v4.channel.k8s.io' || protocol === 'v5.channel.k8s.io';
  let status: { status?: string; message?: string } | undefined;
  if (statusJson) {
    try {
      status = JSON.parse(statusJson);
    } catch {
      status = { status: 'Failure', message: statusJson };
    }
  }
  if (structured) return Buffer.from(JSON.stringify(status ?? { metadata: {}, status: 'Success' }));
  if (!status || status.status === 'Success') return undefined;
  return Buffer.from(status.message ?? 'error');
}
