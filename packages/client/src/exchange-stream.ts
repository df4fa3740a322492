// Requests over Objects.Exchange: one bidi stream per client carries get/create/update/patch/
// delete as messages with ids, a fraction of a unary call's CPU on both ends
// (test/bench/grpc-exchange.ts). The stream opens on first use and again after it breaks;
// requests in flight when it breaks fail as a unary call on a broken connection would
// (503 ServiceUnavailable) and are never re-sent, since the apiserver may have applied them.
// An apiserver without Exchange (UNIMPLEMENTED, nothing answered) gets unary calls instead.
import * as grpc from '@grpc/grpc-js';
import { apiError, type Status } from '@k8ts/api';
import { ApiError } from './types.js';
import type { proto } from './proto/index.js';

export type ExchangeOp = 'get' | 'create' | 'update' | 'patch' | 'delete' | 'renew_lease';

/** The request each op carries: the message of its unary twin. */
export interface ExchangeRequests {
  get: proto.GetRequest;
  create: proto.WriteRequest;
  update: proto.WriteRequest;
  patch: proto.PatchRequest;
  delete: proto.DeleteRequest;
  renew_lease: proto.RenewLeaseRequest;
}

export type ObjectReplyMsg = proto.ObjectReply__Output;
export type RenewLeaseReplyMsg = proto.RenewLeaseReply__Output;

/** What each op resolves to: an ObjectReply, or for renew_lease a RenewLeaseReply. */
export interface ExchangeReplies {
  get: ObjectReplyMsg;
  create: ObjectReplyMsg;
  update: ObjectReplyMsg;
  patch: ObjectReplyMsg;
  delete: ObjectReplyMsg;
  renew_lease: RenewLeaseReplyMsg;
}
export type ExchangeReply<Op extends ExchangeOp> = ExchangeReplies[Op];

/** The unary call of an op, with the same request and reply. */
export type ExchangeUnary = <Op extends ExchangeOp>(op: Op, req: ExchangeRequests[Op], opts: ExchangeCallOptions) => Promise<ExchangeReply<Op>>;

/** Where each op's result sits in an ObjectResponse. */
const RESULT_OF: { [Op in ExchangeOp]: (msg: proto.ObjectResponse__Output) => ExchangeReply<Op> | null | undefined } = {
  get: (m) => m.reply,
  create: (m) => m.reply,
  update: (m) => m.reply,
  patch: (m) => m.reply,
  delete: (m) => m.reply,
  renew_lease: (m) => m.renewed,
};

/** The ObjectRequest that carries each op. */
const REQUEST_OF: { [Op in ExchangeOp]: (id: number, req: ExchangeRequests[Op]) => proto.ObjectRequest } = {
  get: (id, get) => ({ id, get }),
  create: (id, create) => ({ id, create }),
  update: (id, update) => ({ id, update }),
  patch: (id, patch) => ({ id, patch }),
  delete: (id, del) => ({ id, delete: del }),
  renew_lease: (id, renew_lease) => ({ id, renew_lease }),
};

type ExchangeCall = grpc.ClientDuplexStream<proto.ObjectRequest, proto.ObjectResponse__Output>;

export interface ExchangeCallOptions {
  timeoutMs: number;
  signal?: AbortSignal;
}

interface Pending {
  /** Settles with the op's result in the reply; false when the reply carries none. */
  deliver(msg: proto.ObjectResponse__Output): boolean;
  reject(e: unknown): void;
  /** Sends the request as its unary twin instead (an apiserver without Exchange). */
  resendUnary(opts: ExchangeCallOptions): void;
  opts: ExchangeCallOptions;
  deadline: number;
  timer: NodeJS.Timeout;
  /** The stream it was sent on: when that one ends, only its requests fail. */
  stream: Stream;
  onAbort?: () => void;
}

/** How long an apiserver without Exchange is spoken to in unary calls before the stream is tried again. */
const UNSUPPORTED_RECHECK_MS = 60_000;
/**
 * A stream with no request waiting is closed after this long: an open call keeps grpc-js's
 * connection, and so the process, alive, and a client that is done (a CLI command, a script
 * that forgot close()) must let its process exit as it did with unary calls. Busy clients keep
 * their stream; one idle longer than this pays for a new stream, about one unary call.
 */
export const EXCHANGE_IDLE_CLOSE_MS = 500;

/** How long a long-running component's idle stream stays open: past the pause between two Lease renewals. */
export const COMPONENT_EXCHANGE_IDLE_CLOSE_MS = 60_000;

let processIdleCloseMs = EXCHANGE_IDLE_CLOSE_MS;

/**
 * Every ExchangeStream this process opens from now on stays open while idle for
 * COMPONENT_EXCHANGE_IDLE_CLOSE_MS: for a process that lives until it is stopped and closes its
 * clients then (runComponent). A node renews its Lease every second (a kubelet every 10 s) and
 * with 500 ms each renewal opened a stream, had it authenticated and closed it again.
 */
export function keepIdleExchangeStreams(idleCloseMs = COMPONENT_EXCHANGE_IDLE_CLOSE_MS): void {
  processIdleCloseMs = idleCloseMs;
}

/** An ApiError from the in-band error of a reply: what the unary call's k8s-status trailer would have given. */
export function apiErrorFromReply(e: { code: number; message: string; status_json: string }, fromGrpc: (err: Partial<grpc.ServiceError>) => ApiError): ApiError {
  if (e.status_json) {
    try {
      const status = JSON.parse(e.status_json) as Status;
      return new ApiError(status.code ?? 500, status.reason ?? 'InternalError', status);
    } catch {
      // fall through to the code mapping
    }
  }
  return fromGrpc({ code: e.code, details: e.message });
}

interface Stream {
  call: ExchangeCall;
  /** Whether anything came back on it: an UNIMPLEMENTED status after that is not "no Exchange here". */
  answered: boolean;
  /** Cancelled by us, or its status came: new requests go to a new stream. */
  ended: boolean;
  status?: grpc.StatusObject;
  /** Every reply read (`end`): only then do the requests still waiting fail. */
  drained: boolean;
  /** Its requests still waiting were failed (or re-sent as unary calls). */
  finished?: boolean;
  /** Requests sent on it and not settled yet. */
  waiting: number;
  idleTimer?: NodeJS.Timeout;
}

export class ExchangeStream {
  private stream: Stream | undefined;
  private readonly pending = new Map<number, Pending>();
  private nextId = 1;
  private unsupportedUntil = 0;
  private closed = false;
  private readonly idleCloseMs = processIdleCloseMs;

  constructor(
    private readonly open: () => ExchangeCall,
    /** The unary call of the same op: the fallback when the apiserver has no Exchange. */
    private readonly unary: ExchangeUnary,
    private readonly fromGrpc: (err: Partial<grpc.ServiceError>) => ApiError,
  ) {}

  /** Requests sent and not answered yet. */
  get inFlight(): number {
    return this.pending.size;
  }

  call<Op extends ExchangeOp>(op: Op, req: ExchangeRequests[Op], opts: ExchangeCallOptions): Promise<ExchangeReply<Op>> {
    if (this.closed) return Promise.reject(apiError(499, 'ClientClosedRequest', 'the client was closed'));
    if (this.unsupportedUntil > Date.now()) return this.unary(op, req, opts);
    if (opts.signal?.aborted) return Promise.reject(aborted());
    return new Promise<ExchangeReply<Op>>((resolve, reject) => {
      const stream = this.current();
      let id = this.nextId;
      // ids wrap at 2^32 (uint32); skip one still waiting for its reply.
      while (this.pending.has(id)) id = id >= 0xffffffff ? 1 : id + 1;
      this.nextId = id >= 0xffffffff ? 1 : id + 1;
      const p: Pending = {
        deliver: (msg) => {
          const result = RESULT_OF[op](msg);
          if (result) resolve(result);
          return Boolean(result);
        },
        reject,
        resendUnary: (o) => void this.unary(op, req, o).then(resolve, reject),
        opts,
        deadline: Date.now() + opts.timeoutMs,
        timer: setTimeout(() => this.fail(id, this.fromGrpc({ code: grpc.status.DEADLINE_EXCEEDED, details: 'Deadline exceeded' })), opts.timeoutMs),
        stream,
      };
      if (opts.signal) {
        p.onAbort = () => this.fail(id, aborted());
        opts.signal.addEventListener('abort', p.onAbort, { once: true });
      }
      this.pending.set(id, p);
      stream.waiting++;
      clearTimeout(stream.idleTimer);
      stream.call.write(REQUEST_OF[op](id, req));
    });
  }

  /** Ends the stream; requests still waiting fail as cancelled calls do. */
  close(): void {
    this.closed = true;
    const s = this.stream;
    this.stream = undefined;
    if (s && !s.ended) {
      s.ended = true;
      s.call.cancel();
    }
    for (const id of [...this.pending.keys()]) this.fail(id, apiError(499, 'ClientClosedRequest', 'the client was closed'));
  }

  private current(): Stream {
    if (this.stream && !this.stream.ended) return this.stream;
    const s: Stream = { call: this.open(), answered: false, ended: false, drained: false, waiting: 0 };
    this.stream = s;
    s.call.on('metadata', () => (s.answered = true));
    s.call.on('data', (msg: proto.ObjectResponse__Output) => {
      s.answered = true;
      const p = this.settle(msg.id);
      if (!p) return; // timed out or aborted before the reply came
      if (msg.error) p.reject(apiErrorFromReply(msg.error, this.fromGrpc));
      else if (!p.deliver(msg)) p.reject(apiError(500, 'InternalError', `reply ${msg.id} carries no result for its request`));
    });
    // grpc-js emits `status` (and `error` unless OK) as soon as the call ends, while replies
    // read before may still sit in the stream's buffer: fail what is left once `end` says
    // every reply was delivered.
    s.call.on('error', () => undefined);
    s.call.on('status', (st: grpc.StatusObject) => {
      if (this.stream === s) this.stream = undefined;
      const cancelledByUs = s.ended && !s.status;
      s.ended = true;
      if (cancelledByUs) return;
      s.status = st;
      if (s.drained) this.ended(s, st);
      // Should `end` never come (a destroyed stream), the requests must not wait for their timeouts.
      else setTimeout(() => this.ended(s, st), 1000).unref();
    });
    s.call.on('end', () => {
      s.drained = true;
      if (s.status) this.ended(s, s.status);
    });
    return s;
  }

  private ended(s: Stream, st: grpc.StatusObject): void {
    if (s.finished) return;
    s.finished = true;
    const waiting = [...this.pending.entries()].filter(([, p]) => p.stream === s);
    if (st.code === grpc.status.UNIMPLEMENTED && !s.answered) {
      // An apiserver without Exchange never read these requests: send them as unary calls.
      this.unsupportedUntil = Date.now() + UNSUPPORTED_RECHECK_MS;
      for (const [id, p] of waiting) {
        this.settle(id);
        if (p.opts.signal?.aborted) {
          p.reject(aborted());
          continue;
        }
        p.resendUnary({ ...p.opts, timeoutMs: Math.max(1, p.deadline - Date.now()) });
      }
      return;
    }
    // What a unary call would have got: the apiserver's own status (a 401 carries k8s-status),
    // or, for a stream that broke or ended with requests unanswered, 503 ServiceUnavailable.
    let err: ApiError;
    if (st.metadata?.get('k8s-status')?.length) err = this.fromGrpc(st);
    else {
      const details = st.code === grpc.status.OK ? 'the stream to the apiserver ended before the reply' : st.details || 'the stream to the apiserver broke';
      err = this.fromGrpc({ code: grpc.status.UNAVAILABLE, details, metadata: st.metadata });
    }
    for (const [id] of waiting) this.fail(id, err);
  }

  private settle(id: number): Pending | undefined {
    const p = this.pending.get(id);
    if (!p) return undefined;
    this.pending.delete(id);
    clearTimeout(p.timer);
    if (p.onAbort) p.opts.signal?.removeEventListener('abort', p.onAbort);
    const s = p.stream;
    if (--s.waiting === 0 && !s.ended) {
      clearTimeout(s.idleTimer);
      s.idleTimer = setTimeout(() => this.closeIdle(s), this.idleCloseMs);
      s.idleTimer.unref();
    }
    return p;
  }

  /** Half-closes a stream nothing waits on; the apiserver ends it, and the next request opens another. */
  private closeIdle(s: Stream): void {
    if (s.waiting > 0 || s.ended) return;
    s.ended = true;
    if (this.stream === s) this.stream = undefined;
    s.call.end();
  }

  private fail(id: number, err: unknown): void {
    this.settle(id)?.reject(err);
  }
}

function aborted(): ApiError {
  return apiError(499, 'ClientClosedRequest', 'the request was aborted');
}
