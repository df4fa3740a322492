// etcd's KV.Range and KV.Txn over a map in memory, with etcd's revisions (one per write
// transaction; create/mod revision per key), and prefix watches from any revision (every
// event is kept): what the Store and the watch hub use, for tests that run the real
// registry without an etcd. Reads at an old revision are refused as compacted.
import { EventEmitter } from 'node:events';
import type { Etcd3, IEvent, IKeyValue } from 'etcd3';
import type { Logger } from 'pino';
import { Store, type KvCalls } from './store.js';
import type { KvOp, KvRangeRequest, KvRangeResponse, KvTxnRequest, KvTxnResponse } from './etcd-kv.js';

interface Entry {
  value: Buffer;
  create: number;
  mod: number;
  version: number;
}

interface MemoryWatch {
  start: string;
  end: string;
  from: number;
  emitter: EventEmitter;
}

export class MemoryKv implements KvCalls {
  revision = 1;
  readonly data = new Map<string, Entry>();
  /** Revisions below this one are gone, as after etcd's compaction. */
  private compacted = 0;
  /** Every event so far, for watches from an earlier revision. */
  private readonly history: IEvent[] = [];
  private readonly watches = new Set<MemoryWatch>();

  /** Watches open now, as etcd would count them. */
  get watchCount(): number {
    return this.watches.size;
  }

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
    if (rev && rev < this.compacted) throw Object.assign(new Error('etcdserver: mvcc: required revision has been compacted'), { name: 'GRPCOutOfRangeError' });
    if (rev && rev < this.revision && !req.count_only) throw Object.assign(new Error('etcdserver: mvcc: required revision has been compacted'), { name: 'GRPCOutOfRangeError' });
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
    const events: IEvent[] = [];
    const responses = ops.map((op) => this.apply(op, next, events));
    this.revision = next;
    this.publish(events);
    return { header: { revision: String(this.revision) }, succeeded: ok, responses };
  }

  private apply(op: KvOp, revision: number, events: IEvent[]): KvTxnResponse['responses'][number] {
    if ('request_range' in op) {
      const key = op.request_range.key.toString('utf8');
      const e = this.data.get(key);
      return { response_range: { kvs: e ? [this.kv(key, e)] : [] } };
    }
    if ('request_put' in op) {
      const key = op.request_put.key.toString('utf8');
      const e = this.data.get(key);
      const next = { value: Buffer.from(op.request_put.value), create: e?.create ?? revision, mod: revision, version: (e?.version ?? 0) + 1 };
      this.data.set(key, next);
      events.push({ type: 'Put', kv: this.kv(key, next), prev_kv: e ? this.kv(key, e) : undefined } as IEvent);
      return {};
    }
    const key = op.request_delete_range.key.toString('utf8');
    const e = this.data.get(key);
    if (e) {
      this.data.delete(key);
      const tomb = { ...this.kv(key, e), value: Buffer.alloc(0), mod_revision: String(revision), create_revision: '0', version: '0' };
      events.push({ type: 'Delete', kv: tomb, prev_kv: this.kv(key, e) } as IEvent);
    }
    return {};
  }

  private publish(events: IEvent[]): void {
    if (!events.length) return;
    this.history.push(...events);
    for (const w of this.watches) this.emit(w, events);
  }

  private emit(w: MemoryWatch, events: IEvent[]): void {
    const mine = events.filter((ev) => {
      const k = ev.kv.key.toString('utf8');
      return Number(ev.kv.mod_revision) >= w.from && k >= w.start && k < w.end;
    });
    // etcd answers a watch asynchronously, never inside the write's call.
    if (mine.length) setImmediate(() => this.watches.has(w) && w.emitter.emit('data', { header: { revision: String(this.revision) }, events: mine }));
  }

  /** What the registry asks of etcd3's client: `kv` and prefix watches (etcd.watch()...create()). */
  asEtcd3(): unknown {
    const kv = this;
    return {
      kv,
      watch() {
        let start = '';
        let from = kv.revision + 1;
        const builder = {
          prefix(p: string) {
            start = p;
            return builder;
          },
          withPreviousKV: () => builder,
          startRevision(r: string) {
            from = Number(r);
            return builder;
          },
          async create() {
            const emitter = Object.assign(new EventEmitter(), {
              cancel: async () => void kv.watches.delete(w),
            });
            const w: MemoryWatch = { start, end: `${start}\uffff`, from, emitter };
            // A watch from a compacted revision starts, then ends with an error (as etcd3's does).
            if (from < kv.compacted) setImmediate(() => emitter.emit('error', new Error('Watcher canceled')));
            else {
              kv.watches.add(w);
              kv.emit(w, kv.history);
            }
            return emitter;
          },
        };
        return builder;
      },
    };
  }

  /** etcd's compaction: reads and watches from before `revision` fail from now on. */
  compact(revision = this.revision): void {
    this.compacted = revision;
    this.history.splice(0, this.history.findIndex((ev) => Number(ev.kv.mod_revision) >= revision) >>> 0);
  }

  /** Puts a raw value as etcdctl would (a write outside the Store). */
  putRaw(key: string, value: string | Buffer): void {
    void this.txn({ compare: [], success: [{ request_put: { key: Buffer.from(key), value: Buffer.from(value) } }], failure: [] });
  }
}

/** A Store over a fresh MemoryKv: the real Store, watch hub and registry run on it. */
export function memoryStore(logger?: Logger): { kv: MemoryKv; store: Store } {
  const kv = new MemoryKv();
  return { kv, store: new Store(kv.asEtcd3() as Etcd3, undefined, kv, logger) };
}
