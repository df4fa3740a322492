// Counters keyed by a (topology key, value) pair, e.g. kubernetes.io/hostname=node-1.

export class TopologyCounts {
  private readonly m = new Map<string, number>();

  private static key(tk: string, v: string): string {
    return `${tk}\u0000${v}`;
  }

  get size(): number {
    return this.m.size;
  }

  add(tk: string, v: string, n: number): void {
    const k = TopologyCounts.key(tk, v);
    const next = (this.m.get(k) ?? 0) + n;
    if (next === 0) this.m.delete(k);
    else this.m.set(k, next);
  }

  get(tk: string, v: string): number {
    return this.m.get(TopologyCounts.key(tk, v)) ?? 0;
  }

  /** Is any pair with a positive count among these labels? */
  anyPositiveIn(labels: Record<string, string>): boolean {
    for (const [k, n] of this.m) {
      if (n <= 0) continue;
      const i = k.indexOf('\u0000');
      if (labels[k.slice(0, i)] === k.slice(i + 1)) return true;
    }
    return false;
  }
}
