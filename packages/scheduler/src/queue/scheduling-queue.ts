// The scheduling queue (PriorityQueue in kube-scheduler): an active queue the loop pops from,
// a backoff queue of pods waiting out their per-pod exponential backoff after a failed
// attempt, and an unschedulable set that cluster events (or a timeout) move back.
import type { Pod } from '@k8ts/api';
import type { ClusterEvent } from '../framework/events.js';
import { podKey } from '../framework/pod-info.js';
import { KeyedHeap } from './heap.js';
import { activeQLess, setPod, type QueuedPodInfo } from './queued-pod.js';

export interface QueueOptions {
  initialBackoffMs?: number;
  maxBackoffMs?: number;
  /** How long a pod stays unschedulable without any event before it is retried anyway. */
  unschedulableTimeoutMs?: number;
  now?: () => number;
}

export interface QueueLengths {
  active: number;
  backoff: number;
  unschedulable: number;
}

/** Decides whether an event may help a pod that these plugins rejected. */
export type EventFilter = (event: ClusterEvent, plugins: ReadonlySet<string>) => boolean;

function schedulingRelevant(pod: Pod): string {
  const m = pod.metadata ?? {};
  return JSON.stringify([m.labels ?? null, m.annotations ?? null, pod.spec ?? null]);
}

export class SchedulingQueue {
  private readonly activeQ = new KeyedHeap<QueuedPodInfo>((q) => q.key, activeQLess);
  private readonly backoffQ = new KeyedHeap<QueuedPodInfo>(
    (q) => q.key,
    (a, b) => a.backoffExpiry < b.backoffExpiry,
  );
  private readonly unschedulable = new Map<string, QueuedPodInfo>();
  /** Popped and not yet returned (being scheduled or bound). */
  private readonly inFlight = new Map<string, QueuedPodInfo>();
  private seq = 0;
  private waiter: ((q: QueuedPodInfo | undefined) => void) | undefined;
  private closed = false;
  private backoffTimer: NodeJS.Timeout | undefined;
  private backoffTimerAt = Infinity;
  private readonly leftoverTimer: NodeJS.Timeout;
  private readonly now: () => number;
  readonly initialBackoffMs: number;
  readonly maxBackoffMs: number;
  readonly unschedulableTimeoutMs: number;

  constructor(opts: QueueOptions = {}) {
    this.now = opts.now ?? Date.now;
    this.initialBackoffMs = opts.initialBackoffMs ?? 1000;
    this.maxBackoffMs = opts.maxBackoffMs ?? 10_000;
    this.unschedulableTimeoutMs = opts.unschedulableTimeoutMs ?? 30_000;
    const every = Math.min(1000, Math.max(50, Math.floor(this.unschedulableTimeoutMs / 10)));
    this.leftoverTimer = setInterval(() => this.flushUnschedulableLeftover(), every);
  }

  /** Per-pod exponential backoff: initial × 2^(attempts-1), capped. */
  backoffDuration(attempts: number): number {
    let d = this.initialBackoffMs;
    for (let i = 1; i < attempts && d < this.maxBackoffMs; i++) d *= 2;
    return Math.min(d, this.maxBackoffMs);
  }

  lengths(): QueueLengths {
    return { active: this.activeQ.size, backoff: this.backoffQ.size, unschedulable: this.unschedulable.size };
  }

  /** Where a pod is, if anywhere (for tests and logs). */
  whereIs(key: string): 'active' | 'backoff' | 'unschedulable' | 'inFlight' | undefined {
    if (this.activeQ.has(key)) return 'active';
    if (this.backoffQ.has(key)) return 'backoff';
    if (this.unschedulable.has(key)) return 'unschedulable';
    if (this.inFlight.has(key)) return 'inFlight';
    return undefined;
  }

  /** A new pending pod. */
  add(pod: Pod): void {
    const key = podKey(pod);
    if (this.whereIs(key)) return this.update(undefined, pod);
    const now = this.now();
    const q: QueuedPodInfo = {
      key,
      pod,
      seq: this.seq++,
      firstSeen: now,
      lastAttempt: 0,
      attempts: 0,
      unschedulablePlugins: new Set(),
      backoffExpiry: 0,
      unschedulableSince: 0,
      priority: 0,
      created: 0,
    };
    setPod(q, pod);
    this.pushActive(q);
  }

  /** A pending pod changed. A real change (not just status) retries an unschedulable pod. */
  update(oldPod: Pod | undefined, pod: Pod): void {
    const key = podKey(pod);
    const a = this.activeQ.get(key);
    if (a) {
      setPod(a, pod);
      this.activeQ.addOrUpdate(a);
      return;
    }
    const b = this.backoffQ.get(key);
    if (b) {
      setPod(b, pod);
      return;
    }
    const u = this.unschedulable.get(key);
    if (u) {
      const changed = !oldPod || schedulingRelevant(oldPod) !== schedulingRelevant(pod);
      setPod(u, pod);
      if (changed) {
        this.unschedulable.delete(key);
        this.requeue(u);
      }
      return;
    }
    const f = this.inFlight.get(key);
    if (f) {
      setPod(f, pod);
      return;
    }
    this.add(pod);
  }

  delete(pod: Pod | string): void {
    const key = typeof pod === 'string' ? pod : podKey(pod);
    this.activeQ.delete(key);
    this.backoffQ.delete(key);
    this.unschedulable.delete(key);
    this.inFlight.delete(key);
  }

  /** Waits for the next pod; undefined once closed. */
  pop(): Promise<QueuedPodInfo | undefined> {
    if (this.closed) return Promise.resolve(undefined);
    const q = this.takeActive();
    if (q) return Promise.resolve(q);
    return new Promise((resolve) => {
      this.waiter = resolve;
    });
  }

  /** The next pod if one is ready now, without waiting. */
  tryPop(): QueuedPodInfo | undefined {
    return this.closed ? undefined : this.takeActive();
  }

  private takeActive(): QueuedPodInfo | undefined {
    const q = this.activeQ.pop();
    if (!q) return undefined;
    q.attempts++;
    q.lastAttempt = this.now();
    this.inFlight.set(q.key, q);
    return q;
  }

  /** The pod left the scheduler's hands (bound, or gone). */
  done(key: string): void {
    this.inFlight.delete(key);
  }

  /** The attempt found no node: park the pod until an event its rejecting plugins care about. */
  addUnschedulable(q: QueuedPodInfo, plugins: ReadonlySet<string>): void {
    if (this.closed || !this.inFlight.has(q.key)) return; // deleted meanwhile
    this.inFlight.delete(q.key);
    q.unschedulablePlugins = new Set(plugins);
    q.unschedulableSince = this.now();
    this.unschedulable.set(q.key, q);
  }

  /** The attempt failed for a reason that may pass by itself (a bind error): retry after backoff. */
  addBackoff(q: QueuedPodInfo): void {
    if (this.closed || !this.inFlight.has(q.key)) return;
    this.inFlight.delete(q.key);
    q.backoffExpiry = q.lastAttempt + this.backoffDuration(q.attempts);
    if (q.backoffExpiry <= this.now()) this.pushActive(q);
    else this.pushBackoff(q);
  }

  /** A cluster event: retry the unschedulable pods it may help. */
  moveAllToActiveOrBackoff(event: ClusterEvent, matters: EventFilter = () => true): number {
    let moved = 0;
    for (const [key, q] of this.unschedulable) {
      if (!matters(event, q.unschedulablePlugins)) continue;
      this.unschedulable.delete(key);
      this.requeue(q);
      moved++;
    }
    return moved;
  }

  /** Pods unschedulable for longer than the timeout are retried anyway. */
  flushUnschedulableLeftover(): void {
    const now = this.now();
    for (const [key, q] of this.unschedulable) {
      if (now - q.unschedulableSince < this.unschedulableTimeoutMs) continue;
      this.unschedulable.delete(key);
      this.requeue(q);
    }
  }

  /** Moves pods whose backoff is over to the active queue. */
  flushBackoffCompleted(): void {
    const now = this.now();
    for (let q = this.backoffQ.peek(); q && q.backoffExpiry <= now; q = this.backoffQ.peek()) {
      this.backoffQ.pop();
      this.pushActive(q);
    }
    this.armBackoffTimer();
  }

  get isClosed(): boolean {
    return this.closed;
  }

  /** Releases a waiting pop() with undefined (the loop is pausing); the queue stays usable. */
  wake(): void {
    const w = this.waiter;
    this.waiter = undefined;
    w?.(undefined);
  }

  close(): void {
    this.closed = true;
    clearInterval(this.leftoverTimer);
    if (this.backoffTimer) clearTimeout(this.backoffTimer);
    const w = this.waiter;
    this.waiter = undefined;
    w?.(undefined);
  }

  private requeue(q: QueuedPodInfo): void {
    q.backoffExpiry = q.attempts > 0 ? q.lastAttempt + this.backoffDuration(q.attempts) : 0;
    if (q.backoffExpiry > this.now()) this.pushBackoff(q);
    else this.pushActive(q);
  }

  private pushActive(q: QueuedPodInfo): void {
    if (this.closed) return;
    const w = this.waiter;
    if (w && this.activeQ.size === 0) {
      this.waiter = undefined;
      q.attempts++;
      q.lastAttempt = this.now();
      this.inFlight.set(q.key, q);
      w(q);
      return;
    }
    this.activeQ.addOrUpdate(q);
  }

  private pushBackoff(q: QueuedPodInfo): void {
    this.backoffQ.addOrUpdate(q);
    this.armBackoffTimer();
  }

  private armBackoffTimer(): void {
    const head = this.backoffQ.peek();
    if (!head || this.closed) return;
    if (this.backoffTimer && this.backoffTimerAt <= head.backoffExpiry) return;
    if (this.backoffTimer) clearTimeout(this.backoffTimer);
    this.backoffTimerAt = head.backoffExpiry;
    this.backoffTimer = setTimeout(() => {
      this.backoffTimer = undefined;
      this.backoffTimerAt = Infinity;
      this.flushBackoffCompleted();
    }, Math.max(0, head.backoffExpiry - this.now()));
  }
}
