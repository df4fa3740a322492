// LeaderElector campaigned again each time leadership is lost: a scheduler or
// controller-manager started in-process (CLI, tests) stays on as a standby instead of
// exiting, so the pair keeps one leader whichever of them restarts.
import type { Logger } from 'pino';
import { LeaderElector } from './leader-election.js';
import type { Client } from './types.js';

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

export function runLeaderElection(o: LeaderElectionOptions): LeaderElection {
  let stopped = false;
  let current: LeaderElector | undefined;
  const loop = (async () => {
    while (!stopped) {
      current = new LeaderElector({
        client: o.client,
        namespace: o.namespace,
        name: o.name,
        identity: o.identity,
        leaseDurationSeconds: o.leaseDurationMs / 1000,
        renewDeadlineSeconds: o.renewDeadlineMs / 1000,
        retryPeriodSeconds: o.retryPeriodMs / 1000,
        releaseOnCancel: o.releaseOnStop ?? true,
        logger: o.logger,
        onStartedLeading: () => o.onStartedLeading(),
        onStoppedLeading: () => o.onStoppedLeading(),
      });
      await current.run();
      if (!stopped) await new Promise((r) => setTimeout(r, o.retryPeriodMs));
    }
  })();
  return {
    isLeader: () => current?.isLeader() ?? false,
    async stop() {
      stopped = true;
      await current?.stop();
      await loop;
    },
  };
}
