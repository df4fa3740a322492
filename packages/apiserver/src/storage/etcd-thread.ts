// EtcdKv's calls made from a worker thread: the API's event loop posts each call's bytes to a
// thread that owns the grpc-js channels to etcd (EtcdUnary) and gets the answer's bytes back.
// A call then costs the serving thread two messages instead of grpc-js's per-call layers,
// HTTP/2 framing and the answer's parsing, which were about a quarter of its CPU per create.
// A thread that dies fails its calls in flight (a write among them may have been applied, as
// with a lost connection) and is started again for the next call.
import { Worker } from 'node:worker_threads';
import { errorOfStatus, type EtcdCalls, type EtcdUnaryOptions } from './etcd-unary.js';
import { FrameBatch, readFrames } from './etcd-thread-frames.js';

/** The methods a call may name, by their index (a call's kind). */
export const METHODS = ['/etcdserverpb.KV/Range', '/etcdserverpb.KV/Txn'] as const;

/** How an answer ended (its kind): the reply's bytes, a gRPC status (code, details), or an error's message. */
export const ANSWER = { ok: 0, status: 1, error: 2 } as const;

interface Pending {
  resolve(bytes: Buffer): void;
  reject(err: Error): void;
}

/**
 * The thread's young generation, capped: what it allocates (a call's gRPC objects and bytes)
 * dies within the call, so a small one costs a few more quick scavenges, while V8's default
 * (16 MiB semi-spaces, as the serving thread's) kept tens of MiB resident for nothing. With
 * 1000 hollow nodes and 5000 pods the apiserver's RSS was 255–260 MiB with 6 instead of 282–299
 * (test/bench/footprint-load.ts, 2026-12-07).
 */
const WORKER_LIMITS = { maxYoungGenerationSizeMb: 6 };

/**
 * Runs in TypeScript sources (through tsx) and compiled alike: a worker does not inherit the
 * parent's module hooks, so under tsx it registers them before loading its entry.
 */
function startWorker(workerData: EtcdUnaryOptions): Worker {
  const ts = import.meta.url.endsWith('.ts');
  const entry = new URL(ts ? './etcd-thread-worker.ts' : './etcd-thread-worker.js', import.meta.url);
  if (!ts) return new Worker(entry, { workerData, resourceLimits: WORKER_LIMITS });
  const tsx = import.meta.resolve('tsx/esm/api');
  const boot = `import(${JSON.stringify(tsx)}).then((m) => { m.register(); return import(${JSON.stringify(entry.href)}); })`;
  return new Worker(boot, { eval: true, workerData, resourceLimits: WORKER_LIMITS });
}

export class EtcdThread implements EtcdCalls {
  private worker: Worker | undefined;
  private batch: FrameBatch | undefined;
  private readonly pending = new Map<number, Pending>();
  private seq = 0;
  private closed = false;

  constructor(private readonly opts: EtcdUnaryOptions) {
    this.worker = this.start();
  }

  call(method: string, message: Uint8Array): Promise<Buffer> {
    if (this.closed) return Promise.reject(new Error('the etcd client is closed'));
    const kind = METHODS.indexOf(method as (typeof METHODS)[number]);
    if (kind < 0) return Promise.reject(new Error(`etcd client thread: no method ${method}`));
    const worker = (this.worker ??= this.start());
    const id = (this.seq = (this.seq + 1) >>> 0); // ids travel as u32
    return new Promise<Buffer>((resolve, reject) => {
      // The thread holds the process only while a call waits on it, as a socket would.
      if (this.pending.size === 0) worker.ref();
      this.pending.set(id, { resolve, reject });
      this.batch!.add(id, kind, 0, message);
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
    this.batch = new FrameBatch((frames) => w.postMessage(frames, [frames]));
    w.on('message', (frames: ArrayBuffer) => readFrames(frames, (id, kind, code, bytes) => this.answer(w, id, kind, code, bytes)));
    w.on('error', (err) => this.lost(w, err));
    w.on('exit', (code) => this.lost(w, new Error(`the etcd client thread exited (${code})`)));
    return w;
  }

  private answer(w: Worker, id: number, kind: number, code: number, bytes: Buffer): void {
    const p = this.pending.get(id);
    if (!p) return;
    this.pending.delete(id);
    if (this.pending.size === 0) w.unref();
    if (kind === ANSWER.ok) p.resolve(bytes);
    else if (kind === ANSWER.status) p.reject(errorOfStatus({ code, details: bytes.toString() }));
    else p.reject(new Error(bytes.toString()));
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
