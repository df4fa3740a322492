// Hands each event of a shared watch to its subscribers a slice at a time, yielding the
// event loop between slices. Delivering one event to 1000 watchers is 1000 socket writes,
// ≈ 20–30 ms of CPU; done in one go it held up every request that arrived meanwhile,
// including the next write whose delivery is being timed. Each subscriber still sees events
// in order: events are handed out first come, first served, and an event goes to the
// subscribers of the moment it arrived (a later subscriber got it from the ring already).
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

  /** `sliceSize` deliveries run between two turns of the event loop. */
  constructor(private readonly sliceSize = 128) {}

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
      let budget = this.sliceSize;
      while (this.queue.length && budget > 0) {
        const job = this.queue[0];
        const end = Math.min(job.subs.length, job.next + budget);
        budget -= end - job.next;
        for (; job.next < end; job.next++) job.subs[job.next].deliver(job.ev);
        if (job.next === job.subs.length) this.queue.shift();
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
