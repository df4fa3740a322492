// etcd's KV.Range and KV.Txn over a sorted map in memory, with etcd's revisions (one per
// write transaction; create/mod revision per key): the calls the Store makes, for tests that
// run the real Store without an etcd. No history: reads at an old revision are refused.
import type { IKeyValue } from 'etcd3';
import type { KvCalls } from './store.js';
import type { KvOp, KvRangeRequest, KvRangeResponse, KvTxnRequest, KvTxnResponse } from './etcd-kv.js';

interface Entry {
  value: Buffer;
  create: number;
  mod: number;
  version: number;
}

export class MemoryKv implements KvCalls {
  revision = 1;
  readonly data = new Map<string, Entry>();

  private kv(key: string, e: Entry): IKeyValue {
    return { key: Buffer.from(key), value: e.value, create_revision: String(e.create), mod_revision: String(e.mod), version: String(e.version), lease: '0' };
  }

  private keysIn(start: string, end?: Buffer): string[] {
    if (!end) return this.data.has(start) ? [start] : [];
    const endKey = end.length === 1 && end[0] === 0 ? undefined : end.toString('latin1');
    return [...this.data.keys()].filter((k) => k >= start && (endKey === undefined || Buffer.from(k).toString('latin1') < endKey)).sort();
  }

  async range(req: KvRangeRequest): Promise<KvRangeResponse> {
    const rev = Number(req.revision ?? 0);
    if (rev > this.revision) throw Object.assign(new Error('etcdserver: mvcc: required revision is a future revision'), { name: 'GRPCOutOfRangeError' });
    if (rev && rev < this.revision) throw Object.assign(new Error('etcdserver: mvcc: required revision has been compacted'), { name: 'GRPCOutOfRangeError' });
    const keys = this.keysIn(req.key.toString('utf8'), req.range_end);
    const limited = req.limit ? keys.slice(0, req.limit) : keys;
    return {
      header: { revision: String(this.revision) },
      kvs: req.count_only ? [] : limited.map((k) => this.kv(k, this.data.get(k)!)),
      more: limited.length < keys.length,
      count: String(keys.length),
    };
  }

  async txn(req: KvTxnRequest): Promise<KvTxnResponse> {
    const ok = req.compare.every((c) => {
      const e = this.data.get(c.key.toString('utf8'));
      return c.target === 'Create' ? (e?.create ?? 0) === Number(c.create_revision) : (e?.mod ?? 0) === Number(c.mod_revision);
    });
    const ops = ok ? req.success : req.failure;
    const writes = ops.some((op) => !('request_range' in op));
    const next = writes ? this.revision + 1 : this.revision;
    const responses = ops.map((op) => this.apply(op, next));
    this.revision = next;
    return { header: { revision: String(this.revision) }, succeeded: ok, responses };
  }

  private apply(op: KvOp, revision: number): KvTxnResponse['responses'][number] {
    if ('request_range' in op) {
      const key = op.request_range.key.toString('utf8');
      const e = this.data.get(key);
      return { response_range: { kvs: e ? [this.kv(key, e)] : [] } };
    }
    if ('request_put' in op) {
      const key = op.request_put.key.toString('utf8');
      const e = this.data.get(key);
      this.data.set(key, { value: Buffer.from(op.request_put.value), create: e?.create ?? revision, mod: revision, version: (e?.version ?? 0) + 1 });
      return {};
    }
    this.data.delete(op.request_delete_range.key.toString('utf8'));
    return {};
  }

  /** Puts a raw value as etcdctl would (a write outside the Store). */
  putRaw(key: string, value: string | Buffer): void {
    void this.txn({ compare: [], success: [{ request_put: { key: Buffer.from(key), value: Buffer.from(value) } }], failure: [] });
  }
}
