// Leader election over a coordination.k8s.io Lease (client-go's leaderelection with a
// LeaseLock). A follower takes the lease once the holder has not renewed it for the lease
// duration, measured on the follower's own clock from when it last saw the record change
// (so clock skew between machines does not matter). Optimistic concurrency on the Lease
// makes two candidates racing for it end with one leader.
import type { Lease } from '@k8ts/api';
import { isNotFound, isConflict, isAlreadyExists, type Client, type Logger } from '@k8ts/client';
import { microTime } from '../util/time.js';

export interface LeaderElectionOptions {
  client: Client;
  namespace: string;
  name: string;
  identity: string;
  leaseDurationMs: number;
  renewDeadlineMs: number;
  retryPeriodMs: number;
  logger?: Logger;
  onStartedLeading: () => void;
  onStoppedLeading: () => void;
}

export class LeaseLeaderElector {
  private observed?: { record: string; at: number };
  private leading = false;
  private stopped = false;
  private timer?: NodeJS.Timeout;
  private lastRenew = 0;

  constructor(private readonly o: LeaderElectionOptions) {}

  get isLeader(): boolean {
    return this.leading;
  }

  start(): void {
    const loop = async () => {
      if (this.stopped) return;
      let ok = false;
      try {
        ok = await this.tryAcquireOrRenew();
      } catch (e) {
        this.o.logger?.debug({ err: String(e) }, 'leader election attempt failed');
      }
      const now = Date.now();
      if (ok) {
        this.lastRenew = now;
        if (!this.leading) {
          this.leading = true;
          this.o.logger?.info({ lease: `${this.o.namespace}/${this.o.name}`, identity: this.o.identity }, 'became leader');
          this.o.onStartedLeading();
        }
      } else if (this.leading && now - this.lastRenew > this.o.renewDeadlineMs) {
        this.leading = false;
        this.o.logger?.warn({ lease: `${this.o.namespace}/${this.o.name}` }, 'lost leadership');
        this.o.onStoppedLeading();
      }
      if (!this.stopped) this.timer = setTimeout(loop, this.o.retryPeriodMs);
    };
    void loop();
  }

  /** Stops; a leader gives the lease up (renewTime cleared) so a follower need not wait. */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    if (!this.leading) return;
    this.leading = false;
    try {
      const lease = await this.o.client.get<Lease>('leases', this.o.namespace, this.o.name);
      if (lease.spec?.holderIdentity === this.o.identity) {
        await this.o.client.update('leases', { ...lease, spec: { ...lease.spec, holderIdentity: '', leaseDurationSeconds: 1, renewTime: microTime(Date.now() - 60_000) } });
      }
    } catch {
      // the next leader waits out the lease instead
    }
  }

  private async tryAcquireOrRenew(): Promise<boolean> {
    const { client, namespace, name, identity } = this.o;
    const now = Date.now();
    const spec = (old?: Lease['spec']) => ({
      holderIdentity: identity,
      leaseDurationSeconds: Math.ceil(this.o.leaseDurationMs / 1000),
      acquireTime: old?.holderIdentity === identity && old.acquireTime ? old.acquireTime : microTime(now),
      renewTime: microTime(now),
      leaseTransitions: (old?.leaseTransitions ?? 0) + (old && old.holderIdentity !== identity ? 1 : 0),
    });
    let lease: Lease;
    try {
      lease = await client.get<Lease>('leases', namespace, name);
    } catch (e) {
      if (!isNotFound(e)) throw e;
      try {
        await client.create('leases', { apiVersion: 'coordination.k8s.io/v1', kind: 'Lease', metadata: { name, namespace }, spec: spec() } as Lease);
        return true;
      } catch (e2) {
        if (isAlreadyExists(e2)) return false;
        throw e2;
      }
    }
    const record = JSON.stringify([lease.spec?.holderIdentity, lease.spec?.renewTime]);
    if (this.observed?.record !== record) this.observed = { record, at: now };
    const holder = lease.spec?.holderIdentity;
    const durMs = (lease.spec?.leaseDurationSeconds ?? 0) * 1000;
    const expired = !holder || this.observed.at + durMs <= now;
    if (holder !== identity && !expired) return false;
    try {
      await client.update('leases', { ...lease, spec: spec(lease.spec) });
      this.observed = undefined;
      return true;
    } catch (e) {
      if (isConflict(e)) return false;
      throw e;
    }
  }
}
