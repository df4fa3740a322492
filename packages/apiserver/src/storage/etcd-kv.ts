// The registry's hot etcd calls, KV.Range and KV.Txn, as grpc-js unary calls carrying
// etcd's own protobuf messages (the .proto files the etcd3 package ships, encoded by
// protobufjs). Each create, update, get and list is one such call; through the etcd3 client
// each also paid for proto-loader's object conversions and the client's per-call wrapping,
// which made up most of the apiserver's CPU per create. Watches, leases and the rest stay on
// etcd3. Errors come back as etcd3's typed errors, and unavailable etcd is retried with the
// same policy as the etcd3 client's, so callers see no difference. The messages are encoded
// and decoded here; the calls themselves go through EtcdUnary, in this thread or in a thread
// of their own (EtcdThread).
import path from 'node:path';
import { createRequire } from 'node:module';
import protobuf from 'protobufjs';
import type { IKeyValue } from 'etcd3';
import { EtcdUnary, type EtcdCalls, type EtcdUnaryOptions } from './etcd-unary.js';
import { EtcdThread } from './etcd-thread.js';
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

export interface EtcdKvOptions extends EtcdUnaryOptions {
  /** Make the calls from a thread of their own (EtcdThread) rather than the caller's event loop. */
  thread?: boolean;
  /** Calls at etcd at once, Lease calls apart (etcd-call-gate.ts; default 16). */
  maxInflight?: number;
}

export class EtcdKv {
  private readonly calls: EtcdCalls;
  private readonly gate: EtcdCallGate;

  constructor(opts: EtcdKvOptions) {
    this.gate = new EtcdCallGate(opts.maxInflight);
    protoTypes();
    this.calls = opts.thread ? new EtcdThread(opts) : new EtcdUnary(opts);
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
    const res = t.RangeResponse.decode(await this.gate.run(req.key, () => this.calls.call('/etcdserverpb.KV/Range', body))) as any;
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
    const res = t.TxnResponse.decode(await this.gate.run(txnKey(req), () => this.calls.call('/etcdserverpb.KV/Txn', body))) as any;
    return {
      header: { revision: int64(res.header?.revision) },
      succeeded: !!res.succeeded,
      responses: (res.responses ?? []).map((r: any) => (r.response_range ? { response_range: { kvs: (r.response_range.kvs ?? []).map(toKeyValue) } } : {})),
    };
  }

  close(): void {
    this.calls.close();
  }
}
