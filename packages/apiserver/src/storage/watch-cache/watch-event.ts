// One etcd event, decoded once and shared by every watcher of its resource. Objects in it
// are shared too: nobody may change them. `encodeShared` caches an object's JSON so a face
// serialises an event once however many watchers it goes to.
import type { StorageEvent } from '../storage.js';
import type { KubeObject, WatchEvent, WatchEventType } from '@k8ts/api';
import { cachedJson, CorruptObjectError, decodeObject } from '../codec.js';
import type { RecentWrites } from '../recent-writes.js';
import type { Logger } from 'pino';

export class HubEvent {
  readonly type: 'ADDED' | 'MODIFIED' | 'DELETED';
  readonly revision: number;
  readonly namespace: string;
  /** The etcd key of the object. */
  readonly key: string;
  readonly object: KubeObject;
  private prevValue?: Buffer;
  private prevRevision?: string;
  private prevObject?: KubeObject | null;
  private plain?: WatchEvent;

  /**
   * `recent`: the objects this apiserver wrote, to stand in for decoding its own writes.
   * Throws CorruptObjectError for an ADDED or MODIFIED whose value does not decode (the hub
   * skips it); a DELETED of such a value still goes out, with only what its key tells.
   */
  constructor(ev: StorageEvent, prefixLength: number, namespaced: boolean, recent?: RecentWrites) {
    const key = (this.key = ev.kv.key.toString('utf8'));
    const rest = key.slice(prefixLength);
    this.namespace = namespaced ? rest.slice(0, rest.indexOf('/')) : '';
    this.revision = Number(ev.kv.mod_revision);
    if (ev.type === 'Delete') {
      this.type = 'DELETED';
      // The object as it was, at the revision of its deletion (as Kubernetes reports it).
      this.object = decodedOr(ev.prev_kv?.value, ev.kv.mod_revision, key) ?? keyOnly(rest, this.namespace, ev.kv.mod_revision);
    } else {
      this.type = ev.kv.create_revision === ev.kv.mod_revision ? 'ADDED' : 'MODIFIED';
      this.object = recent?.take(key, ev.kv.mod_revision, ev.kv.value) ?? decodeObject(ev.kv.value, ev.kv.mod_revision, key);
      if (ev.prev_kv) {
        this.prevValue = ev.prev_kv.value;
        this.prevRevision = ev.prev_kv.mod_revision;
      }
    }
  }

  /** The state before a MODIFIED, decoded on first need (only selector-filtered watchers ask). */
  get previous(): KubeObject | undefined {
    // An undecodable earlier state counts as none: the watcher sees the change as an ADDED.
    if (this.prevObject === undefined) this.prevObject = decodedOr(this.prevValue, this.prevRevision!, '') ?? null;
    return this.prevObject ?? undefined;
  }

  /**
   * Takes the state before this MODIFIED from `earlier`, the hub's event of the same key, when
   * that event wrote it (same mod revision): a bind then costs no decoding of the pod it
   * replaced. Objects in events are shared and never changed, so the two events may share it.
   */
  reusePrevious(earlier: HubEvent | undefined): void {
    if (!earlier || this.prevObject !== undefined || this.prevRevision === undefined) return;
    if (earlier.type === 'DELETED' || earlier.key !== this.key || String(earlier.revision) !== this.prevRevision) return;
    this.prevObject = earlier.object;
    this.prevValue = undefined;
  }

  /** The event as sent to a watcher whose filter it passes unchanged. */
  asWatchEvent(): WatchEvent {
    return (this.plain ??= { type: this.type, object: this.object });
  }

  withType(type: WatchEventType): WatchEvent {
    return type === this.type ? this.asWatchEvent() : { type, object: this.object };
  }
}

/**
 * The HubEvent of an etcd event, or undefined (logged) for a value that does not decode: a
 * shared watch goes on past one bad object instead of taking the process down with it.
 */
export function hubEvent(ev: StorageEvent, prefixLength: number, namespaced: boolean, recent?: RecentWrites, logger?: Logger): HubEvent | undefined {
  try {
    return new HubEvent(ev, prefixLength, namespaced, recent);
  } catch (err) {
    const e = err as Error;
    logger?.warn({ key: ev.kv.key.toString('utf8'), revision: ev.kv.mod_revision, reason: err instanceof CorruptObjectError ? err.why : e.message }, 'watch skipped an undecodable stored value');
    return undefined;
  }
}

function decodedOr(value: Buffer | undefined, revision: string, key: string): KubeObject | undefined {
  if (!value) return undefined;
  try {
    return decodeObject(value, revision, key);
  } catch (err) {
    if (err instanceof CorruptObjectError) return undefined;
    throw err;
  }
}

/** What a deleted key tells of its object when its last value is unknown or undecodable. */
function keyOnly(rest: string, namespace: string, revision: string): KubeObject {
  const metadata: KubeObject['metadata'] = { name: rest.slice(rest.lastIndexOf('/') + 1), resourceVersion: revision };
  if (namespace) metadata.namespace = namespace;
  return { metadata };
}

const jsonCache = new WeakMap<object, string>();

/** JSON of an object from a watch event, computed once per object. */
export function encodeShared(obj: object): string {
  let s = jsonCache.get(obj);
  if (s === undefined) {
    // An object this apiserver wrote already has the JSON its write made (codec.ts).
    s = cachedJson(obj) ?? JSON.stringify(obj);
    jsonCache.set(obj, s);
  }
  return s;
}
