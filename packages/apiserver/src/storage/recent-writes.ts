// The objects this apiserver wrote, until its etcd watch brings each write back. The watch
// event of a write carries the same bytes the write sent: the object the write built (and its
// JSON, kept by the codec for the reply) stands in for decoding them and encoding them again
// for the watchers, which for a pod is two JSON passes per write. Only writes under a prefix
// a shared watch covers are kept: a write whose event never comes would stay for
// MAX_REMEMBERED newer writes, long enough to be copied through V8's young generation and
// promoted (at 3000 ConfigMap creates/s nobody watched, that doubled the scavenges' work).
// Writes whose event never comes all the same (the watch restarted) fall out after
// MAX_REMEMBERED newer ones.
import type { KubeObject } from '@k8ts/api';

const MAX_REMEMBERED = 4096;

export class RecentWrites {
  private readonly byKeyRevision = new Map<string, KubeObject>();
  /** Key prefixes with a shared watch, and how many watches each has. */
  private readonly watched = new Map<string, number>();

  /** A shared watch of the keys under `prefix` started; the returned function ends it. */
  watch(prefix: string): () => void {
    this.watched.set(prefix, (this.watched.get(prefix) ?? 0) + 1);
    let ended = false;
    return () => {
      if (ended) return;
      ended = true;
      const n = (this.watched.get(prefix) ?? 1) - 1;
      if (n > 0) this.watched.set(prefix, n);
      else this.watched.delete(prefix);
    };
  }

  /** `object` must not change afterwards: watchers will share it. */
  note(key: string, revision: string, object: KubeObject): void {
    if (!this.isWatched(key)) return;
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

  private isWatched(key: string): boolean {
    for (const prefix of this.watched.keys()) if (key.startsWith(prefix)) return true;
    return false;
  }
}
