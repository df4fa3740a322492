// What the registry needs of its storage, and nothing of etcd's client: reads, lists at a
// revision, create-if-absent and compare-and-swap writes, deletes, and watches of a key
// prefix from a revision. Store (store.ts) is the etcd implementation; a Store over MemoryKv
// (memory-kv.ts) runs the same code without an etcd in tests.
import type { KubeObject } from '@k8ts/api';
import type { Logger } from 'pino';
import type { ListPage, ListParams, WriteResult } from './store.js';
import type { RecentWrites } from './recent-writes.js';

/** One stored value as a watch reports it: revisions as decimal strings, as etcd gives them. */
export interface StoredKv {
  key: Buffer;
  value: Buffer;
  mod_revision: string;
  create_revision: string;
}

/** A change under a watched prefix; a Delete's kv carries the delete's revision. */
export interface StorageEvent {
  type: 'Put' | 'Delete';
  kv: StoredKv;
  /** The value before the change. */
  prev_kv?: StoredKv;
}

/** A prefix watch: events in revision order, in batches; `error` once it has ended (compacted past). */
export interface StorageWatch {
  on(event: 'data', fn: (events: StorageEvent[]) => void): unknown;
  on(event: 'error', fn: (err: Error) => void): unknown;
  cancel(): Promise<void>;
}

export interface Storage {
  readonly logger?: Logger;
  /** What this storage wrote, for the watch events of those writes (see recent-writes.ts). */
  readonly recent: RecentWrites;
  get(key: string): Promise<KubeObject | undefined>;
  getMany(keys: string[]): Promise<(KubeObject | undefined)[]>;
  currentRevision(): Promise<string>;
  create(key: string, obj: KubeObject): Promise<WriteResult>;
  update(key: string, obj: KubeObject, expectedRevision: string): Promise<WriteResult>;
  delete(key: string, last: KubeObject, expectedRevision: string): Promise<WriteResult>;
  deleteCorrupt(key: string): Promise<{ deleted: boolean; revision?: string }>;
  list(prefix: string, params?: ListParams): Promise<ListPage>;
  /**
   * Every change under prefix from `fromRevision` on (inclusive), with previous values.
   * `dedicated`: one client's watch of its own (short-lived, many), kept apart from the
   * shared watches of the watch cache where the storage can.
   */
  watch(prefix: string, fromRevision: number, opts?: { dedicated?: boolean }): Promise<StorageWatch>;
  /** Whether `revision` is older than the oldest the storage can still read or watch from. */
  isCompacted(revision: number): Promise<boolean>;
}
