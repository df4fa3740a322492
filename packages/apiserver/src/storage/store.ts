// Typed access to etcd for the registry: reads at a revision, create-if-absent and
// compare-and-swap writes, paged consistent lists. Every write is one etcd transaction and
// returns only after etcd committed it.
import type { Etcd3, IKeyValue } from 'etcd3';
import type { KvRangeRequest, KvRangeResponse, KvTxnRequest, KvTxnResponse } from './etcd-kv.js';
import { MAX_OBJECT_BYTES, objectTooLarge, type KubeObject } from '@k8ts/api';
import type { Logger } from 'pino';
import { CorruptObjectError, decodeKv, encodeForWrite, rememberJson, toStorage, type WriteEncoding } from './codec.js';
import { storableErrors } from './storable.js';
import type { Storage, StorageEvent, StorageWatch } from './storage.js';
import { prefixEnd, REGISTRY_PREFIX } from './keys.js';
import { decodeContinue, encodeContinue } from './continue-token.js';
import { expired } from '../registry/errors.js';
import { invalidObject } from '../registry/api-calls.js';
import { RecentWrites } from './recent-writes.js';
import { meta } from '../registry/meta.js';

export type EtcdOp = 'get' | 'list' | 'create' | 'update' | 'delete' | 'revision';

export type WriteResult =
  | { ok: true; object: KubeObject; revision: string }
  | { ok: false; current?: KubeObject };

export interface ListPage {
  items: KubeObject[];
  revision: string;
  continue?: string;
  remainingItemCount?: number;
}

export interface ListParams {
  limit?: number;
  continue?: string;
  /** Read at this revision (a consistent snapshot); default the newest. */
  revision?: string;
  /** The message of the 410 when `revision` is compacted (the continue token's wording otherwise). */
  compactedMessage?: string;
}

const CONTINUE_EXPIRED =
  'The provided continue parameter is too old to display a consistent list result. You can start a new list without the continue parameter, or use the continue token in this response to retrieve the remainder of the results.';

/** etcd answers OutOfRange both for a compacted revision and for a future one: tell them apart by the message. */
export function isCompactedError(err: unknown): boolean {
  const e = err as Error;
  const outOfRange = e?.name === 'GRPCOutOfRangeError' || e?.constructor?.name === 'GRPCOutOfRangeError';
  return /compacted/.test(e?.message ?? '') || (outOfRange && !isFutureRevisionError(err));
}

export function isFutureRevisionError(err: unknown): boolean {
  return /future revision/.test((err as Error)?.message ?? '');
}

/** The calls the store makes: the lean client of etcd-kv.ts, or etcd3's KV client (same shapes). */
export interface KvCalls {
  range(req: KvRangeRequest): Promise<KvRangeResponse>;
  txn(req: KvTxnRequest): Promise<KvTxnResponse>;
}

export class Store implements Storage {
  private readonly kv: KvCalls;
  /** What this store wrote, for the watch events of those writes (see recent-writes.ts). */
  readonly recent = new RecentWrites((obj, enc, revision) => withRevision(obj, revision, enc as WriteEncoding));

  constructor(
    readonly etcd: Etcd3,
    private readonly observe: (op: EtcdOp, seconds: number) => void = () => {},
    kv?: KvCalls,
    /** Where values a list skips (undecodable ones, see codec.ts) are reported. */
    readonly logger?: Logger,
  ) {
    this.kv = kv ?? (etcd.kv as unknown as KvCalls);
  }

  /**
   * A second etcd3 client for dedicated watches. etcd3 multiplexes a client's watches on one
   * stream, and under churn its bookkeeping loses watch ids (etcd-watch-guard.ts resets the
   * stream then, and resets came in bursts in a soak, starving every watch on it for seconds
   * and so the node Leases the controller-manager reads): the watch cache's few long-lived
   * watches stay on a stream of their own.
   */
  dedicatedWatches?: Pick<Etcd3, 'watch'>;

  private async timed<T>(op: EtcdOp, fn: () => Promise<T>): Promise<T> {
    const start = performance.now();
    try {
      return await fn();
    } finally {
      this.observe(op, (performance.now() - start) / 1000);
    }
  }

  async get(key: string): Promise<KubeObject | undefined> {
    const res = await this.timed('get', () => this.kv.range({ key: Buffer.from(key) }));
    return res.kvs.length ? decodeKv(res.kvs[0]) : undefined;
  }

  /** Several keys read in one read-only transaction (pods/binding reads its crowd this way). */
  async getMany(keys: string[]): Promise<(KubeObject | undefined)[]> {
    const res = await this.timed('get', () =>
      this.kv.txn({ compare: [], success: keys.map((k) => ({ request_range: { key: Buffer.from(k) } })), failure: [] }),
    );
    return keys.map((_, i) => currentOf(res.responses[i]?.response_range?.kvs));
  }

  async currentRevision(): Promise<string> {
    // A range over an empty key space answers with the store's header revision.
    const res = await this.timed('revision', () => this.kv.range({ key: Buffer.from('\0'), count_only: true }));
    return res.header.revision;
  }

  /** Stores obj under key if the key does not exist. */
  async create(key: string, obj: KubeObject): Promise<WriteResult> {
    const { enc, value } = encodeChecked(key, obj);
    const k = Buffer.from(key);
    // Known to the watch while in flight (recent-writes.ts): its event may come before the answer.
    const entry = this.recent.expect(key, value, obj, enc);
    let claimed = false;
    let res;
    try {
      res = await this.timed('create', () =>
        this.kv.txn({
          compare: [{ key: k, target: 'Create', create_revision: 0 }],
          success: [{ request_put: { key: k, value } }],
          failure: [],
        }),
      );
    } finally {
      claimed = this.recent.answered(entry);
    }
    if (!res.succeeded) return { ok: false };
    return { ok: true, object: this.written(key, obj, enc, res.header.revision, claimed), revision: res.header.revision };
  }

  /** Replaces the object if its mod revision is still `expectedRevision`. */
  async update(key: string, obj: KubeObject, expectedRevision: string): Promise<WriteResult> {
    const { enc, value } = encodeChecked(key, obj);
    const k = Buffer.from(key);
    // Known to the watch while in flight (recent-writes.ts): its event may come before the answer.
    const entry = this.recent.expect(key, value, obj, enc);
    let claimed = false;
    let res;
    try {
      res = await this.timed('update', () =>
        this.kv.txn({
          compare: [{ key: k, target: 'Mod', mod_revision: expectedRevision }],
          success: [{ request_put: { key: k, value } }],
          failure: [{ request_range: { key: k } }],
        }),
      );
    } finally {
      claimed = this.recent.answered(entry);
    }
    if (!res.succeeded) return { ok: false, current: currentOf(res.responses[0]?.response_range?.kvs) };
    return { ok: true, object: this.written(key, obj, enc, res.header.revision, claimed), revision: res.header.revision };
  }

  /** The object a successful write returns, kept for its watch event unless that event took it already. */
  private written(key: string, obj: KubeObject, enc: WriteEncoding, revision: string, claimed: boolean): KubeObject {
    if (!claimed) {
      this.recent.note(key, revision, withRevision(obj, revision, enc));
      return obj;
    }
    // The event that took it was this write's (same bytes, same revision) unless another
    // writer put the very same bytes first: then the object watchers share keeps that revision.
    if (obj.metadata.resourceVersion === revision) return obj;
    return withRevision(JSON.parse(enc.stored) as KubeObject, revision, enc);
  }

  /** Deletes the key if its mod revision is still `expectedRevision`; `object` is the last state with the delete's revision. */
  async delete(key: string, last: KubeObject, expectedRevision: string): Promise<WriteResult> {
    const k = Buffer.from(key);
    const res = await this.timed('delete', () =>
      this.kv.txn({
        compare: [{ key: k, target: 'Mod', mod_revision: expectedRevision }],
        success: [{ request_delete_range: { key: k } }],
        failure: [{ request_range: { key: k } }],
      }),
    );
    if (!res.succeeded) return { ok: false, current: currentOf(res.responses[0]?.response_range?.kvs) };
    return { ok: true, object: withRevision(last, res.header.revision), revision: res.header.revision };
  }

  /**
   * Removes the value under key if it is one no read can decode (CorruptObjectError), the
   * unsafe delete of DeleteOptions.ignoreStoreReadErrorWithClusterBreakingPotential; false
   * when the value there decodes after all (the caller takes the normal path) or is gone.
   */
  async deleteCorrupt(key: string): Promise<{ deleted: boolean; revision?: string }> {
    const k = Buffer.from(key);
    const res = await this.timed('get', () => this.kv.range({ key: k }));
    const kv = res.kvs[0];
    if (!kv) return { deleted: false };
    try {
      decodeKv(kv);
      return { deleted: false };
    } catch (err) {
      if (!(err instanceof CorruptObjectError)) throw err;
    }
    const del = await this.timed('delete', () =>
      this.kv.txn({ compare: [{ key: k, target: 'Mod', mod_revision: kv.mod_revision }], success: [{ request_delete_range: { key: k } }], failure: [] }),
    );
    if (!del.succeeded) return this.deleteCorrupt(key);
    this.logger?.warn({ key }, 'removed an undecodable stored value (ignoreStoreReadErrorWithClusterBreakingPotential)');
    return { deleted: true, revision: del.header.revision };
  }

  async watch(prefix: string, fromRevision: number, opts: { dedicated?: boolean } = {}): Promise<StorageWatch> {
    const client = (opts.dedicated && this.dedicatedWatches) || this.etcd;
    const w = await client.watch().prefix(prefix).withPreviousKV().startRevision(String(fromRevision)).create();
    return {
      on(event: 'data' | 'error', fn: (arg: any) => void) {
        if (event === 'data') w.on('data', (res) => fn(res.events as StorageEvent[]));
        else w.on('error', fn);
        return this;
      },
      cancel: () => w.cancel(),
    };
  }

  async isCompacted(revision: number): Promise<boolean> {
    try {
      await this.kv.range({ key: Buffer.from('\0'), count_only: true, revision });
      return false;
    } catch (err) {
      if (isCompactedError(err)) return true;
      if (isFutureRevisionError(err)) return false;
      throw err;
    }
  }

  /** Objects under prefix in key order, all read at one revision. */
  async list(prefix: string, params: ListParams = {}): Promise<ListPage> {
    let start = prefix;
    let revision = params.revision;
    if (params.continue) {
      const t = decodeContinue(params.continue);
      if (!t.start.startsWith(prefix)) throw expired(CONTINUE_EXPIRED);
      start = t.start;
      revision = t.rv;
    }
    const limit = params.limit && params.limit > 0 ? params.limit : 0;
    let res;
    try {
      res = await this.timed('list', () =>
        this.kv.range({
          key: Buffer.from(start),
          range_end: prefixEnd(prefix),
          limit,
          revision: revision ?? 0,
        }),
      );
    } catch (err) {
      if (isCompactedError(err)) throw expired(params.continue || !params.compactedMessage ? CONTINUE_EXPIRED : params.compactedMessage);
      throw err;
    }
    const rev = revision ?? res.header.revision;
    const items: KubeObject[] = [];
    for (const kv of res.kvs) {
      try {
        items.push(decodeKv(kv));
      } catch (err) {
        // One undecodable value must not fail every list of its resource: it is left out
        // (a GET of it answers the error, a DELETE with the unsafe option removes it).
        if (!(err instanceof CorruptObjectError)) throw err;
        this.logger?.warn({ key: err.key, reason: err.why, revision: kv.mod_revision }, 'list skipped an undecodable stored value');
      }
    }
    const page: ListPage = { items, revision: rev };
    if (res.more && res.kvs.length) {
      const lastKey = res.kvs[res.kvs.length - 1].key.toString('utf8');
      page.continue = encodeContinue({ rv: rev, start: lastKey + '\u0000' });
      page.remainingItemCount = Number(res.count) - res.kvs.length;
    }
    return page;
  }
}

function resourceOfKey(key: string): string {
  return key.slice(REGISTRY_PREFIX.length, key.indexOf('/', REGISTRY_PREFIX.length));
}

/**
 * The bytes etcd will store, or 422 Invalid: for an object whose envelope the readers of
 * etcd could not decode (storable.ts), and for JSON over MAX_OBJECT_BYTES (the check
 * validation would make with a JSON.stringify of its own, made on the JSON written).
 */
function encodeChecked(key: string, obj: KubeObject): { enc: WriteEncoding; value: Buffer } {
  const wrong = storableErrors(key, obj);
  if (wrong.length) throw invalidObject(resourceOfKey(key), envelopeOf(obj), wrong);
  const enc = encodeForWrite(obj);
  const value = Buffer.from(enc.stored);
  if (value.length > MAX_OBJECT_BYTES) throw invalidObject(resourceOfKey(key), obj, [objectTooLarge()]);
  return { enc, value: toStorage(key, value) };
}

/** Something invalidObject can name, whatever obj is. */
function envelopeOf(obj: unknown): KubeObject {
  const m = (obj as KubeObject | null)?.metadata;
  const name = m && typeof m === 'object' && typeof m.name === 'string' ? m.name : '';
  return { metadata: { name } } as KubeObject;
}

function withRevision(obj: KubeObject, revision: string, enc?: WriteEncoding): KubeObject {
  meta(obj).resourceVersion = revision;
  if (enc) rememberJson(obj, enc.withRevision(revision));
  return obj;
}

function currentOf(kvs: IKeyValue[] | undefined): KubeObject | undefined {
  return kvs && kvs.length ? decodeKv(kvs[0]) : undefined;
}
