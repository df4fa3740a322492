// The thread of EtcdThread: EtcdUnary's calls on the bytes it is posted, answered by id.
import { parentPort, workerData } from 'node:worker_threads';
import { EtcdUnary, statusOfError, type EtcdUnaryOptions } from './etcd-unary.js';
import type { ThreadAnswer, ThreadCall } from './etcd-thread.js';

const port = parentPort!;
const calls = new EtcdUnary(workerData as EtcdUnaryOptions);

port.on('message', (m: ThreadCall) => {
  calls.call(m.method, m.message).then(
    (reply) => {
      // grpc-js hands a view into a larger read buffer: post a copy of just the reply.
      const bytes = new Uint8Array(reply);
      port.postMessage({ id: m.id, bytes } satisfies ThreadAnswer, [bytes.buffer]);
    },
    (err: Error) => port.postMessage({ id: m.id, status: statusOfError(err), error: err.message } satisfies ThreadAnswer),
  );
});
