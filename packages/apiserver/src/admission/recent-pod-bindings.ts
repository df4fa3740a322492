// Which node a pod was bound to when a node last wrote an event about it: a node's last events
// about a pod (Killing, a count raised on an earlier one) may reach the apiserver just after the
// pod is gone, and are its own to write. Events about a pod no node was seen with stay refused.
// Bounded in size and age: a map in insertion order, the oldest dropped first.
export class RecentPodBindings {
  private readonly seen = new Map<string, { uid: string; node: string; at: number }>();

  constructor(
    private readonly ttlMs = 10 * 60_000,
    private readonly max = 20_000,
    private readonly now = () => Date.now(),
  ) {}

  remember(namespace: string, name: string, uid: string, node: string): void {
    const key = `${namespace}/${name}`;
    this.seen.delete(key);
    this.seen.set(key, { uid, node, at: this.now() });
    while (this.seen.size > this.max) this.seen.delete(this.seen.keys().next().value!);
  }

  /** Was this pod (this incarnation, when a uid is given) bound to `node` lately? */
  wasBound(namespace: string, name: string, uid: string | undefined, node: string): boolean {
    const e = this.seen.get(`${namespace}/${name}`);
    if (!e || this.now() - e.at > this.ttlMs) return false;
    return e.node === node && (!uid || uid === e.uid);
  }
}
