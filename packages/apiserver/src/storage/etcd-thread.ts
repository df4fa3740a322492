// EtcdKv's calls made from a worker thread: the API's event loop posts each call's bytes to a
// thread that owns the grpc-js channels to etcd (EtcdUnary) and gets the answer's bytes back.
// A call then costs the serving thread two messages instead of grpc-js's per-call layers,
// HTTP/2 framing and the answer's parsing, which were about a quarter of its CPU per create.
// A thread that dies fails its calls in flight (a write among them may have been applied, as
// with a lost connection) and is started again for the next call.
import { Worker } from 'node:worker_threads';
import { errorOfStatus, type CallStatus, type EtcdCalls, type EtcdUnaryOptions } from './etcd-unary.js';

/** A call, posted to the thread. */
export interface ThreadCall {
  id: number;
  method: string;
  message: Uint8Array;
}

/** Its answer: the reply's bytes, or the status (or message) it failed with. */
export interface ThreadAnswer {
  id: number;
  bytes?: Uint8Array;
  status?: CallStatus;
  error?: string;
}

/**
 * Messages to post, sent together once per turn of the event loop: each postMessage wakes the
 * other thread with a system call, and under load many calls (and answers) fall in one turn.
 */
export class PostBatch<T> {
  private items: T[] = [];
  private transfer: ArrayBuffer[] = [];
  private scheduled = false;

  constructor(private readonly post: (items: T[], transfer: ArrayBuffer[]) => void) {}

  add(item: T, bytes?: Uint8Array): void {
    this.items.push(item);
    if (bytes) this.transfer.push(bytes.buffer as ArrayBuffer);
    if (!this.scheduled) {
      this.scheduled = true;
      setImmediate(this.flush);
    }
  }

  private readonly flush = (): void => {
    const items = this.items;
    const transfer = this.transfer;
    this.items = [];
    this.transfer = [];
    this.scheduled = false;
    if (items.length) this.post(items, transfer);
  };
}

interface Pending {
  resolve(bytes: Buffer): void;
  reject(err: Error): void;
}

/**
 * Runs in TypeScript sources (through tsx) and compiled alike: a worker does not inherit the
 * parent's module hooks, so under tsx it registers them before loading its entry.
 */
function startWorker(workerData: EtcdUnaryOptions): Worker {
  const ts = import.meta.url.endsWith('.ts');
  const entry = new URL(ts ? './etcd-thread-worker.ts' : './etcd-thread-worker.js', import.meta.url);
  if (!ts) return new Worker(entry, { workerData });
  const tsx = import.meta.resolve('tsx/esm/api');
  const boot = `import(${JSON.stringify(tsx)}).then((m) => { m.register(); return import(${JSON.stringify(entry.href)}); })`;
  return new Worker(boot, { eval: true, workerData });
}

/** A copy in an ArrayBuffer of its own, so posting it moves exactly its bytes. */
function ownBytes(b: Uint8Array): Uint8Array {
  return b.byteOffset === 0 && b.byteLength === b.buffer.byteLength ? b : new Uint8Array(b);
}

export class EtcdThread implements EtcdCalls {
  private worker: Worker | undefined;
  private batch: PostBatch<ThreadCall> | undefined;
  private readonly pending = new Map<number, Pending>();
  private seq = 0;
  private closed = false;

  constructor(private readonly opts: EtcdUnaryOptions) {
    this.worker = this.start();
  }

  call(method: string, message: Uint8Array): Promise<Buffer> {
    if (this.closed) return Promise.reject(new Error('the etcd client is closed'));
    const worker = (this.worker ??= this.start());
    const id = ++this.seq;
    const bytes = ownBytes(message);
    return new Promise<Buffer>((resolve, reject) => {
      // The thread holds the process only while a call waits on it, as a socket would.
      if (this.pending.size === 0) worker.ref();
      this.pending.set(id, { resolve, reject });
      this.batch!.add({ id, method, message: bytes }, bytes);
    });
  }

  close(): void {
    this.closed = true;
    const w = this.worker;
    this.worker = undefined;
    this.failAll(new Error('the etcd client is closed'));
    void w?.terminate();
  }

  private start(): Worker {
    const w = startWorker(this.opts);
    w.unref();
    this.batch = new PostBatch((calls, transfer) => w.postMessage(calls, transfer));
    w.on('message', (answers: ThreadAnswer[]) => {
      for (const a of answers) this.answer(w, a);
    });
    w.on('error', (err) => this.lost(w, err));
    w.on('exit', (code) => this.lost(w, new Error(`the etcd client thread exited (${code})`)));
    return w;
  }

  private answer(w: Worker, a: ThreadAnswer): void {
    const p = this.pending.get(a.id);
    if (!p) return;
    this.pending.delete(a.id);
    if (this.pending.size === 0) w.unref();
    if (a.bytes) p.resolve(Buffer.from(a.bytes.buffer, a.bytes.byteOffset, a.bytes.byteLength));
    else p.reject(a.status ? errorOfStatus(a.status) : new Error(a.error ?? 'etcd call failed'));
  }

  private lost(w: Worker, err: Error): void {
    if (this.worker !== w) return;
    this.worker = undefined;
    this.failAll(new Error(`etcd client thread: ${err.message}`));
  }

  private failAll(err: Error): void {
    for (const p of this.pending.values()) p.reject(err);
    this.pending.clear();
  }
}
