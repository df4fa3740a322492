// Objects.Exchange: Get/Create/Update/Patch/Delete requests multiplexed over one bidi stream.
// A unary call in grpc-js costs ≈ 0.9 ms of CPU across both ends (its own HTTP/2 stream,
// headers, deadline, trailers); a message on an open stream ≈ 0.1 ms
// (test/bench/grpc-exchange.ts). Each request runs exactly as its unary twin (runRequest:
// same handler, metrics and logs) and its error travels in-band with the same code and
// metav1.Status the unary call's trailer would carry.
import type * as grpc from '@grpc/grpc-js';
import { toApiError, unavailable } from '../registry/errors.js';
import type { RequestUser } from '../registry/types.js';
import { grpcCodeFor, toServiceError } from './errors.js';
import { runRequest, type Handler } from './unary.js';
import type { ObjectHandlers } from './objects-service.js';
import { userOf, type GrpcContext } from './context.js';

/** Requests of one stream being handled at once; beyond it the stream is not read (HTTP/2 flow control pushes back on the client). */
export const MAX_IN_FLIGHT_PER_STREAM = 512;
/** Replies queued for a client that does not read them; beyond it requests are not read either. */
const MAX_WRITE_BACKLOG = 256;

/** Each op of ObjectRequest: the verb its unary twin is counted under. */
const VERBS = { get: 'get', create: 'create', update: 'update', patch: 'patch', delete: 'delete', renew_lease: 'renewlease' } as const;
type Op = keyof typeof VERBS;

/** The handlers of the Exchange ops, by verb: the Objects ones and Nodes.RenewLease. */
export type ExchangeHandlers = Pick<ObjectHandlers, 'get' | 'create' | 'update' | 'patch' | 'delete'> & { renewlease: Handler };

interface ObjectRequestMsg {
  id: number;
  op?: Op;
  get?: any;
  create?: any;
  update?: any;
  patch?: any;
  delete?: any;
  renew_lease?: any;
}

interface OpenStream {
  /** Stop reading, answer what was read, then end the stream with OK. */
  drain(): void;
  finished: Promise<void>;
}

/** The Exchange streams of one server, so that stopping it can let each finish what it read. */
export class ExchangeStreams {
  private readonly open = new Set<OpenStream>();
  private closing = false;

  constructor(private readonly ctx: GrpcContext) {}

  serve(call: grpc.ServerDuplexStream<ObjectRequestMsg, unknown>, handlers: ExchangeHandlers): void {
    const ctx = this.ctx;
    let user: RequestUser;
    try {
      if (this.closing) throw unavailable('the apiserver is shutting down');
      user = userOf(ctx, call);
    } catch (err) {
      const e = toApiError(err);
      ctx.metrics?.observeRequest('exchange', '', e.code, 0);
      call.emit('error', toServiceError(e));
      return;
    }

    let inFlight = 0;
    let readEnded = false;
    let draining = false;
    let broken = false;
    let writeBlocked = false;
    let paused = false;
    let finished = false;
    let resolveFinished!: () => void;
    const stream: OpenStream = {
      drain: () => {
        draining = true;
        flowControl();
        maybeFinish();
      },
      finished: new Promise<void>((r) => (resolveFinished = r)),
    };
    this.open.add(stream);

    const finish = () => {
      if (finished) return;
      finished = true;
      this.open.delete(stream);
      resolveFinished();
    };
    const maybeFinish = () => {
      if ((readEnded || draining) && inFlight === 0 && !finished) {
        if (!broken) call.end();
        finish();
      }
    };
    // Read while there is room: fewer than MAX_IN_FLIGHT_PER_STREAM requests running and a
    // client that keeps reading its replies.
    const flowControl = () => {
      const stop = inFlight >= MAX_IN_FLIGHT_PER_STREAM || writeBlocked || draining;
      if (stop && !paused) {
        paused = true;
        call.pause();
      } else if (!stop && paused) {
        paused = false;
        call.resume();
      }
    };
    const send = (msg: object) => {
      if (broken) return;
      // write() returns false from 16 queued messages on (objectMode); 'drain' follows then.
      if (!call.write(msg) && !writeBlocked && call.writableLength >= MAX_WRITE_BACKLOG) {
        writeBlocked = true;
        flowControl();
        call.once('drain', () => {
          writeBlocked = false;
          flowControl();
        });
      }
    };

    call.on('data', (msg: ObjectRequestMsg) => {
      const id = msg.id;
      const op = msg.op;
      const req = op ? msg[op] : undefined;
      if (!op || !(op in VERBS) || !req) {
        send({ id, error: errorOf(400, 'BadRequest', `request ${id} names no operation`) });
        return;
      }
      const verb = VERBS[op];
      inFlight++;
      flowControl();
      // A broken stream cancels nothing: every request read runs to its end, as a unary call
      // whose client went away does.
      void runRequest(ctx, verb, String(req.resource ?? ''), handlers[verb], req, user, performance.now()).then((r) => {
        inFlight--;
        if (r.ok) send(op === 'renew_lease' ? { id, renewed: r.res } : { id, reply: r.res });
        else send({ id, error: { code: grpcCodeFor(r.err.code, r.err.reason), message: r.err.status.message ?? r.err.message, status_json: JSON.stringify(r.err.status) } });
        flowControl();
        maybeFinish();
      });
    });
    call.on('end', () => {
      readEnded = true;
      maybeFinish();
    });
    const onBroken = () => {
      broken = true;
      if (inFlight === 0) finish();
      else readEnded = true;
    };
    call.on('cancelled', onBroken);
    call.on('error', onBroken);
    call.on('close', () => {
      if (!finished && inFlight === 0) finish();
    });
  }

  /** Lets every open stream answer the requests it read, then ends it (clients open a new one). */
  async drain(): Promise<void> {
    this.closing = true;
    const open = [...this.open];
    for (const s of open) s.drain();
    await Promise.all(open.map((s) => s.finished));
  }
}

function errorOf(code: number, reason: string, message: string) {
  const status = { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message, reason, code };
  return { code: grpcCodeFor(code, reason), message, status_json: JSON.stringify(status) };
}
