// The controller manager: after winning the Lease kube-system/k8ts-controller-manager (or
// at once without leader election) it starts the shared informers, waits for their caches,
// and runs each selected controller's workers over its own rate-limited queue.
import os from 'node:os';
import type { Registry } from 'prom-client';
import { EventRecorder, SharedInformerFactory, WorkQueue, runLeaderElection, runWorkers, createLogger, type Client, type LeaderElection, type Logger } from '@k8ts/client';
import { CONTROLLERS, CONTROLLER_NAMES } from './controllers.js';
import { defaultControllerOptions, type ControllerOptions } from './framework/types.js';
import { ManagerMetrics } from './framework/metrics.js';
import { listerOf, type Runnable } from './framework/wiring.js';
import type { KubeObject } from '@k8ts/api';

export interface ControllerManagerOptions {
  client: Client;
  /** The client leader election uses (default: client); one whose requests no rate limit delays. */
  leaseClient?: Client;
  /** Controller names; '*' for all, '-name' to leave one out (kube-controller-manager's syntax). */
  controllers?: string[];
  leaderElect?: boolean;
  leaseNamespace?: string;
  leaseName?: string;
  identity?: string;
  leaseDurationMs?: number;
  renewDeadlineMs?: number;
  retryPeriodMs?: number;
  concurrentSyncs?: number;
  controllerOptions?: Partial<ControllerOptions>;
  logger?: Logger;
  registry?: Registry;
  /** Called when leadership is lost after it was held (main exits, as kube-controller-manager does). */
  onLostLeadership?: () => void;
}

export function selectControllers(spec: string[] | undefined): string[] {
  const items = (spec ?? ['*']).flatMap((s) => s.split(',')).map((s) => s.trim()).filter(Boolean);
  const all = items.includes('*');
  const out = new Set(all ? CONTROLLER_NAMES : []);
  for (const i of items) {
    if (i === '*') continue;
    if (i.startsWith('-')) out.delete(i.slice(1));
    else if (CONTROLLER_NAMES.includes(i)) out.add(i);
    else throw new Error(`unknown controller "${i}" (known: ${CONTROLLER_NAMES.join(', ')})`);
  }
  return CONTROLLER_NAMES.filter((n) => out.has(n));
}

export class ControllerManager {
  readonly logger: Logger;
  readonly names: string[];
  private factory?: SharedInformerFactory;
  private queues: WorkQueue<string>[] = [];
  private runnables: Runnable[] = [];
  private workers: Promise<void>[] = [];
  private elector?: LeaderElection;
  private running = false;
  private stopping = false;
  // Leadership can come back while a previous term is still shutting down or syncing its
  // caches: each term works on its own arrays and checks it is still the current one.
  private term = 0;
  readonly metrics?: ManagerMetrics;
  readonly identity: string;

  constructor(private readonly o: ControllerManagerOptions) {
    this.logger = o.logger ?? createLogger('controller-manager');
    this.names = selectControllers(o.controllers);
    this.identity = o.identity ?? `${os.hostname()}_${process.pid}_${Math.random().toString(36).slice(2, 8)}`;
    if (o.registry) this.metrics = new ManagerMetrics(o.registry);
  }

  get isLeader(): boolean {
    return this.running;
  }

  start(): void {
    if (this.o.leaderElect === false) {
      void this.run();
      return;
    }
    this.elector = runLeaderElection({
      client: this.o.leaseClient ?? this.o.client,
      namespace: this.o.leaseNamespace ?? 'kube-system',
      name: this.o.leaseName ?? 'k8ts-controller-manager',
      identity: this.identity,
      leaseDurationMs: this.o.leaseDurationMs ?? 4000,
      renewDeadlineMs: this.o.renewDeadlineMs ?? 3000,
      retryPeriodMs: this.o.retryPeriodMs ?? 1000,
      logger: this.logger,
      onStartedLeading: () => {
        this.metrics?.leader.set(1);
        void this.run();
      },
      onStoppedLeading: () => {
        this.metrics?.leader.set(0);
        void this.halt().then(() => this.o.onLostLeadership?.());
      },
    });
  }

  private async run(): Promise<void> {
    if (this.running || this.stopping) return;
    this.running = true;
    const term = ++this.term;
    const client = this.o.client;
    const options: ControllerOptions = { ...defaultControllerOptions, ...(this.o.controllerOptions ?? {}) };
    const factory = new SharedInformerFactory(client, { logger: this.logger });
    this.factory = factory;
    const built: { name: string; queue: WorkQueue<string>; r: Runnable }[] = [];
    for (const def of CONTROLLERS.filter((d) => this.names.includes(d.name))) {
      const queue = new WorkQueue<string>({ name: def.name });
      const logger = this.logger.child({ controller: def.name });
      const ctx = { client, logger, options, recorder: new EventRecorder(client, def.component, os.hostname(), { logger }) };
      const r = def.build({
        ctx,
        factory,
        queue,
        informer: (res) => factory.informerFor(res),
        lister: <T extends KubeObject>(res: string) => listerOf(factory.informerFor<T>(res)),
      });
      this.metrics?.trackDepth(def.name, () => queue.len());
      built.push({ name: def.name, queue, r });
    }
    this.queues = built.map((b) => b.queue);
    this.runnables = built.map((b) => b.r);
    factory.start();
    this.logger.info({ controllers: this.names }, 'waiting for caches');
    const synced = await factory.waitForSync(60_000);
    if (!this.running || term !== this.term) return;
    if (!synced) this.logger.warn('caches did not sync within 60 s; starting anyway');
    const n = this.o.concurrentSyncs ?? 5;
    for (const b of built) {
      b.r.start?.();
      const sync = async (key: string) => {
        const t = process.hrtime.bigint();
        try {
          await b.r.sync(key);
          this.metrics?.syncs.inc({ controller: b.name, result: 'success' });
        } catch (e) {
          this.metrics?.syncs.inc({ controller: b.name, result: 'error' });
          throw e;
        } finally {
          this.metrics?.duration.observe({ controller: b.name }, Number(process.hrtime.bigint() - t) / 1e9);
        }
      };
      this.workers.push(runWorkers(b.queue, n, sync, this.logger.child({ controller: b.name })));
    }
    this.logger.info({ controllers: this.names, workers: n }, 'controllers running');
  }

  /** Stops the controllers (not the election). */
  private async halt(): Promise<void> {
    if (!this.running) return;
    this.running = false;
    this.term++;
    const { runnables, queues, factory, workers } = this;
    this.runnables = [];
    this.queues = [];
    this.workers = [];
    this.factory = undefined;
    for (const r of runnables) r.stop?.();
    for (const q of queues) q.shutDown();
    await factory?.stop();
    await Promise.race([Promise.all(workers), new Promise((r) => setTimeout(r, 5000))]);
  }

  async stop(): Promise<void> {
    this.stopping = true;
    await this.halt();
    await this.elector?.stop();
  }
}
