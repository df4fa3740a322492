// Wraps a unary handler: authentication, error mapping, metrics.
import type * as grpc from '@grpc/grpc-js';
import { toApiError } from '../registry/errors.js';
import type { RequestUser } from '../registry/types.js';
import { toServiceError } from './errors.js';
import { userOf, type GrpcContext } from './context.js';

export function unary<Req, Res>(
  ctx: GrpcContext,
  verb: string,
  fn: (req: Req, user: RequestUser) => Promise<Res>,
): grpc.handleUnaryCall<Req, Res> {
  return (call, callback) => {
    const start = performance.now();
    const resource = String((call.request as any)?.resource ?? '');
    let code = 200;
    const done = () => ctx.metrics?.observeRequest(verb, resource, code, (performance.now() - start) / 1000);
    let user: RequestUser;
    try {
      user = userOf(ctx, call);
    } catch (err) {
      const e = toApiError(err);
      code = e.code;
      done();
      callback(toServiceError(e));
      return;
    }
    fn(call.request, user).then(
      (res) => {
        done();
        callback(null, res);
      },
      (err) => {
        const e = toApiError(err);
        code = e.code;
        if (code >= 500) ctx.logger?.error({ verb, resource, err: (err as Error)?.stack ?? String(err) }, 'request failed');
        done();
        callback(toServiceError(e));
      },
    );
  };
}
