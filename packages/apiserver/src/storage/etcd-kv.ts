// The registry's hot etcd calls, KV.Range and KV.Txn, as plain gRPC unary calls over
// node:http2 with etcd's own protobuf messages (the .proto files the etcd3 package ships,
// encoded by protobufjs). Each create, update, get and list is one such call; through the
// etcd3 client each also paid for grpc-js' call stack (resolving, retrying, load-balancing
// and subchannel calls, interceptors, filters) and proto-loader's object conversions, which
// made up most of the apiserver's CPU per create. Watches, leases and the rest stay on
// etcd3. Errors come back as etcd3's typed errors, and unavailable etcd is retried with the
// same policy as the etcd3 client's, so callers see no difference.
import http2 from 'node:http2';
import path from 'node:path';
import { createRequire } from 'node:module';
import protobuf from 'protobufjs';
import { castGrpcError, GRPCDeadlineExceededError, isRecoverableError, type IKeyValue } from 'etcd3';
import { ExponentialBackoff, handleWhen, retry, type RetryPolicy } from 'cockatiel';

export interface KvResponseHeader {
  revision: string;
}

export interface KvRangeRequest {
  key: Buffer;
  range_end?: Buffer;
  limit?: number;
  revision?: number | string;
  count_only?: boolean;
}

export interface KvRangeResponse {
  header: KvResponseHeader;
  kvs: IKeyValue[];
  more: boolean;
  count: string;
}

export type KvCompare =
  | { key: Buffer; target: 'Create'; create_revision: number | string }
  | { key: Buffer; target: 'Mod'; mod_revision: number | string };

export type KvOp = { request_put: { key: Buffer; value: Buffer } } | { request_range: { key: Buffer } } | { request_delete_range: { key: Buffer } };

export interface KvTxnRequest {
  /** Every comparison is an equality. */
  compare: KvCompare[];
  success: KvOp[];
  failure: KvOp[];
}

export interface KvTxnResponse {
  header: KvResponseHeader;
  succeeded: boolean;
  responses: { response_range?: { kvs: IKeyValue[] } }[];
}

const TARGET = { Create: 1, Mod: 2 } as const; // etcdserverpb.Compare.CompareTarget; result EQUAL is 0

let types: { RangeRequest: protobuf.Type; RangeResponse: protobuf.Type; TxnRequest: protobuf.Type; TxnResponse: protobuf.Type } | undefined;

function protoTypes() {
  if (!types) {
    const dir = path.join(path.dirname(createRequire(import.meta.url).resolve('etcd3/package.json')), 'proto');
    const root = new protobuf.Root();
    root.resolvePath = (_origin, target) => (path.isAbsolute(target) ? target : path.join(dir, target));
    root.loadSync('rpc.proto', { keepCase: true });
    types = {
      RangeRequest: root.lookupType('etcdserverpb.RangeRequest'),
      RangeResponse: root.lookupType('etcdserverpb.RangeResponse'),
      TxnRequest: root.lookupType('etcdserverpb.TxnRequest'),
      TxnResponse: root.lookupType('etcdserverpb.TxnResponse'),
    };
  }
  return types;
}

type Int64 = number | { toNumber(): number } | null | undefined;
const int64 = (v: Int64): string => String(v == null ? 0 : typeof v === 'number' ? v : v.toNumber());

function toKeyValue(kv: any): IKeyValue {
  return {
    key: kv.key,
    value: kv.value,
    create_revision: int64(kv.create_revision),
    mod_revision: int64(kv.mod_revision),
    version: int64(kv.version),
    lease: int64(kv.lease),
  };
}

const GRPC_STATUS_NAMES = ['OK', 'CANCELLED', 'UNKNOWN', 'INVALID_ARGUMENT', 'DEADLINE_EXCEEDED', 'NOT_FOUND', 'ALREADY_EXISTS', 'PERMISSION_DENIED', 'RESOURCE_EXHAUSTED', 'FAILED_PRECONDITION', 'ABORTED', 'OUT_OF_RANGE', 'UNIMPLEMENTED', 'INTERNAL', 'UNAVAILABLE', 'DATA_LOSS', 'UNAUTHENTICATED'];
const UNAVAILABLE = 14;

/** An etcd3 typed error (GRPCUnavailableError, GRPCOutOfRangeError, …) as grpc-js would have produced it. */
function grpcError(code: number, message: string): Error {
  const err = castGrpcError(Object.assign(new Error(`${code} ${GRPC_STATUS_NAMES[code] ?? 'UNKNOWN'}: ${message}`), { code }));
  err.name = err.constructor.name; // etcd3's classes leave it "Error"
  return err;
}

export interface EtcdKvOptions {
  servers: string[];
  /** Attempts of one call while etcd is unavailable (as the etcd3 client's global policy). */
  maxAttempts?: number;
  /**
   * A call without an answer after this long fails (DeadlineExceeded, not retried: a write
   * may have been applied) and drops its connection, so the next call dials again, the next
   * member first: a member that vanished without closing its connections is left behind.
   */
  callTimeoutMs?: number;
}

export class EtcdKv {
  private readonly servers: string[];
  private next = 0;
  private session?: http2.ClientHttp2Session;
  private closed = false;
  private readonly policy: RetryPolicy;
  private readonly callTimeoutMs: number;

  constructor(opts: EtcdKvOptions) {
    this.callTimeoutMs = opts.callTimeoutMs ?? 30_000;
    if (!opts.servers.length) throw new Error('no etcd servers');
    this.servers = opts.servers.map((s) => (/^https?:\/\//.test(s) ? s : `http://${s}`));
    // etcd3 counts a deadline as recoverable; here it is not: the call may have been applied.
    this.policy = retry(handleWhen((e) => isRecoverableError(e) && !(e instanceof GRPCDeadlineExceededError)), {
      maxAttempts: opts.maxAttempts ?? 8,
      backoff: new ExponentialBackoff({ initialDelay: 50, maxDelay: 1000 }),
    });
    protoTypes();
  }

  async range(req: KvRangeRequest): Promise<KvRangeResponse> {
    const t = protoTypes();
    const body = t.RangeRequest.encode({
      key: req.key,
      range_end: req.range_end,
      limit: req.limit ?? 0,
      revision: Number(req.revision ?? 0),
      count_only: req.count_only ?? false,
    }).finish();
    const res = t.RangeResponse.decode(await this.call('/etcdserverpb.KV/Range', body)) as any;
    return { header: { revision: int64(res.header?.revision) }, kvs: (res.kvs ?? []).map(toKeyValue), more: !!res.more, count: int64(res.count) };
  }

  async txn(req: KvTxnRequest): Promise<KvTxnResponse> {
    const t = protoTypes();
    const body = t.TxnRequest.encode({
      compare: req.compare.map((c) =>
        c.target === 'Create'
          ? { key: c.key, target: TARGET.Create, result: 0, create_revision: Number(c.create_revision) }
          : { key: c.key, target: TARGET.Mod, result: 0, mod_revision: Number(c.mod_revision) },
      ),
      success: req.success,
      failure: req.failure,
    }).finish();
    const res = t.TxnResponse.decode(await this.call('/etcdserverpb.KV/Txn', body)) as any;
    return {
      header: { revision: int64(res.header?.revision) },
      succeeded: !!res.succeeded,
      responses: (res.responses ?? []).map((r: any) => (r.response_range ? { response_range: { kvs: (r.response_range.kvs ?? []).map(toKeyValue) } } : {})),
    };
  }

  close(): void {
    this.closed = true;
    this.session?.close();
    this.session = undefined;
  }

  private call(method: string, message: Uint8Array): Promise<Buffer> {
    return this.policy.execute(() => this.once(method, message));
  }

  private connection(): http2.ClientHttp2Session {
    const s = this.session;
    if (s && !s.closed && !s.destroyed) return s;
    const url = this.servers[this.next++ % this.servers.length];
    // Lists can be large: keep http2's per-session buffering from refusing them.
    const session = http2.connect(url, { maxSessionMemory: 1024 });
    const drop = () => {
      if (this.session === session) this.session = undefined;
    };
    session.on('error', drop);
    session.on('goaway', drop);
    session.on('close', drop);
    this.session = session;
    return session;
  }

  /** One unary gRPC call: a 5-byte length prefix and the message; grpc-status in the trailers. */
  private once(method: string, message: Uint8Array): Promise<Buffer> {
    if (this.closed) return Promise.reject(new Error('the etcd client is closed'));
    return new Promise((resolve, reject) => {
      let stream: http2.ClientHttp2Stream;
      let session: http2.ClientHttp2Session;
      try {
        session = this.connection();
        stream = session.request({ ':method': 'POST', ':path': method, 'content-type': 'application/grpc', te: 'trailers' });
      } catch (err) {
        reject(grpcError(UNAVAILABLE, (err as Error).message));
        return;
      }
      let timedOut = false;
      const timer = setTimeout(() => {
        timedOut = true;
        session.destroy();
      }, this.callTimeoutMs);
      const frame = Buffer.allocUnsafe(5 + message.length);
      frame[0] = 0;
      frame.writeUInt32BE(message.length, 1);
      frame.set(message, 5);
      const chunks: Buffer[] = [];
      let status: string | undefined;
      let statusMessage = '';
      const takeStatus = (h: http2.IncomingHttpHeaders) => {
        if (h['grpc-status'] !== undefined) {
          status = String(h['grpc-status']);
          statusMessage = String(h['grpc-message'] ?? '');
          try {
            statusMessage = decodeURIComponent(statusMessage);
          } catch {
            // keep it as sent
          }
        }
      };
      stream.on('response', takeStatus); // a trailers-only answer carries its status here
      stream.on('trailers', takeStatus);
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('error', () => {}); // reported through 'close'
      stream.on('close', () => {
        clearTimeout(timer);
        if (timedOut) {
          reject(grpcError(4, `etcd did not answer ${method} within ${this.callTimeoutMs} ms`));
        } else if (status === '0') {
          const body = chunks.length === 1 ? chunks[0] : Buffer.concat(chunks);
          if (body.length < 5 || body[0] !== 0) reject(grpcError(13, 'malformed response from etcd'));
          else resolve(body.subarray(5, 5 + body.readUInt32BE(1)));
        } else if (status !== undefined) {
          reject(grpcError(Number(status), statusMessage));
        } else {
          // Reset or connection lost before an answer: unavailable, as grpc-js reports it.
          reject(grpcError(UNAVAILABLE, `etcd stream closed (${stream.rstCode ?? 'no status'})`));
        }
      });
      stream.end(frame);
    });
  }
}
