// ControllerExpectations (UIDTrackingControllerExpectations): creations and deletions a
// controller asked for and has not seen in its cache yet. While any are outstanding the
// controller does not act on replica counts, so a slow watch cannot make it create twice.
// Entries expire (Kubernetes: 5 minutes) so a lost event cannot wedge a controller forever.
const TTL_MS = 5 * 60 * 1000;

interface Entry {
  adds: number;
  dels: Set<string>;
  at: number;
}

export class Expectations {
  private m = new Map<string, Entry>();
  constructor(private readonly now: () => number = Date.now, private readonly ttlMs = TTL_MS) {}

  satisfied(key: string): boolean {
    const e = this.m.get(key);
    if (!e) return true;
    if (e.adds <= 0 && e.dels.size === 0) return true;
    return this.now() - e.at > this.ttlMs;
  }

  expectCreations(key: string, n: number): void {
    const e = this.m.get(key);
    this.m.set(key, { adds: n, dels: e?.dels ?? new Set(), at: this.now() });
  }

  expectDeletions(key: string, podKeys: string[]): void {
    const e = this.m.get(key);
    this.m.set(key, { adds: e?.adds ?? 0, dels: new Set([...(e?.dels ?? []), ...podKeys]), at: this.now() });
  }

  creationObserved(key: string): void {
    const e = this.m.get(key);
    if (e && e.adds > 0) e.adds--;
  }

  /** Also used when a create call failed: the object will never be seen. */
  lowerCreations(key: string, n = 1): void {
    const e = this.m.get(key);
    if (e) e.adds = Math.max(0, e.adds - n);
  }

  deletionObserved(key: string, podKey: string): void {
    this.m.get(key)?.dels.delete(podKey);
  }

  delete(key: string): void {
    this.m.delete(key);
  }

  pending(key: string): { adds: number; dels: number } {
    const e = this.m.get(key);
    return { adds: e?.adds ?? 0, dels: e?.dels.size ?? 0 };
  }
}
