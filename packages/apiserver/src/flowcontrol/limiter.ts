// The apiserver's request limiter (--max-requests-inflight in the spirit of API Priority
// and Fairness): each request, REST or gRPC, takes a seat at its priority level for as long
// as it runs. Long-running requests (watches, logs, exec/attach/port-forward:
// ./long-running.ts) take none, as upstream exempts them. Seats are shares of one total.
import type { UserInfo } from '../auth/types.js';
import { classify, type LevelName } from './classify.js';
import { PriorityLevel, type Release } from './priority-level.js';

/** Shares of the total seats per level, as upstream's bootstrap PriorityLevelConfigurations weigh them. */
const SHARES: Record<Exclude<LevelName, 'exempt'>, number> = {
  'leader-election': 10,
  'node-high': 40,
  'workload-high': 40,
  'workload-low': 100,
  'global-default': 20,
};

export interface LimiterOptions {
  /** Seats across all levels (kube-apiserver: 400 + 200 mutating = 600). */
  totalSeats?: number;
  maxWaitMs?: number;
}

const NOOP: Release = () => {};

export class RequestLimiter {
  readonly levels = new Map<LevelName, PriorityLevel>();

  constructor(opts: LimiterOptions = {}) {
    const total = opts.totalSeats ?? 600;
    const sum = Object.values(SHARES).reduce((a, b) => a + b, 0);
    for (const [name, share] of Object.entries(SHARES) as [LevelName, number][]) {
      const seats = Math.max(1, Math.round((total * share) / sum));
      this.levels.set(name, new PriorityLevel({ name, seats, queueLength: seats * 4, maxWaitMs: opts.maxWaitMs ?? 15_000 }));
    }
  }

  /** A seat for this request (throws 429, or rejects after the wait cap). */
  admit(user: UserInfo, resource: string): Release | Promise<Release> {
    const name = classify(user, resource);
    if (name === 'exempt') return NOOP;
    return this.levels.get(name)!.acquire();
  }
}
