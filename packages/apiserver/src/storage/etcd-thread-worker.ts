// The thread of EtcdThread: EtcdUnary's calls on the bytes it is posted, answered by id.
import { parentPort, workerData } from 'node:worker_threads';
import { EtcdUnary, statusOfError, type EtcdUnaryOptions } from './etcd-unary.js';
import { ANSWER, METHODS } from './etcd-thread.js';
import { FrameBatch, readFrames } from './etcd-thread-frames.js';

const port = parentPort!;
const calls = new EtcdUnary(workerData as EtcdUnaryOptions);
const answers = new FrameBatch((frames) => port.postMessage(frames, [frames]));

port.on('message', (frames: ArrayBuffer) =>
  readFrames(frames, (id, kind, _code, message) => {
    calls.call(METHODS[kind]!, message).then(
      (reply) => answers.add(id, ANSWER.ok, 0, reply),
      (err: Error) => {
        const status = statusOfError(err);
        if (status) answers.add(id, ANSWER.status, status.code, Buffer.from(status.details));
        else answers.add(id, ANSWER.error, 0, Buffer.from(err.message));
      },
    );
  }),
);
