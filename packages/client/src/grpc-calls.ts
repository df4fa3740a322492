// What the gRPC clients of this package share: channel options, bearer metadata, the
// ApiError of a failed call, and a unary call as a promise.
import { readFileSync } from 'node:fs';
import * as grpc from '@grpc/grpc-js';
import { apiError, type Status } from '@k8ts/api';
import { ApiError } from './types.js';
import type { ExchangeCallOptions, ExchangeOp, ExchangeReply, ExchangeRequests } from './exchange-stream.js';
import type { proto } from './proto/index.js';
import type { GrpcTlsOptions } from './grpc-tls.js';

/** What both ends of a k8ts gRPC connection set alike: keepalive notices a frozen peer in
 * ≈ 2.5 s, and messages up to 64 MiB (a large list) pass either way. */
export const GRPC_SHARED_OPTIONS = {
  'grpc.keepalive_time_ms': 2000,
  'grpc.keepalive_timeout_ms': 2000,
  'grpc.keepalive_permit_without_calls': 1,
  'grpc.max_receive_message_length': 64 * 1024 * 1024,
  'grpc.max_send_message_length': 64 * 1024 * 1024,
} as const satisfies grpc.ChannelOptions;

/** Channel options every k8ts client uses. */
export const GRPC_CLIENT_OPTIONS: grpc.ChannelOptions = {
  ...GRPC_SHARED_OPTIONS,
  // After an apiserver restart, and at start-up while it is still starting (`k8ts up` starts
  // every process at once), reconnect within a second rather than grpc's default of up to 2
  // minutes: at 3 s the agents found the new apiserver 1.5 s after it listened on average,
  // which `k8ts up` waited for. An attempt to a closed port costs next to nothing.
  'grpc.initial_reconnect_backoff_ms': 250,
  'grpc.max_reconnect_backoff_ms': 1000,
  // A large receive window keeps a burst of watch events from stalling on flow control
  // (measured: 1000-watcher p50 delivery ≈ 300 ms → ≈ 30 ms).
  'grpc-node.flow_control_window': 16 * 1024 * 1024,
};

// HTTP code and reason for a gRPC status that came without a k8s-status trailer (the
// apiserver unreachable, a deadline, a cancelled call).
const fallback: Partial<Record<grpc.status, [number, string]>> = {
  [grpc.status.INVALID_ARGUMENT]: [400, 'BadRequest'],
  [grpc.status.UNAUTHENTICATED]: [401, 'Unauthorized'],
  [grpc.status.PERMISSION_DENIED]: [403, 'Forbidden'],
  [grpc.status.NOT_FOUND]: [404, 'NotFound'],
  [grpc.status.UNIMPLEMENTED]: [405, 'MethodNotAllowed'],
  [grpc.status.ALREADY_EXISTS]: [409, 'AlreadyExists'],
  [grpc.status.ABORTED]: [409, 'Conflict'],
  [grpc.status.OUT_OF_RANGE]: [410, 'Expired'],
  [grpc.status.RESOURCE_EXHAUSTED]: [429, 'TooManyRequests'],
  [grpc.status.CANCELLED]: [499, 'ClientClosedRequest'],
  [grpc.status.UNAVAILABLE]: [503, 'ServiceUnavailable'],
  [grpc.status.DEADLINE_EXCEEDED]: [504, 'Timeout'],
};

/** A gRPC error as the ApiError the apiserver meant (its k8s-status trailer), or a synthesized one. */
export function apiErrorFromGrpc(err: Partial<grpc.ServiceError>): ApiError {
  const raw = err.metadata?.get('k8s-status')?.[0];
  if (raw !== undefined) {
    try {
      const status = JSON.parse(typeof raw === 'string' ? raw : raw.toString('utf8')) as Status;
      return new ApiError(status.code ?? 500, status.reason ?? 'InternalError', status);
    } catch {
      // fall through to the code mapping
    }
  }
  const [code, reason] = fallback[err.code ?? grpc.status.UNKNOWN] ?? [500, 'InternalError'];
  const message = err.details || err.message || `${code} ${reason}`;
  return apiError(code, reason, message);
}

export interface GrpcClientOptions extends GrpcTlsOptions {
  /** host:port of the apiserver's gRPC face (default 127.0.0.1:6444). */
  server?: string;
  token?: string;
  tokenFile?: string;
  /** Deadline of each request (default 30 s). */
  timeoutMs?: number;
  channelOptions?: grpc.ChannelOptions;
  /**
   * get/create/update/patch/delete as messages on one shared Objects.Exchange stream (default
   * true, or env K8TS_GRPC_EXCHANGE=0 for false; unary calls when false, or when the apiserver
   * does not implement Exchange).
   */
  exchange?: boolean;
  /**
   * Client-side rate limit of object requests (client-go's --kube-api-qps/--kube-api-burst):
   * a controller that wants to create a million pods asks at this rate, not all at once.
   * Watches and lease renewals are not limited. Default: none.
   */
  qps?: number;
  burst?: number;
}

export function resolveToken(opts: GrpcClientOptions): string | undefined {
  if (opts.token) return opts.token;
  if (opts.tokenFile) return readFileSync(opts.tokenFile, 'utf8').trim();
  return undefined;
}

export function bearerMetadata(token: string | undefined): grpc.Metadata {
  const md = new grpc.Metadata();
  if (token) md.set('authorization', `Bearer ${token}`);
  return md;
}

/** A unary method of a generated client stub, in grpc-js's callback form. */
export type UnaryMethod<Req, Res> = (req: Req, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<Res>) => grpc.ClientUnaryCall;

/** One unary call: its reply, or the ApiError it failed with. An abort cancels it (499). */
export function callUnary<Req, Res>(method: UnaryMethod<Req, Res>, req: Req, token: string | undefined, opts: ExchangeCallOptions): Promise<Res> {
  return new Promise((resolve, reject) => {
    const call = method(req, bearerMetadata(token), { deadline: Date.now() + opts.timeoutMs }, (err, reply) => {
      if (err) reject(apiErrorFromGrpc(err));
      else if (reply === undefined) reject(apiErrorFromGrpc({ code: grpc.status.INTERNAL, details: 'the apiserver sent no reply' }));
      else resolve(reply);
    });
    if (opts.signal) opts.signal.addEventListener('abort', () => call.cancel(), { once: true });
  });
}

export function exchangeWanted(opt: boolean | undefined): boolean {
  return opt ?? process.env.K8TS_GRPC_EXCHANGE !== '0';
}

/** Each Exchange op as its unary call, in grpc-js's callback form. */
export type UnaryMethods = { [Op in ExchangeOp]: UnaryMethod<ExchangeRequests[Op], ExchangeReply<Op>> };

/** The unary twins of the Exchange ops: Objects' five, and Nodes.RenewLease as given. */
export function unaryMethods(objects: proto.ObjectsClient, renewLease: UnaryMethods['renew_lease']): UnaryMethods {
  return {
    get: (req, md, o, cb) => objects.Get(req, md, o, cb),
    create: (req, md, o, cb) => objects.Create(req, md, o, cb),
    update: (req, md, o, cb) => objects.Update(req, md, o, cb),
    patch: (req, md, o, cb) => objects.Patch(req, md, o, cb),
    delete: (req, md, o, cb) => objects.Delete(req, md, o, cb),
    renew_lease: renewLease,
  };
}
