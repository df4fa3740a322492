// How many KV calls the apiserver has at etcd at once. etcd answers each call later the more
// it holds (on the 2-core build machine ≈ 1 250 calls/s from 16 in flight on; 120 in flight
// waited 80 ms each when idle, 0.5–1 s under a REST flood), and without a cap a user's flood
// put every request, a node's Lease renewal included, at the back of that line: the priority
// levels shared the seats out but not etcd (issue 14's soak: leader Leases not renewed within
// their 4 s). So calls past the cap wait here, in order, and Lease calls (nodes' and leader
// election's, already held to their own seats by the request limiter) never wait. The cap is
// 64, not the 16 where etcd's rate stops growing: a write transaction batches better with
// more in flight (REST creates at c64 ran at 0.34 of raw etcd puts with 16 against 0.44
// uncapped, back to back), and a Lease call behind 64 others still waits only some 50 ms.
export const DEFAULT_MAX_ETCD_CALLS = 64;

const LEASES = Buffer.from('/registry/leases/');

/** Whether a key is a Lease's (its calls skip the queue). */
export function isLeaseKey(key: Uint8Array | undefined): boolean {
  return !!key && key.length > LEASES.length && LEASES.equals(key.subarray(0, LEASES.length));
}

export class EtcdCallGate {
  private inflight = 0;
  private readonly waiting: (() => void)[] = [];

  constructor(readonly max = DEFAULT_MAX_ETCD_CALLS) {}

  /** Calls waiting for a place. */
  get queued(): number {
    return this.waiting.length;
  }

  /** Runs `call` when a place is free (at once for a Lease's key), and frees it when it settles. */
  async run<T>(key: Uint8Array | undefined, call: () => Promise<T>): Promise<T> {
    if (isLeaseKey(key)) return call();
    if (this.inflight >= this.max) await new Promise<void>((resolve) => this.waiting.push(resolve));
    else this.inflight++;
    try {
      return await call();
    } finally {
      // The place passes to the next waiter; inflight stays.
      const next = this.waiting.shift();
      if (next) next();
      else this.inflight--;
    }
  }
}
