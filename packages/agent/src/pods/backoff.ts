// Crash-loop back-off as the kubelet keeps it (client-go's flowcontrol.Backoff): per key, the
// delay doubles from `base` to `max`; a container that dies while its key is still within
// the delay counted from its finish time waits (CrashLoopBackOff) instead of restarting.
export class Backoff {
  private readonly entries = new Map<string, { delayMs: number; lastUpdate: number }>();

  constructor(
    readonly baseMs: number,
    readonly maxMs: number,
    private readonly now: () => number = Date.now,
  ) {}

  /** The current delay for key (0 when none). */
  get(key: string): number {
    return this.entries.get(key)?.delayMs ?? 0;
  }

  /** True while `since + delay` lies ahead. */
  isInBackOffSince(key: string, since: number): boolean {
    const e = this.entries.get(key);
    if (!e) return false;
    if (this.hasExpired(e, since)) return false;
    return this.now() - since < e.delayMs;
  }

  /** The back-off `key` is in at `now`, counted from `since`; undefined when none. */
  peek(key: string, since: number, now: number = this.now()): { delayMs: number; remainingMs: number } | undefined {
    const e = this.entries.get(key);
    if (!e || this.hasExpired(e, since) || now - since >= e.delayMs) return undefined;
    return { delayMs: e.delayMs, remainingMs: since + e.delayMs - now };
  }

  /** Milliseconds left of the back-off counted from the last failure `next` recorded (0: none). */
  remainingSinceLast(key: string): number {
    const e = this.entries.get(key);
    if (!e) return 0;
    return Math.max(0, e.lastUpdate + e.delayMs - this.now());
  }

  /** Milliseconds left of the back-off that started at `since`. */
  remaining(key: string, since: number): number {
    const e = this.entries.get(key);
    if (!e) return 0;
    return Math.max(0, since + e.delayMs - this.now());
  }

  /** Records one more failure at `at`: the first sets base, each next doubles up to max. */
  next(key: string, at: number = this.now()): number {
    const e = this.entries.get(key);
    if (!e || this.hasExpired(e, at)) {
      this.entries.set(key, { delayMs: this.baseMs, lastUpdate: at });
      return this.baseMs;
    }
    e.delayMs = Math.min(e.delayMs * 2, this.maxMs);
    e.lastUpdate = at;
    return e.delayMs;
  }

  reset(key: string): void {
    this.entries.delete(key);
  }

  /** Forgets every key starting with prefix (a pod's containers when the pod goes). */
  resetPrefix(prefix: string): void {
    for (const k of this.entries.keys()) if (k.startsWith(prefix)) this.entries.delete(k);
  }

  // A container that ran cleanly for twice the max delay starts over from base.
  private hasExpired(e: { lastUpdate: number }, at: number): boolean {
    return at - e.lastUpdate > 2 * this.maxMs;
  }
}

export function formatDuration(ms: number): string {
  const s = Math.round(ms / 1000);
  if (s < 60) return `${s}s`;
  const m = Math.floor(s / 60);
  return s % 60 ? `${m}m${s % 60}s` : `${m}m0s`;
}
