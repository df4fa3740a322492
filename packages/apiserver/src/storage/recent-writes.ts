// The objects this apiserver wrote, until its etcd watch brings each write back. The watch
// event of a write carries the same bytes the write sent: the object the write built (and its
// JSON, kept by the codec for the reply) stands in for decoding them and encoding them again
// for the watchers, which for a pod is two JSON passes per write. Writes whose event never
// comes (nobody watches that resource) fall out after MAX_REMEMBERED newer ones.
import type { KubeObject } from '@k8ts/api';

const MAX_REMEMBERED = 4096;

export class RecentWrites {
  private readonly byKeyRevision = new Map<string, KubeObject>();

  /** `object` must not change afterwards: watchers will share it. */
  note(key: string, revision: string, object: KubeObject): void {
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
}
