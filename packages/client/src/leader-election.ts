// Leader election over a coordination.k8s.io/v1 Lease, as client-go's leaderelection:
// optimistic concurrency on the Lease's resourceVersion, expiry judged by this process's own
// clock from when it last saw the record change (so clock skew between machines does not
// matter), and a leader that cannot renew within renewDeadline steps down.
import { microTime, type KubeObject } from '@k8ts/api';
import type { Logger } from 'pino';
import { isNotFound, isAlreadyExists, type Client } from './types.js';
import { createLogger } from './ops.js';
import { abortableSleep } from './abortable-sleep.js';

export interface LeaderElectorOptions {
  client: Client;
  namespace?: string;
  name: string;
  identity: string;
  leaseDurationSeconds?: number;
  renewDeadlineSeconds?: number;
  retryPeriodSeconds?: number;
  /** Give the lease up on stop() so another candidate takes over at once (default true). */
  releaseOnCancel?: boolean;
  /** Called when this candidate becomes leader; the signal aborts when leadership ends. */
  onStartedLeading?: (signal: AbortSignal) => void | Promise<void>;
  /** Called once when a leader stops leading (lost the lease or stop()). The process should stop its loops or exit. */
  onStoppedLeading?: () => void;
  /** Called when the observed leader changes (including to this identity). */
  onNewLeader?: (identity: string) => void;
  logger?: Pick<Logger, 'info' | 'warn' | 'error' | 'debug'>;
}

interface LeaseSpec {
  holderIdentity?: string;
  leaseDurationSeconds?: number;
  acquireTime?: string;
  renewTime?: string;
  leaseTransitions?: number;
}

// client-go's JitterFactor 1.2 for the acquire loop: candidates do not retry in lockstep.
const jitter = (ms: number) => ms * (1 + Math.random() * 1.2);

export class LeaderElector {
  private readonly client: Client;
  private readonly namespace: string;
  private readonly name: string;
  readonly identity: string;
  private readonly leaseMs: number;
  private readonly renewDeadlineMs: number;
  private readonly retryMs: number;
  private readonly log: Pick<Logger, 'info' | 'warn' | 'error' | 'debug'>;
  private readonly stopCtl = new AbortController();
  private leadingCtl: AbortController | undefined;
  private observed: { spec: LeaseSpec; rv?: string; at: number } | undefined;
  /** The Lease as last read or written: what the leader renews from (client-go's fast path). */
  private lastLease: KubeObject | undefined;
  private observedRecordJson = '';
  private reportedLeader = '';
  private running: Promise<void> | undefined;

  constructor(private readonly opts: LeaderElectorOptions) {
    this.client = opts.client;
    this.namespace = opts.namespace ?? 'kube-system';
    this.name = opts.name;
    this.identity = opts.identity;
    this.leaseMs = (opts.leaseDurationSeconds ?? 4) * 1000;
    this.renewDeadlineMs = (opts.renewDeadlineSeconds ?? 3) * 1000;
    this.retryMs = (opts.retryPeriodSeconds ?? 1) * 1000;
    if (this.leaseMs <= this.renewDeadlineMs) throw new Error('leaseDuration must be greater than renewDeadline');
    if (this.renewDeadlineMs <= this.retryMs * 1.2) throw new Error('renewDeadline must be greater than retryPeriod*1.2');
    this.log = opts.logger ?? createLogger('leader-election', { lease: `${this.namespace}/${this.name}` });
  }

  isLeader(): boolean {
    return Boolean(this.leadingCtl && !this.leadingCtl.signal.aborted);
  }

  /** The holder last seen on the Lease ("" when none). */
  getLeader(): string {
    return this.observed?.spec.holderIdentity ?? '';
  }

  /** Campaigns, leads until the lease is lost or stop() is called, then resolves. */
  run(): Promise<void> {
    this.running ??= this.campaign();
    return this.running;
  }

  /** Stops campaigning or leading; releases the lease when leading (releaseOnCancel). */
  async stop(): Promise<void> {
    this.stopCtl.abort();
    await this.running;
  }

  private async campaign(): Promise<void> {
    const signal = this.stopCtl.signal;
    // Acquire.
    while (!signal.aborted) {
      if (await this.tryAcquireOrRenew()) break;
      await abortableSleep(jitter(this.retryMs), signal);
    }
    if (signal.aborted) return;
    this.log.info({ identity: this.identity }, 'successfully acquired lease');
    this.leadingCtl = new AbortController();
    const leading = this.leadingCtl;
    try {
      void Promise.resolve(this.opts.onStartedLeading?.(leading.signal)).catch((err) => this.log.error({ err }, 'onStartedLeading failed'));
    } catch (err) {
      this.log.error({ err }, 'onStartedLeading threw');
    }
    // Renew: every retryPeriod; give up when no renewal succeeded within renewDeadline.
    let lastRenew = Date.now();
    while (!signal.aborted) {
      await abortableSleep(this.retryMs, signal);
      if (signal.aborted) break;
      const ok = await this.tryAcquireOrRenew(Math.max(1, lastRenew + this.renewDeadlineMs - Date.now()));
      if (ok) lastRenew = Date.now();
      else if (Date.now() - lastRenew >= this.renewDeadlineMs || this.heldByOther()) {
        this.log.warn({ identity: this.identity, holder: this.getLeader() }, 'failed to renew lease, stepping down');
        break;
      }
    }
    leading.abort();
    if (signal.aborted && (this.opts.releaseOnCancel ?? true)) await this.release();
    this.log.info({ identity: this.identity }, 'stopped leading');
    try {
      this.opts.onStoppedLeading?.();
    } catch (err) {
      this.log.error({ err }, 'onStoppedLeading threw');
    }
  }

  private heldByOther(): boolean {
    const h = this.observed?.spec.holderIdentity;
    return Boolean(h) && h !== this.identity && !this.expired();
  }

  private expired(): boolean {
    if (!this.observed) return true;
    const dur = (this.observed.spec.leaseDurationSeconds ?? this.leaseMs / 1000) * 1000;
    return this.observed.at + dur <= Date.now();
  }

  private observe(lease: KubeObject): void {
    this.lastLease = lease;
    const spec = (lease.spec ?? {}) as LeaseSpec;
    const json = JSON.stringify([spec.holderIdentity, spec.renewTime, spec.acquireTime, spec.leaseDurationSeconds, spec.leaseTransitions]);
    if (json !== this.observedRecordJson || !this.observed) {
      this.observedRecordJson = json;
      this.observed = { spec, rv: lease.metadata.resourceVersion, at: Date.now() };
    } else this.observed.rv = lease.metadata.resourceVersion;
    const holder = spec.holderIdentity ?? '';
    if (holder && holder !== this.reportedLeader) {
      this.reportedLeader = holder;
      try {
        this.opts.onNewLeader?.(holder);
      } catch (err) {
        this.log.error({ err }, 'onNewLeader threw');
      }
    }
  }

  /**
   * The client with `ms` as each call's deadline, so a call given up on also leaves the
   * connection (a client without per-call deadlines is only raced against the timer below).
   */
  private within(ms: number): Client {
    return this.client.withTimeout?.(ms) ?? this.client;
  }

  private withTimeout<T>(p: Promise<T>, ms: number): Promise<T> {
    return new Promise((resolve, reject) => {
      const t = setTimeout(() => reject(new Error(`lease call timed out after ${ms} ms`)), ms);
      p.then(
        (v) => {
          clearTimeout(t);
          resolve(v);
        },
        (e) => {
          clearTimeout(t);
          reject(e);
        },
      );
    });
  }

  /** The Lease held by this identity from now on (its acquire time and transitions kept when it already held it). */
  private renewed(lease: KubeObject, now: string): KubeObject {
    const spec = (lease.spec ?? {}) as LeaseSpec;
    const mine = spec.holderIdentity === this.identity;
    return {
      ...lease,
      spec: {
        ...spec,
        holderIdentity: this.identity,
        leaseDurationSeconds: Math.max(1, Math.round(this.leaseMs / 1000)),
        acquireTime: mine && spec.acquireTime ? spec.acquireTime : now,
        renewTime: now,
        leaseTransitions: mine ? (spec.leaseTransitions ?? 0) : (spec.leaseTransitions ?? 0) + 1,
      },
    };
  }

  /** One round of client-go's tryAcquireOrRenew; true when this identity holds the lease afterwards. */
  private async tryAcquireOrRenew(timeoutMs = this.renewDeadlineMs): Promise<boolean> {
    const now = microTime(new Date());
    const deadline = Date.now() + timeoutMs;
    // client-go's fast path: a leader renews from the Lease it last saw, one update instead of
    // a get and an update, so a slow apiserver costs it half as much of its renew deadline.
    // Someone else's write since makes it a conflict, and the slow path reads the Lease.
    if (this.isLeader() && !this.expired() && this.lastLease) {
      try {
        this.observe(await this.withTimeout(this.within(timeoutMs).update('leases', this.renewed(this.lastLease, now)), timeoutMs));
        return true;
      } catch (err) {
        this.log.debug({ err, identity: this.identity }, 'optimistic lease renewal failed; reading the lease');
      }
    }
    return this.acquireOrRenewFromRead(now, Math.max(1, deadline - Date.now()));
  }

  /** The slow path: read the Lease (or create it), then take or renew it if it is free or ours. */
  private async acquireOrRenewFromRead(now: string, timeoutMs: number): Promise<boolean> {
    try {
      let lease: KubeObject;
      try {
        lease = await this.withTimeout(this.within(timeoutMs).get('leases', this.namespace, this.name), timeoutMs);
      } catch (err) {
        if (!isNotFound(err)) throw err;
        const created = await this.withTimeout(
          this.within(timeoutMs).create('leases', {
            apiVersion: 'coordination.k8s.io/v1',
            kind: 'Lease',
            metadata: { name: this.name, namespace: this.namespace },
            spec: { holderIdentity: this.identity, leaseDurationSeconds: Math.max(1, Math.round(this.leaseMs / 1000)), acquireTime: now, renewTime: now, leaseTransitions: 0 },
          }),
          timeoutMs,
        );
        this.observe(created);
        return true;
      }
      this.observe(lease);
      const holder = ((lease.spec ?? {}) as LeaseSpec).holderIdentity ?? '';
      if (holder && holder !== this.identity && !this.expired()) return false;
      const updated = await this.withTimeout(this.within(timeoutMs).update('leases', this.renewed(lease, now)), timeoutMs);
      this.observe(updated);
      return true;
    } catch (err) {
      if (!isAlreadyExists(err)) this.log.debug({ err, identity: this.identity }, 'lease acquire/renew failed');
      return false;
    }
  }

  /** Leaves the lease free (holder cleared, duration 1 s), as client-go's release does. */
  private async release(): Promise<void> {
    try {
      const lease = await this.withTimeout(this.within(this.retryMs * 2).get('leases', this.namespace, this.name), this.retryMs * 2);
      if ((lease.spec as LeaseSpec | undefined)?.holderIdentity !== this.identity) return;
      const now = microTime(new Date());
      await this.withTimeout(
        this.within(this.retryMs * 2).update('leases', { ...lease, spec: { ...lease.spec, holderIdentity: '', leaseDurationSeconds: 1, renewTime: now, acquireTime: now } }),
        this.retryMs * 2,
      );
    } catch (err) {
      this.log.warn({ err }, 'failed to release lease');
    }
  }
}
