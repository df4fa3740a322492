// A rate-limited work queue as client-go's workqueue: an item is queued at most once
// (dirty set), and an item being processed is not handed to a second worker: adding it
// while it is processed marks it dirty, and `done` requeues it. Failed items come back
// after a per-item exponential backoff combined with an overall token bucket.
import type { Logger } from 'pino';
import { Counter, Gauge, Histogram, type Registry } from 'prom-client';
import { TokenBucket } from '@k8ts/api';

// client-go's workqueue metrics, one set per registry, labelled by queue name.
interface QueueMetrics {
  depth: Gauge<'name'>;
  adds: Counter<'name'>;
  retries: Counter<'name'>;
  workDuration: Histogram<'name'>;
}
const metricsByRegistry = new WeakMap<Registry, QueueMetrics>();
function queueMetrics(registry: Registry): QueueMetrics {
  let m = metricsByRegistry.get(registry);
  if (!m) {
    m = {
      depth: new Gauge({ name: 'workqueue_depth', help: 'Current depth of the work queue', labelNames: ['name'], registers: [registry] }),
      adds: new Counter({ name: 'workqueue_adds_total', help: 'Adds handled by the work queue', labelNames: ['name'], registers: [registry] }),
      retries: new Counter({ name: 'workqueue_retries_total', help: 'Rate-limited retries handled by the work queue', labelNames: ['name'], registers: [registry] }),
      workDuration: new Histogram({
        name: 'workqueue_work_duration_seconds',
        help: 'How long processing an item takes',
        labelNames: ['name'],
        buckets: [0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1, 5, 10],
        registers: [registry],
      }),
    };
    metricsByRegistry.set(registry, m);
  }
  return m;
}

export interface RateLimiter<T = string> {
  /** How long to wait before the item may be processed again. */
  when(item: T): number;
  forget(item: T): void;
  numRequeues(item: T): number;
}

/** base·2^failures milliseconds, capped at max (client-go: 5 ms → 1000 s). */
export class ItemExponentialFailureRateLimiter<T = string> implements RateLimiter<T> {
  private readonly failures = new Map<T, number>();
  constructor(
    private readonly baseMs = 5,
    private readonly maxMs = 1_000_000,
  ) {}
  when(item: T): number {
    const n = this.failures.get(item) ?? 0;
    this.failures.set(item, n + 1);
    return Math.min(this.baseMs * 2 ** n, this.maxMs);
  }
  forget(item: T): void {
    this.failures.delete(item);
  }
  numRequeues(item: T): number {
    return this.failures.get(item) ?? 0;
  }
}

/** An overall token bucket (client-go: 10 qps, burst 100): each item takes a token. */
export class BucketRateLimiter<T = string> implements RateLimiter<T> {
  private readonly bucket: TokenBucket;
  constructor(qps = 10, burst = 100) {
    this.bucket = new TokenBucket(qps, burst);
  }
  when(): number {
    return this.bucket.reserve();
  }
  forget(): void {}
  numRequeues(): number {
    return 0;
  }
}

/** The longest delay any of the limiters asks for. */
export class MaxOfRateLimiter<T = string> implements RateLimiter<T> {
  private readonly limiters: RateLimiter<T>[];
  constructor(...limiters: RateLimiter<T>[]) {
    this.limiters = limiters;
  }
  when(item: T): number {
    return Math.max(0, ...this.limiters.map((l) => l.when(item)));
  }
  forget(item: T): void {
    for (const l of this.limiters) l.forget(item);
  }
  numRequeues(item: T): number {
    return Math.max(0, ...this.limiters.map((l) => l.numRequeues(item)));
  }
}

export function defaultControllerRateLimiter<T = string>(): RateLimiter<T> {
  return new MaxOfRateLimiter<T>(new ItemExponentialFailureRateLimiter<T>(5, 1_000_000), new BucketRateLimiter<T>(10, 100));
}

export interface WorkQueueOptions<T> {
  name?: string;
  rateLimiter?: RateLimiter<T>;
  /** Registers workqueue_depth, workqueue_adds_total, workqueue_retries_total, workqueue_work_duration_seconds. */
  registry?: Registry;
}

export class WorkQueue<T = string> {
  readonly name: string;
  private readonly queue: T[] = [];
  private readonly dirty = new Set<T>();
  private readonly processing = new Set<T>();
  private readonly waiting = new Map<T, { at: number; timer: NodeJS.Timeout }>();
  private readonly getters: ((item: T | undefined) => void)[] = [];
  private readonly drainers: (() => void)[] = [];
  private readonly rateLimiter: RateLimiter<T>;
  private shutdown = false;
  /** Set when a registry was given; runWorkers observes work durations through it. */
  readonly metrics: QueueMetrics | undefined;

  constructor(opts: WorkQueueOptions<T> = {}) {
    this.name = opts.name ?? 'queue';
    this.rateLimiter = opts.rateLimiter ?? defaultControllerRateLimiter<T>();
    this.metrics = opts.registry ? queueMetrics(opts.registry) : undefined;
    if (this.metrics) {
      const depth = this.metrics.depth;
      depth.set({ name: this.name }, 0);
    }
  }

  add(item: T): void {
    if (this.shutdown || this.dirty.has(item)) return;
    this.metrics?.adds.inc({ name: this.name });
    this.dirty.add(item);
    if (this.processing.has(item)) return;
    const getter = this.getters.shift();
    if (getter) {
      this.dirty.delete(item);
      this.processing.add(item);
      getter(item);
    } else {
      this.queue.push(item);
      this.metrics?.depth.set({ name: this.name }, this.queue.length);
    }
  }

  /** Adds the item once `delayMs` has passed; of several pending delays for one item the earliest wins. */
  addAfter(item: T, delayMs: number): void {
    if (this.shutdown) return;
    if (delayMs <= 0) return this.add(item);
    const at = Date.now() + delayMs;
    const pending = this.waiting.get(item);
    if (pending && pending.at <= at) return;
    if (pending) clearTimeout(pending.timer);
    const timer = setTimeout(() => {
      this.waiting.delete(item);
      this.add(item);
    }, delayMs);
    this.waiting.set(item, { at, timer });
  }

  addRateLimited(item: T): void {
    this.metrics?.retries.inc({ name: this.name });
    this.addAfter(item, this.rateLimiter.when(item));
  }

  /** Stops tracking the item's failures (call after it was processed successfully). */
  forget(item: T): void {
    this.rateLimiter.forget(item);
  }

  numRequeues(item: T): number {
    return this.rateLimiter.numRequeues(item);
  }

  /** The next item, waiting for one; undefined once the queue is shut down. Call `done(item)` after processing it. */
  get(): Promise<T | undefined> {
    if (this.queue.length) {
      const item = this.queue.shift()!;
      this.metrics?.depth.set({ name: this.name }, this.queue.length);
      this.dirty.delete(item);
      this.processing.add(item);
      return Promise.resolve(item);
    }
    if (this.shutdown) return Promise.resolve(undefined);
    return new Promise((resolve) => this.getters.push(resolve));
  }

  done(item: T): void {
    this.processing.delete(item);
    if (this.dirty.has(item)) {
      this.dirty.delete(item);
      this.add(item);
    }
    if (this.processing.size === 0) for (const d of this.drainers.splice(0)) d();
  }

  len(): number {
    return this.queue.length;
  }

  get shuttingDown(): boolean {
    return this.shutdown;
  }

  /** Stops handing out items: waiting `get()` calls resolve undefined; pending delays are dropped. */
  shutDown(): void {
    this.shutdown = true;
    for (const { timer } of this.waiting.values()) clearTimeout(timer);
    this.waiting.clear();
    for (const g of this.getters.splice(0)) g(undefined);
  }

  /** Shuts down, then waits until items being processed are done. */
  async shutDownWithDrain(): Promise<void> {
    this.shutDown();
    if (this.processing.size === 0) return;
    await new Promise<void>((r) => this.drainers.push(r));
  }
}

export interface RunWorkersOptions {
  /** Give up on an item after this many rate-limited retries (default: never). */
  maxRetries?: number;
}

/**
 * Runs `n` workers that call `sync(key)` for queued keys; a failing key comes back with
 * rate limiting, a succeeding one is forgotten. Resolves when the queue is shut down and
 * every worker has finished its current key.
 */
export async function runWorkers<T = string>(
  queue: WorkQueue<T>,
  n: number,
  sync: (key: T) => Promise<void>,
  logger?: Pick<Logger, 'warn' | 'error'>,
  opts: RunWorkersOptions = {},
): Promise<void> {
  const worker = async () => {
    for (;;) {
      const key = await queue.get();
      if (key === undefined) return;
      const end = queue.metrics?.workDuration.startTimer({ name: queue.name });
      try {
        await sync(key);
        queue.forget(key);
      } catch (err) {
        const retries = queue.numRequeues(key);
        if (opts.maxRetries !== undefined && retries >= opts.maxRetries) {
          logger?.error({ queue: queue.name, object: String(key), err, retries }, 'dropping key out of the queue after retries');
          queue.forget(key);
        } else {
          logger?.warn({ queue: queue.name, object: String(key), err, retries }, 'sync failed, requeued with backoff');
          queue.addRateLimited(key);
        }
      } finally {
        end?.();
        queue.done(key);
      }
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, n) }, worker));
}
