// Wraps a unary handler: authentication, error mapping, metrics.
import type * as grpc from '@grpc/grpc-js';
import { toApiError } from '../registry/errors.js';
import type { RequestUser } from '../registry/types.js';
import type { ApiError } from '@k8ts/client';
import { toServiceError } from './errors.js';
import { userOf, type GrpcContext } from './context.js';
import { grpcRefusal } from './authorize.js';
import { withSeat } from '../flowcontrol/seat.js';
import type { RequestAudit } from '../audit/request.js';
import { auditGrpcOutcome, auditGrpcRequest, auditGrpcUnauthenticated, beginGrpcAudit } from './audit.js';

export type Handler<Req, Res> = (req: Req, user: RequestUser) => Promise<Res>;

/** The resource a request names, for metrics and logs ("" for those that name none). */
export function resourceOf(req: object): string {
  return 'resource' in req && typeof req.resource === 'string' ? req.resource : '';
}

/**
 * One request of `verb` on `resource` for an authenticated user, as both the unary calls and
 * the Exchange stream run it: the handler's result or its ApiError, with the request metric
 * and, for a server error, the log line.
 */
export function runRequest<Req, Res>(ctx: GrpcContext, verb: string, resource: string, fn: Handler<Req, Res>, req: Req, user: RequestUser, start: number, audit?: RequestAudit): Promise<{ ok: true; res: Res } | { ok: false; err: ApiError }> {
  let p: Promise<Res>;
  try {
    const seen = audit && auditGrpcRequest(audit, user, verb, req as object);
    const refusal = grpcRefusal(ctx, verb, req as object, user, seen);
    // RenewLease names no resource: it is the node's Lease, which has seats of its own.
    p = refusal ? Promise.reject(refusal) : withSeat(ctx.limiter, user, verb === 'renewlease' ? 'leases' : resource, () => fn(req, user));
  } catch (err) {
    p = Promise.reject(err);
  }
  return p.then(
    (res) => {
      ctx.metrics?.observeRequest(verb, resource, 200, (performance.now() - start) / 1000);
      if (audit) auditGrpcOutcome(audit, req as object, verb, undefined, res);
      return { ok: true as const, res };
    },
    (err) => {
      const e = toApiError(err);
      if (e.code >= 500) ctx.logger?.error({ verb, resource, err: (err as Error)?.stack ?? String(err) }, 'request failed');
      ctx.metrics?.observeRequest(verb, resource, e.code, (performance.now() - start) / 1000);
      if (audit) auditGrpcOutcome(audit, req as object, verb, e);
      return { ok: false as const, err: e };
    },
  );
}

export function unary<Req extends object, Res>(ctx: GrpcContext, verb: string, fn: Handler<Req, Res>): grpc.handleUnaryCall<Req, Res> {
  return (call, callback) => {
    const start = performance.now();
    const resource = resourceOf(call.request);
    const audit = beginGrpcAudit(ctx, call);
    userOf(ctx, call).then(
      (user) => runRequest(ctx, verb, resource, fn, call.request, user, start, audit).then((r) => (r.ok ? callback(null, r.res) : callback(toServiceError(r.err)))),
      (err) => {
        const e = toApiError(err);
        ctx.metrics?.observeRequest(verb, resource, e.code, (performance.now() - start) / 1000);
        if (audit) auditGrpcUnauthenticated(audit, verb, call.request, e, call.getPath());
        callback(toServiceError(e));
      },
    );
  };
}
