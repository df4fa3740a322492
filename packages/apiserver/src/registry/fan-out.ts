// Hands each event of a shared watch to its subscribers a slice at a time, yielding the
// event loop between slices. Delivering one event to 1000 watchers is 1000 socket writes,
// ≈ 15–30 ms of CPU; done in one go it held up every request that arrived meanwhile,
// including the next write whose delivery is being timed. Slices are cut by time, not by
// count: on a busy machine every yield may also cost the process its turn on the CPU, which
// delays the watchers still waiting, so there are as few as the time budget allows. Each
// subscriber still sees events in order: events are handed out first come, first served,
// and an event goes to the subscribers of the moment it arrived (a later subscriber got it
// from the ring already).
export interface Subscriber<E> {
  deliver(ev: E): void;
}

interface Job<E> {
  ev: E;
  subs: Subscriber<E>[];
  next: number;
}

export class FanOut<E> {
  private readonly queue: Job<E>[] = [];
  private scheduled = false;
  private running = false;

  private readonly maxMs: number;
  private readonly maxDeliveries: number;

  /** A slice ends after `maxMs` of delivering (checked every 16 deliveries) or `maxDeliveries`. */
  constructor(opts: { maxMs?: number; maxDeliveries?: number } = {}) {
    this.maxMs = opts.maxMs ?? 10;
    this.maxDeliveries = opts.maxDeliveries ?? Infinity;
  }

  /** Delivers ev to subs: the first slice at once, the rest on later turns. */
  push(ev: E, subs: Iterable<Subscriber<E>>): void {
    const list = [...subs];
    if (!list.length) return;
    this.queue.push({ ev, subs: list, next: 0 });
    // Pushed from inside a delivery: the running loop picks it up in turn.
    if (!this.scheduled && !this.running) this.run();
  }

  /** Deliveries still waiting for a turn. */
  get pending(): number {
    let n = 0;
    for (const j of this.queue) n += j.subs.length - j.next;
    return n;
  }

  private readonly run = (): void => {
    this.scheduled = false;
    this.running = true;
    try {
      const started = performance.now();
      let delivered = 0;
      while (this.queue.length) {
        const job = this.queue[0];
        job.subs[job.next++].deliver(job.ev);
        if (job.next === job.subs.length) this.queue.shift();
        if (++delivered >= this.maxDeliveries || (delivered % 16 === 0 && performance.now() - started >= this.maxMs)) break;
      }
    } finally {
      this.running = false;
    }
    if (this.queue.length && !this.scheduled) {
      this.scheduled = true;
      setImmediate(this.run);
    }
  };
}
