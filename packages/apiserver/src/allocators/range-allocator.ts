// Hands out items (addresses or ports) of one range, one etcd key per item. Dynamic picks
// are random, preferring the upper part of the range, so the lower band stays free for
// explicit requests (as Kubernetes does since 1.24 for ClusterIPs and NodePorts).
import type { RangeStore, Allocation } from './range-store.js';

export type AllocateError = 'allocated' | 'out-of-range' | 'full';

export interface RangeAllocatorOptions {
  /** Key prefix in etcd, ending with "/". */
  prefix: string;
  /** First and last item as numbers (inclusive). */
  first: number;
  last: number;
  /** Items never handed out dynamically (still allowed when asked for explicitly). */
  reservedDynamic?: Set<number>;
  /** Items never handed out at all (network/broadcast address). */
  forbidden?: Set<number>;
  format(n: number): string;
  parse(s: string): number | undefined;
}

export class RangeAllocator {
  constructor(
    private readonly store: RangeStore,
    readonly opts: RangeAllocatorOptions,
  ) {}

  key(n: number): string {
    return this.opts.prefix + this.opts.format(n);
  }

  inRange(n: number): boolean {
    return n >= this.opts.first && n <= this.opts.last && !this.opts.forbidden?.has(n);
  }

  async allocateSpecific(item: string, owner: string): Promise<AllocateError | undefined> {
    const n = this.opts.parse(item);
    if (n === undefined || !this.inRange(n)) return 'out-of-range';
    const ok = await this.store.createIfAbsent(this.key(n), this.record(owner));
    if (ok) return undefined;
    // The same Service asking again (a retried request) keeps what it holds.
    const cur = await this.store.get(this.key(n));
    return cur?.owner === owner ? undefined : 'allocated';
  }

  async allocateNext(owner: string): Promise<string | undefined> {
    const { first, last } = this.opts;
    const size = last - first + 1;
    const band = Math.min(Math.max(16, Math.floor(size / 16)), 256);
    const taken = new Set<number>();
    for (const k of (await this.store.list(this.opts.prefix)).keys()) {
      const n = this.opts.parse(k.slice(this.opts.prefix.length));
      if (n !== undefined) taken.add(n);
    }
    const usable = (n: number) => this.inRange(n) && !taken.has(n) && !this.opts.reservedDynamic?.has(n);
    // Upper part first, then the lower band; a few random tries, then a scan.
    const parts: Array<[number, number]> = size > band * 2 ? [[first + band, last], [first, first + band - 1]] : [[first, last]];
    for (const [lo, hi] of parts) {
      const candidates: number[] = [];
      for (let i = 0; i < 32; i++) candidates.push(lo + Math.floor(Math.random() * (hi - lo + 1)));
      for (let n = lo; n <= hi && candidates.length < 32 + 4096; n++) if (usable(n)) candidates.push(n);
      for (const n of candidates) {
        if (!usable(n)) continue;
        if (await this.store.createIfAbsent(this.key(n), this.record(owner))) return this.opts.format(n);
        taken.add(n); // someone else got it meanwhile
      }
    }
    return undefined;
  }

  async release(item: string, owner?: string): Promise<void> {
    const n = this.opts.parse(item);
    if (n === undefined) return;
    if (owner !== undefined) {
      const cur = await this.store.get(this.key(n));
      if (cur && cur.owner !== owner) return; // not ours: never free another Service's item
    }
    await this.store.delete(this.key(n));
  }

  async list(): Promise<Map<string, Allocation>> {
    const out = new Map<string, Allocation>();
    for (const [k, v] of await this.store.list(this.opts.prefix)) out.set(k.slice(this.opts.prefix.length), v);
    return out;
  }

  private record(owner: string): Allocation {
    return { owner, allocatedAt: new Date().toISOString() };
  }
}
