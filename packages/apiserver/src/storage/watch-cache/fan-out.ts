// Hands each event of a shared watch to its subscribers a slice at a time, yielding the
// event loop between slices. Delivering one event to 1000 watchers is 1000 socket writes,
// ≈ 15–30 ms of CPU; done in one go it held up every request that arrived meanwhile,
// including the next write whose delivery is being timed. Slices are cut by time, not by
// count: on a busy machine every yield may also cost the process its turn on the CPU, which
// delays the watchers still waiting, so there are as few as the time budget allows. Each
// subscriber still sees events in order: events are handed out first come, first served,
// and an event goes to the subscribers of the moment it arrived (a later subscriber got it
// from the ring already).
//
// The events of one etcd watch response go out as one job: a subscriber gets all of them in
// one hand-out, and what it defers with whenDelivered (a REST watch's one socket write for
// them) runs right after, inside the slice, so the time budget sees the writes. (Deferred
// to a microtask instead, 1000 writes ran in one go after a slice of cheap enqueues: the
// slicing did not hold for REST watches.)
import type { Logger } from 'pino';

export interface Subscriber<E> {
  deliver(ev: E): void;
}

/** Which object an event carries, for a log line (never the whole object: it may be 1.5 MiB). */
function describe(ev: unknown): Record<string, unknown> {
  const e = ev as { type?: unknown; revision?: unknown; object?: { metadata?: { namespace?: unknown; name?: unknown } } } | undefined;
  const m = e?.object?.metadata;
  return { type: e?.type, revision: e?.revision, namespace: m?.namespace, name: m?.name };
}

/**
 * Hands ev to sub; a subscriber that throws on it (an object its filter or encoder cannot
 * handle) misses that one event, logged, and keeps the rest: nothing thrown here may reach
 * the etcd watch's callback, where it would end the process.
 */
export function deliverSafely<E>(sub: Subscriber<E>, ev: E, logger?: Logger): void {
  try {
    sub.deliver(ev);
  } catch (err) {
    logger?.error({ event: describe(ev), err: (err as Error)?.message ?? String(err) }, 'a watcher could not take a watch event; skipped it');
  }
}

interface Job<E> {
  evs: E[];
  subs: Subscriber<E>[];
  next: number;
}

let afterHandOut: (() => void)[] | undefined;

/**
 * Runs `fn` once the subscriber being handed events now has had every event of this hand-out
 * (within the fan-out's slice); outside a hand-out, as a microtask.
 */
export function whenDelivered(fn: () => void): void {
  if (afterHandOut) afterHandOut.push(fn);
  else queueMicrotask(fn);
}

export class FanOut<E> {
  private readonly queue: Job<E>[] = [];
  private scheduled = false;
  private running = false;

  private readonly maxMs: number;
  private readonly maxDeliveries: number;
  private readonly logger?: Logger;

  /** A slice ends after `maxMs` of delivering (checked every 16 deliveries) or `maxDeliveries`. */
  constructor(opts: { maxMs?: number; maxDeliveries?: number; logger?: Logger } = {}) {
    this.maxMs = opts.maxMs ?? 10;
    this.maxDeliveries = opts.maxDeliveries ?? Infinity;
    this.logger = opts.logger;
  }

  /** Delivers ev to subs: the first slice at once, the rest on later turns. */
  push(ev: E, subs: Iterable<Subscriber<E>>): void {
    this.pushAll([ev], subs);
  }

  /** Delivers evs, in order and in one hand-out per subscriber, to subs. */
  pushAll(evs: E[], subs: Iterable<Subscriber<E>>): void {
    if (!evs.length) return;
    const list = [...subs];
    if (!list.length) return;
    this.queue.push({ evs, subs: list, next: 0 });
    // Pushed from inside a delivery: the running loop picks it up in turn.
    if (!this.scheduled && !this.running) this.run();
  }

  /** Deliveries still waiting for a turn. */
  get pending(): number {
    let n = 0;
    for (const j of this.queue) n += (j.subs.length - j.next) * j.evs.length;
    return n;
  }

  private readonly run = (): void => {
    this.scheduled = false;
    this.running = true;
    const outer = afterHandOut;
    const deferred: (() => void)[] = [];
    try {
      const started = performance.now();
      let delivered = 0;
      while (this.queue.length) {
        const job = this.queue[0];
        const sub = job.subs[job.next++];
        afterHandOut = deferred;
        try {
          for (const ev of job.evs) deliverSafely(sub, ev, this.logger);
        } finally {
          afterHandOut = outer;
        }
        for (let i = 0; i < deferred.length; i++) {
          try {
            deferred[i]();
          } catch (err) {
            // One subscriber's failure must not cost the others their events.
            this.logger?.error({ err: (err as Error)?.message ?? String(err) }, 'a watcher failed writing its watch events');
          }
        }
        deferred.length = 0;
        if (job.next === job.subs.length) this.queue.shift();
        if (++delivered >= this.maxDeliveries || (delivered % 16 === 0 && performance.now() - started >= this.maxMs)) break;
      }
    } finally {
      this.running = false;
      afterHandOut = outer;
    }
    if (this.queue.length && !this.scheduled) {
      this.scheduled = true;
      setImmediate(this.run);
    }
  };
}
