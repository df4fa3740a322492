// Leader election over a coordination.k8s.io Lease, with client-go's rules: a candidate takes
// the lease only when the holder has not renewed it for leaseDuration as measured on the
// candidate's own clock (observed time, immune to clock skew); the leader steps down when it
// could not renew within renewDeadline, which is shorter than leaseDuration so it stops
// before anyone else may start.
import type { Lease } from '@k8ts/api';
import { isAlreadyExists, isConflict, isNotFound, type Client, type Logger } from '@k8ts/client';

export interface LeaderElectionOptions {
  client: Client;
  namespace: string;
  name: string;
  identity: string;
  leaseDurationMs: number;
  renewDeadlineMs: number;
  retryPeriodMs: number;
  logger?: Logger;
  onStartedLeading(): void;
  onStoppedLeading(): void;
  /** Give the lease up on stop() so a standby takes over at once (default true). */
  releaseOnStop?: boolean;
}

export interface LeaderElection {
  isLeader(): boolean;
  stop(): Promise<void>;
}

function microTime(d = new Date()): string {
  return d.toISOString().replace(/Z$/, '000Z');
}

export function runLeaderElection(o: LeaderElectionOptions): LeaderElection {
  let leader = false;
  let stopped = false;
  let observedKey = '';
  let observedAt = 0;
  let lastRenew = 0;
  let wake: (() => void) | undefined;
  const sleep = (ms: number) =>
    new Promise<void>((r) => {
      const t = setTimeout(done, ms);
      wake = done;
      function done() {
        clearTimeout(t);
        wake = undefined;
        r();
      }
    });

  async function tryAcquireOrRenew(): Promise<boolean> {
    const now = new Date();
    const spec = {
      holderIdentity: o.identity,
      leaseDurationSeconds: Math.max(1, Math.round(o.leaseDurationMs / 1000)),
      acquireTime: microTime(now),
      renewTime: microTime(now),
      leaseTransitions: 0,
    };
    let lease: Lease;
    try {
      lease = await o.client.get<Lease & { metadata: NonNullable<Lease['metadata']> }>('leases', o.namespace, o.name);
    } catch (e) {
      if (!isNotFound(e)) throw e;
      try {
        await o.client.create('leases', { apiVersion: 'coordination.k8s.io/v1', kind: 'Lease', metadata: { name: o.name, namespace: o.namespace }, spec });
        observedKey = `${o.identity}|${spec.renewTime}`;
        observedAt = Date.now();
        return true;
      } catch (e2) {
        if (isAlreadyExists(e2)) return false;
        throw e2;
      }
    }
    const cur = lease.spec ?? {};
    const key = `${cur.holderIdentity ?? ''}|${cur.renewTime ?? ''}`;
    if (key !== observedKey) {
      observedKey = key;
      observedAt = Date.now();
    }
    const holder = cur.holderIdentity ?? '';
    const durationMs = (cur.leaseDurationSeconds ?? spec.leaseDurationSeconds) * 1000;
    if (holder && holder !== o.identity && observedAt + durationMs > Date.now()) return false;
    const next = {
      ...lease,
      spec: {
        ...spec,
        acquireTime: holder === o.identity ? (cur.acquireTime ?? spec.acquireTime) : spec.acquireTime,
        leaseTransitions: (cur.leaseTransitions ?? 0) + (holder === o.identity ? 0 : 1),
      },
    };
    try {
      await o.client.update('leases', next as any);
    } catch (e) {
      if (isConflict(e)) return false;
      throw e;
    }
    observedKey = `${o.identity}|${next.spec.renewTime}`;
    observedAt = Date.now();
    return true;
  }

  async function attempt(): Promise<boolean> {
    try {
      return await tryAcquireOrRenew();
    } catch (e) {
      o.logger?.warn({ err: (e as Error).message, lease: `${o.namespace}/${o.name}` }, 'leader election: lease call failed');
      return false;
    }
  }

  const loop = (async () => {
    while (!stopped) {
      if (!leader) {
        if (await attempt()) {
          if (stopped) break;
          leader = true;
          lastRenew = Date.now();
          o.logger?.info({ lease: `${o.namespace}/${o.name}`, identity: o.identity }, 'successfully acquired lease');
          o.onStartedLeading();
        }
      } else if (await attempt()) {
        lastRenew = Date.now();
      } else if (Date.now() - lastRenew > o.renewDeadlineMs) {
        leader = false;
        o.logger?.warn({ lease: `${o.namespace}/${o.name}`, identity: o.identity }, 'failed to renew lease in time; stepping down');
        o.onStoppedLeading();
      }
      if (!stopped) await sleep(o.retryPeriodMs);
    }
  })();

  return {
    isLeader: () => leader,
    async stop() {
      stopped = true;
      wake?.();
      await loop;
      if (!leader) return;
      leader = false;
      o.onStoppedLeading();
      if (o.releaseOnStop === false) return;
      try {
        const lease = await o.client.get<Lease & { metadata: NonNullable<Lease['metadata']> }>('leases', o.namespace, o.name);
        if (lease.spec?.holderIdentity !== o.identity) return;
        await o.client.update('leases', { ...lease, spec: { ...lease.spec, holderIdentity: '', leaseDurationSeconds: 1, renewTime: microTime() } } as any);
      } catch (e) {
        o.logger?.debug({ err: (e as Error).message }, 'leader election: lease not released');
      }
    },
  };
}
