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
import type { KubeObject } from '@k8ts/api';

const MAX_REMEMBERED = 4096;

export class RecentWrites {
  private readonly byKeyRevision = new Map<string, KubeObject>();
  /** Key prefixes with a shared watch: how many watches, and the newest revision delivered. */
  private readonly watched = new Map<string, { watches: number; seen: number }>();

  /** A shared watch of the keys under `prefix` started. */
  watch(prefix: string): SharedWatchHandle {
    let w = this.watched.get(prefix);
    if (!w) this.watched.set(prefix, (w = { watches: 0, seen: 0 }));
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
        if (--state.watches === 0 && this.watched.get(prefix) === state) this.watched.delete(prefix);
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

  /** The object written to `key` at `revision` by this apiserver, once. */
  take(key: string, revision: string): KubeObject | undefined {
    const id = `${revision}\0${key}`;
    const o = this.byKeyRevision.get(id);
    if (o) this.byKeyRevision.delete(id);
    return o;
  }

  private watchOf(key: string): { seen: number } | undefined {
    for (const [prefix, w] of this.watched) if (key.startsWith(prefix)) return w;
    return undefined;
  }
}

export interface SharedWatchHandle {
  /** The watch delivered every event up to `revision`: writes at or below it are not kept. */
  seen(revision: number): void;
  end(): void;
}
