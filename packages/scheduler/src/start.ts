// startScheduler: informers, the scheduler, its ready check and metrics, and (optionally) leader election,
// as one stoppable unit for main.ts, the CLI and tests.
import { hostname } from 'node:os';
import { randomBytes } from 'node:crypto';
import type { Registry } from 'prom-client';
import { componentOps, createLogger, type Client, type ComponentOpsOptions, type Logger } from '@k8ts/client';
import { ClientEventSink } from './events.js';
import type { AnyPlugin } from './framework/interfaces.js';
import { wireInformers } from './informers.js';
import { createMetrics } from './metrics.js';
import type { QueueOptions } from './queue/scheduling-queue.js';
import { DEFAULT_SCHEDULER_NAME, Scheduler } from './scheduler.js';
import { runLeaderElection, type LeaderElection } from '@k8ts/client';

/** opsPort defaults to -1 (no ops server of its own). */
export interface StartSchedulerOptions extends ComponentOpsOptions {
  client: Client;
  schedulerName?: string;
  /** Default true: only the holder of Lease kube-system/k8ts-scheduler schedules. */
  leaderElect?: boolean;
  leaseName?: string;
  leaseNamespace?: string;
  leaseDurationMs?: number;
  renewDeadlineMs?: number;
  retryPeriodMs?: number;
  identity?: string;
  logger?: Logger;
  plugins?: AnyPlugin[];
  percentageOfNodesToScore?: number;
  queue?: QueueOptions;
  maxInFlightBinds?: number;
  /** Close the client on stop (main.ts owns its client; tests usually own theirs). */
  closeClient?: boolean;
}

export interface RunningScheduler {
  scheduler: Scheduler;
  identity: string;
  opsPort: number;
  registry: Registry;
  isLeader(): boolean;
  stop(): Promise<void>;
}

export async function startScheduler(opts: StartSchedulerOptions): Promise<RunningScheduler> {
  const logger = opts.logger ?? createLogger('scheduler');
  const name = opts.schedulerName ?? DEFAULT_SCHEDULER_NAME;
  const identity = opts.identity ?? `${hostname()}_${randomBytes(4).toString('hex')}`;
  const { ops, release } = await componentOps('scheduler', opts, -1);
  const events = new ClientEventSink(opts.client, name, { logger, instance: identity });
  let scheduler!: Scheduler;
  const metrics = createMetrics(ops.registry, () => scheduler.queue.lengths());
  scheduler = new Scheduler({
    client: opts.client,
    events,
    logger,
    schedulerName: name,
    plugins: opts.plugins,
    percentageOfNodesToScore: opts.percentageOfNodesToScore,
    queue: opts.queue,
    maxInFlightBinds: opts.maxInFlightBinds,
    metrics,
  });
  // Informers run on every replica, so a standby takes over with a warm cache.
  const informers = wireInformers(opts.client, scheduler, logger);
  informers.start();
  ops.addReadyCheck('informers-synced', () => informers.pods.hasSynced() && informers.nodes.hasSynced());

  let election: LeaderElection | undefined;
  const begin = async () => {
    await informers.waitForSync();
    scheduler.start();
  };
  if (opts.leaderElect ?? true) {
    election = runLeaderElection({
      client: opts.client,
      namespace: opts.leaseNamespace ?? 'kube-system',
      name: opts.leaseName ?? 'k8ts-scheduler',
      identity,
      leaseDurationMs: opts.leaseDurationMs ?? 4000,
      renewDeadlineMs: opts.renewDeadlineMs ?? 3000,
      retryPeriodMs: opts.retryPeriodMs ?? 1000,
      logger,
      onStartedLeading: () => {
        metrics.leader.set(1);
        logger.info({ identity }, 'became leader; scheduling');
        void begin();
      },
      onStoppedLeading: () => {
        metrics.leader.set(0);
        logger.warn({ identity }, 'lost leadership; scheduling paused');
        void scheduler.pause();
      },
    });
  } else {
    metrics.leader.set(1);
    void begin();
  }
  logger.info({ schedulerName: name, identity, opsPort: ops.port, leaderElect: Boolean(election) }, 'scheduler started');

  return {
    scheduler,
    identity,
    opsPort: ops.port,
    registry: ops.registry,
    isLeader: () => (election ? election.isLeader() : true),
    async stop() {
      await scheduler.pause();
      await election?.stop();
      await scheduler.stop();
      await informers.stop();
      await release();
      if (opts.closeClient) opts.client.close();
    },
  };
}
