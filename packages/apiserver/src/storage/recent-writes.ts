// The objects this apiserver wrote, until its etcd watch brings each write back. The watch
// event of a write carries the same bytes the write sent: the object the write built (and its
// JSON, kept by the codec for the reply) stands in for decoding them and encoding them again
// for the watchers, which for a pod is two JSON passes per write. Only writes under a prefix
// a shared watch covers are kept: a write whose event never comes would stay for
// MAX_REMEMBERED newer writes, long enough to be copied through V8's young generation and
// promoted (at 3000 ConfigMap creates/s nobody watched, that doubled the scavenges' work).
// The event often arrives before the write's own answer (the watch and the write use
// different connections to etcd): such a write is not kept either, since its event has
// passed. Writes whose event never comes all the same (the watch restarted) fall out after
// MAX_REMEMBERED newer ones.
// For that early event the write is known while it is in flight (`expect`): an event whose
// value is byte for byte the value the write sent is that object, so it stands in for
// decoding them all the same. Equal bytes are the proof: an object whose bytes etcd does not
// hold is never handed out; two writes in flight with the same bytes are left to decoding,
// since the one that lost its compare-and-swap may be changed and sent again by its caller.
import type { KubeObject } from '@k8ts/api';

const MAX_REMEMBERED = 4096;
/** A prefix such as /registry/pods/: two segments, the shape watchOf looks up directly. */
const RESOURCE_PREFIX = /^\/[^/]+\/[^/]+\/$/;

/** A write sent to etcd and not yet answered. */
export interface InFlight {
  readonly key: string;
  /** The exact bytes of the put. */
  readonly value: Buffer;
  /** What the writer needs to hand the object out with a revision (see `claim`). */
  readonly object: KubeObject;
  readonly context: unknown;
  claimed: boolean;
}

/** The object of a write with the revision its event reports (and, for the store, its JSON kept). */
export type Claim = (object: KubeObject, context: unknown, revision: string) => KubeObject;

export class RecentWrites {
  private readonly byKeyRevision = new Map<string, KubeObject>();
  private readonly inFlight = new Map<string, InFlight[]>();

  constructor(private readonly claim: Claim = (object, _context, revision) => ((object.metadata.resourceVersion = revision), object)) {}
  /** Key prefixes with a shared watch: how many watches, and the newest revision delivered. */
  private readonly watched = new Map<string, { watches: number; seen: number }>();
  /** Watched prefixes not of the form /<a>/<b>/ (tests watch such). */
  private otherShapes = 0;

  /** A shared watch of the keys under `prefix` started. */
  watch(prefix: string): SharedWatchHandle {
    let w = this.watched.get(prefix);
    if (!w) {
      this.watched.set(prefix, (w = { watches: 0, seen: 0 }));
      if (!RESOURCE_PREFIX.test(prefix)) this.otherShapes++;
    }
    w.watches++;
    const state = w;
    let ended = false;
    return {
      seen: (revision) => {
        if (!ended && revision > state.seen) state.seen = revision;
      },
      end: () => {
        if (ended) return;
        ended = true;
        if (--state.watches === 0 && this.watched.get(prefix) === state) {
          this.watched.delete(prefix);
          if (!RESOURCE_PREFIX.test(prefix)) this.otherShapes--;
        }
      },
    };
  }

  /** `object` must not change afterwards: watchers will share it. */
  note(key: string, revision: string, object: KubeObject): void {
    const w = this.watchOf(key);
    if (!w || Number(revision) <= w.seen) return;
    const m = this.byKeyRevision;
    m.set(`${revision}\0${key}`, object);
    if (m.size > MAX_REMEMBERED) m.delete(m.keys().next().value!);
  }

  /**
   * A write of `object` as `value` to `key` is about to go to etcd. Undefined when no shared
   * watch covers the key; else pass the result to `answered` once etcd answered (either way).
   */
  expect(key: string, value: Buffer, object: KubeObject, context?: unknown): InFlight | undefined {
    if (!this.watchOf(key)) return undefined;
    const entry: InFlight = { key, value, object, context, claimed: false };
    const list = this.inFlight.get(key);
    if (list) list.push(entry);
    else this.inFlight.set(key, [entry]);
    return entry;
  }

  /** The write is answered: forgotten here; true when its event came first and took the object. */
  answered(entry: InFlight | undefined): boolean {
    if (!entry) return false;
    const l = this.inFlight.get(entry.key);
    const i = l ? l.indexOf(entry) : -1;
    if (i >= 0) {
      if (l!.length === 1) this.inFlight.delete(entry.key);
      else l!.splice(i, 1);
    }
    return entry.claimed;
  }

  /**
   * The object written to `key` at `revision` by this apiserver, once: a write already answered,
   * or one in flight whose bytes are `value`, the event's.
   */
  take(key: string, revision: string, value?: Buffer): KubeObject | undefined {
    const id = `${revision}\0${key}`;
    const o = this.byKeyRevision.get(id);
    if (o) {
      this.byKeyRevision.delete(id);
      return o;
    }
    const list = value && this.inFlight.get(key);
    if (!list) return undefined;
    let match: InFlight | undefined;
    for (const e of list) {
      if (e.claimed || !e.value.equals(value)) continue;
      if (match) return undefined; // two writes of the same bytes: which one landed is unknown
      match = e;
    }
    if (!match) return undefined;
    match.claimed = true;
    return this.claim(match.object, match.context, revision);
  }

  private watchOf(key: string): { seen: number } | undefined {
    // Every write asks: a resource's prefix (/registry/<resource>/) is looked up at once, and
    // the prefixes are walked only while one of another shape is watched.
    const end = key.indexOf('/', key.indexOf('/', 1) + 1);
    const w = end > 0 ? this.watched.get(key.slice(0, end + 1)) : undefined;
    if (w || this.otherShapes === 0) return w;
    for (const [prefix, pw] of this.watched) if (key.startsWith(prefix)) return pw;
    return undefined;
  }
}

export interface SharedWatchHandle {
  /** The watch delivered every event up to `revision`: writes at or below it are not kept. */
  seen(revision: number): void;
  end(): void;
}
