// One tunnel stream of kind portforward as a byte Duplex: what Node's HTTP and TLS clients
// take as their socket, so the apiserver speaks HTTP to a pod or an agent's ops port
// through the agent's Connect call without dialing anything itself. Bytes go on channel 0,
// the Duplex's end is a half-close (channel 255), the agent's close with a failure Status
// destroys it with that Status' message.
import { Duplex } from 'node:stream';
import type { Status } from '@k8ts/api';
import { STDIN_CLOSE_CHANNEL, type TunnelStream } from './types.js';

export class TunnelClosedError extends Error {
  constructor(readonly status: Status) {
    super(status.message ?? 'stream closed');
  }
}

function failureOf(statusJson: string): Status | undefined {
  if (!statusJson) return undefined;
  try {
    const s = JSON.parse(statusJson) as Status;
    return s.status === 'Success' ? undefined : s;
  } catch {
    return { status: 'Failure', message: statusJson } as Status;
  }
}

export function tunnelDuplex(stream: TunnelStream): Duplex {
  const duplex = new Duplex({
    read() {},
    write(chunk: Buffer, _enc, cb) {
      if (stream.closed) return cb(new Error('the agent closed the stream'));
      stream.write(0, chunk);
      cb();
    },
    final(cb) {
      if (!stream.closed) stream.write(STDIN_CLOSE_CHANNEL, Buffer.from([0]));
      cb();
    },
    destroy(err, cb) {
      if (!stream.closed) stream.close();
      cb(err);
    },
  });
  stream.on('data', (_channel: number, data: Buffer) => duplex.push(data));
  stream.on('close', (statusJson: string) => {
    const failure = failureOf(statusJson);
    if (failure) duplex.destroy(new TunnelClosedError(failure));
    else duplex.push(null);
  });
  return duplex;
}
