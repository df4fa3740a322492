// Objects.Exchange: Get/Create/Update/Patch/Delete requests multiplexed over one bidi stream.
// A unary call in grpc-js costs ≈ 0.9 ms of CPU across both ends (its own HTTP/2 stream,
// headers, deadline, trailers); a message on an open stream ≈ 0.1 ms
// (test/bench/grpc-exchange.ts). Each request runs exactly as its unary twin (runRequest:
// same handler, metrics and logs) and its error travels in-band with the same code and
// metav1.Status the unary call's trailer would carry.
import type * as grpc from '@grpc/grpc-js';
import { failureStatus } from '@k8ts/api';
import type { proto } from '@k8ts/client';
import { toApiError, unavailable } from '../registry/errors.js';
import type { RequestUser } from '../registry/types.js';
import { grpcCodeFor, toServiceError } from './errors.js';
import { resourceOf, runRequest, type Handler } from './unary.js';
import type { ObjectHandlers } from './objects-service.js';
import { userOf, type GrpcContext } from './context.js';
import type { AuditSource } from '../audit/request.js';
import { auditGrpcUnauthenticated, beginGrpcAudit, grpcAuditSource } from './audit.js';

/** Requests of one stream being handled at once; beyond it the stream is not read (HTTP/2 flow control pushes back on the client). */
export const MAX_IN_FLIGHT_PER_STREAM = 512;
/** Replies queued for a client that does not read them; beyond it requests are not read either. */
const MAX_WRITE_BACKLOG = 256;

/** The handlers of the Exchange ops, by verb: the Objects ones and Nodes.RenewLease. */
export type ExchangeHandlers = Pick<ObjectHandlers, 'get' | 'create' | 'update' | 'patch' | 'delete'> & {
  renewlease: Handler<proto.RenewLeaseRequest__Output, proto.RenewLeaseReply>;
};

/** One request read from the stream, ready to run as its unary twin: its response, reply or error. */
type Job = (user: RequestUser) => Promise<proto.ObjectResponse>;

function job<Req extends object, Res>(ctx: GrpcContext, id: number, verb: string, req: Req, fn: Handler<Req, Res>, toResponse: (res: Res) => proto.ObjectResponse, source: AuditSource | undefined): Job {
  return (user) =>
    runRequest(ctx, verb, resourceOf(req), fn, req, user, performance.now(), source && beginGrpcAudit(ctx, source)).then((r) =>
      r.ok ? toResponse(r.res) : { id, error: { code: grpcCodeFor(r.err.code, r.err.reason), message: r.err.status.message ?? r.err.message, status_json: JSON.stringify(r.err.status) } },
    );
}

/** The request an ObjectRequest carries (counted under its unary twin's verb), or undefined when it names none. */
function jobOf(ctx: GrpcContext, msg: proto.ObjectRequest__Output, h: ExchangeHandlers, source: AuditSource | undefined): Job | undefined {
  const id = msg.id;
  const reply = (res: proto.ObjectReply): proto.ObjectResponse => ({ id, reply: res });
  switch (msg.op) {
    case 'get':
      return msg.get ? job(ctx, id, 'get', msg.get, h.get, reply, source) : undefined;
    case 'create':
      return msg.create ? job(ctx, id, 'create', msg.create, h.create, reply, source) : undefined;
    case 'update':
      return msg.update ? job(ctx, id, 'update', msg.update, h.update, reply, source) : undefined;
    case 'patch':
      return msg.patch ? job(ctx, id, 'patch', msg.patch, h.patch, reply, source) : undefined;
    case 'delete':
      return msg.delete ? job(ctx, id, 'delete', msg.delete, h.delete, reply, source) : undefined;
    case 'renew_lease':
      return msg.renew_lease ? job(ctx, id, 'renewlease', msg.renew_lease, h.renewlease, (renewed) => ({ id, renewed }), source) : undefined;
    default:
      return undefined;
  }
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

  // long: one stream's life (authenticate, read, run each request, answer in order, drain,
  // end) shares the stream's state through closures; split, that state would be passed around.
  serve(call: grpc.ServerDuplexStream<proto.ObjectRequest__Output, proto.ObjectResponse>, handlers: ExchangeHandlers): void {
    const ctx = this.ctx;
    // Requests are read only once the caller is known (the stream buffers them meanwhile).
    // Every request of the stream has the stream's source (peer, user agent, method path).
    const source = ctx.audit && grpcAuditSource(call);
    const refuse = (err: unknown) => {
      const e = toApiError(err);
      ctx.metrics?.observeRequest('exchange', '', e.code, 0);
      const audit = source && beginGrpcAudit(ctx, source);
      if (audit) auditGrpcUnauthenticated(audit, undefined, undefined, e, source!.requestURI);
      call.emit('error', toServiceError(e));
    };
    if (this.closing) return refuse(unavailable('the apiserver is shutting down'));
    userOf(ctx, call).then((user) => {
      if (this.closing) refuse(unavailable('the apiserver is shutting down'));
      else if (!call.cancelled) this.serveUser(call, handlers, user, source);
    }, refuse);
  }

  // long: see serve; this is the stream of an authenticated caller.
  private serveUser(call: grpc.ServerDuplexStream<proto.ObjectRequest__Output, proto.ObjectResponse>, handlers: ExchangeHandlers, user: RequestUser, source: AuditSource | undefined): void {
    const ctx = this.ctx;

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
    const send = (msg: proto.ObjectResponse) => {
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

    call.on('data', (msg: proto.ObjectRequest__Output) => {
      const j = jobOf(ctx, msg, handlers, source);
      if (!j) {
        send({ id: msg.id, error: errorOf(400, 'BadRequest', `request ${msg.id} names no operation`) });
        return;
      }
      inFlight++;
      flowControl();
      // A broken stream cancels nothing: every request read runs to its end, as a unary call
      // whose client went away does.
      void j(user).then((res) => {
        inFlight--;
        send(res);
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

function errorOf(code: number, reason: string, message: string): proto.ObjectError {
  return { code: grpcCodeFor(code, reason), message, status_json: JSON.stringify(failureStatus(code, reason, message)) };
}
