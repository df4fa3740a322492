// One priority level of API Priority and Fairness, reduced to what a single-threaded server
// needs: a number of seats (requests in flight at once), a FIFO queue in front of them with a
// length cap and a wait cap. A request that finds the queue full, or waits too long, is
// refused with 429 and Retry-After, as kube-apiserver refuses it.
import { tooManyRequests } from '@k8ts/api';
import type { ApiError } from '@k8ts/client';

export interface PriorityLevelConfig {
  name: string;
  /** Requests of this level served at once. */
  seats: number;
  /** Requests that may wait for a seat; beyond that they are refused at once. */
  queueLength: number;
  /** How long a queued request waits before it is refused. */
  maxWaitMs: number;
}

export type Release = () => void;

interface Waiter {
  resolve: (r: Release) => void;
  reject: (e: ApiError) => void;
  timer: NodeJS.Timeout;
}

export function rejected(): ApiError {
  const e = tooManyRequests('Too many requests, please try again later.');
  e.status.details = { ...(e.status.details ?? {}), retryAfterSeconds: 1 };
  return e;
}

export class PriorityLevel {
  inflight = 0;
  private readonly waiting: Waiter[] = [];
  /** Refusals since start, by why: queue-full or time-out. */
  readonly refusals = { 'queue-full': 0, 'time-out': 0 };

  constructor(readonly config: PriorityLevelConfig) {}

  get queued(): number {
    return this.waiting.length;
  }

  /** A seat now, without a promise, when one is free: the path nearly every request takes. */
  tryAcquire(): Release | undefined {
    if (this.inflight >= this.config.seats) return undefined;
    this.inflight++;
    return this.releaser();
  }

  acquire(): Release | Promise<Release> {
    const now = this.tryAcquire();
    if (now) return now;
    if (this.waiting.length >= this.config.queueLength) {
      this.refusals['queue-full']++;
      throw rejected();
    }
    return new Promise<Release>((resolve, reject) => {
      const w: Waiter = {
        resolve,
        reject,
        timer: setTimeout(() => {
          const i = this.waiting.indexOf(w);
          if (i >= 0) this.waiting.splice(i, 1);
          this.refusals['time-out']++;
          reject(rejected());
        }, this.config.maxWaitMs),
      };
      this.waiting.push(w);
    });
  }

  private releaser(): Release {
    let done = false;
    return () => {
      if (done) return;
      done = true;
      const next = this.waiting.shift();
      if (next) {
        clearTimeout(next.timer);
        next.resolve(this.releaser()); // the seat passes on; inflight stays
      } else this.inflight--;
    };
  }
}
