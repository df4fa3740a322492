// The registry's hot etcd calls, KV.Range and KV.Txn, as grpc-js unary calls carrying
// etcd's own protobuf messages (the .proto files the etcd3 package ships, encoded by
// protobufjs). Each create, update, get and list is one such call; through the etcd3 client
// each also paid for proto-loader's object conversions and the client's per-call wrapping,
// which made up most of the apiserver's CPU per create. Watches, leases and the rest stay on
// etcd3. Errors come back as etcd3's typed errors, and unavailable etcd is retried with the
// same policy as the etcd3 client's, so callers see no difference.
import * as grpc from '@grpc/grpc-js';
import path from 'node:path';
import { createRequire } from 'node:module';
import protobuf from 'protobufjs';
import { castGrpcError, GRPCDeadlineExceededError, isRecoverableError, type IKeyValue } from 'etcd3';
import { ExponentialBackoff, handleWhen, retry, type RetryPolicy } from 'cockatiel';
import { ETCD_FLOW_CONTROL_WINDOW, type EtcdTls } from './etcd-client.js';
import { EtcdCallGate } from './etcd-call-gate.js';

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

/** The key a transaction is about: its first comparison's, or its first operation's. */
function txnKey(req: KvTxnRequest): Buffer | undefined {
  const op = req.success[0];
  return req.compare[0]?.key ?? (op && ('request_put' in op ? op.request_put.key : 'request_range' in op ? op.request_range.key : op.request_delete_range.key));
}

/** etcd3's typed error (GRPCUnavailableError, GRPCOutOfRangeError, …) for a grpc-js error. */
function typed(err: grpc.ServiceError): Error {
  const e = castGrpcError(err);
  e.name = e.constructor.name; // etcd3's classes leave it "Error"
  return e;
}

// etcd refuses keepalive pings more often than its --grpc-keepalive-min-time (5 s).
const CHANNEL_OPTIONS: grpc.ChannelOptions = {
  'grpc.max_receive_message_length': 2 ** 31 - 1,
  'grpc.max_send_message_length': 2 ** 31 - 1,
  'grpc.keepalive_time_ms': 10_000,
  'grpc.keepalive_timeout_ms': 5_000,
  'grpc.enable_retries': 0,
  'grpc.enable_channelz': 0,
  'grpc.initial_reconnect_backoff_ms': 100,
  'grpc.max_reconnect_backoff_ms': 1_000,
  // etcd's answers in large pieces however busy the apiserver's event loop is (etcd-client.ts).
  'grpc-node.flow_control_window': ETCD_FLOW_CONTROL_WINDOW,
};

/** The error grpc-js's client would have made of a status (etcd3 types it by code and message). */
function serviceError(status: grpc.StatusObject): grpc.ServiceError {
  return Object.assign(new Error(`${status.code} ${grpc.status[status.code]}: ${status.details}`), status);
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
  /** TLS to https:// servers, as the etcd3 client's (readEtcdTls). */
  tls?: EtcdTls;
  /** Calls at etcd at once, Lease calls apart (etcd-call-gate.ts; default 16). */
  maxInflight?: number;
}

export class EtcdKv {
  private readonly servers: string[];
  private readonly channels: (grpc.Client | undefined)[] = [];
  private current = 0;
  private closed = false;
  private readonly policy: RetryPolicy;
  private readonly maxAttempts: number;
  private readonly callTimeoutMs: number;
  private readonly credentials: grpc.ChannelCredentials;
  private readonly gate: EtcdCallGate;

  constructor(opts: EtcdKvOptions) {
    this.callTimeoutMs = opts.callTimeoutMs ?? 30_000;
    this.gate = new EtcdCallGate(opts.maxInflight);
    this.credentials = opts.tls ? grpc.credentials.createSsl(opts.tls.ca ?? null, opts.tls.key ?? null, opts.tls.cert ?? null) : grpc.credentials.createInsecure();
    if (!opts.servers.length) throw new Error('no etcd servers');
    this.servers = opts.servers.map((s) => s.replace(/^https?:\/\//, '').replace(/\/+$/, ''));
    this.maxAttempts = opts.maxAttempts ?? 8;
    // The attempt made before the policy counts as the policy's first.
    this.policy = retry(handleWhen((e) => this.retryable(e)), {
      maxAttempts: this.maxAttempts - 1,
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
    const res = t.RangeResponse.decode(await this.gate.run(req.key, () => this.call('/etcdserverpb.KV/Range', body))) as any;
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
    const res = t.TxnResponse.decode(await this.gate.run(txnKey(req), () => this.call('/etcdserverpb.KV/Txn', body))) as any;
    return {
      header: { revision: int64(res.header?.revision) },
      succeeded: !!res.succeeded,
      responses: (res.responses ?? []).map((r: any) => (r.response_range ? { response_range: { kvs: (r.response_range.kvs ?? []).map(toKeyValue) } } : {})),
    };
  }

  close(): void {
    this.closed = true;
    for (const c of this.channels) c?.close();
    this.channels.length = 0;
  }

  /** One attempt first, outside the retry policy: its promise and closures cost every call, and only failures need them. */
  private async call(method: string, message: Uint8Array): Promise<Buffer> {
    try {
      return await this.once(method, message);
    } catch (err) {
      if (!this.retryable(err as Error) || this.maxAttempts <= 1) throw err;
      return this.policy.execute(() => this.once(method, message));
    }
  }

  private channel(index: number): grpc.Client {
    let c = this.channels[index];
    if (!c) {
      c = new grpc.Client(this.servers[index]!, this.credentials, CHANNEL_OPTIONS);
      this.channels[index] = c;
    }
    return c;
  }

  /**
   * One unary call to the current member. A member that is unavailable or did not answer in
   * time is left for the next one; a timed-out channel is closed so a member that vanished
   * without closing its connections is dialled afresh when its turn comes again.
   */
  private once(method: string, message: Uint8Array): Promise<Buffer> {
    if (this.closed) return Promise.reject(new Error('the etcd client is closed'));
    const index = this.current;
    const body = Buffer.from(message.buffer, message.byteOffset, message.byteLength);
    return new Promise((resolve, reject) => {
      // The channel's call, without Client.makeUnaryRequest's layers (interceptor chain,
      // an event emitter and a captured stack trace per call): the same call on the wire.
      const call = this.channel(index).getChannel().createCall(method, Date.now() + this.callTimeoutMs, undefined, null, grpc.propagate.DEFAULTS);
      let answer: Buffer | undefined;
      call.start(new grpc.Metadata(), {
        onReceiveMetadata() {},
        onReceiveMessage(m: Buffer) {
          answer = m;
        },
        onReceiveStatus: (status) => {
          if (status.code === grpc.status.OK) {
            if (answer) return resolve(answer);
            status = { ...status, code: grpc.status.UNIMPLEMENTED, details: 'No message received' };
          }
          if (status.code === grpc.status.UNAVAILABLE || status.code === grpc.status.DEADLINE_EXCEEDED) {
            if (status.code === grpc.status.DEADLINE_EXCEEDED) {
              this.channels[index]?.close();
              this.channels[index] = undefined;
            }
            if (this.current === index) this.current = (index + 1) % this.servers.length;
          }
          reject(typed(serviceError(status)));
        },
      });
      call.startRead();
      call.sendMessageWithContext({}, body);
      call.halfClose();
    });
  }

  private retryable(err: Error): boolean {
    // etcd3 counts a deadline as recoverable; here it is not: the call may have been applied.
    return isRecoverableError(err) && !(err instanceof GRPCDeadlineExceededError);
  }
}
