// The thread of EtcdThread: EtcdUnary's calls on the bytes it is posted, answered by id.
import { parentPort, workerData } from 'node:worker_threads';
import { EtcdUnary, statusOfError, type EtcdUnaryOptions } from './etcd-unary.js';
import { PostBatch, type ThreadAnswer, type ThreadCall } from './etcd-thread.js';

const port = parentPort!;
const calls = new EtcdUnary(workerData as EtcdUnaryOptions);
const answers = new PostBatch<ThreadAnswer>((items, transfer) => port.postMessage(items, transfer));

port.on('message', (batch: ThreadCall[]) => {
  for (const m of batch) {
    calls.call(m.method, m.message).then(
      (reply) => {
        // grpc-js hands a view into a larger read buffer: post a copy of just the reply.
        const bytes = new Uint8Array(reply);
        answers.add({ id: m.id, bytes }, bytes);
      },
      (err: Error) => answers.add({ id: m.id, status: statusOfError(err), error: err.message }),
    );
  }
});
