// Per-controller metrics on the ops server's registry.
import { Counter, Gauge, Histogram, type Registry } from 'prom-client';

export class ManagerMetrics {
  readonly syncs: Counter<'controller' | 'result'>;
  readonly duration: Histogram<'controller'>;
  readonly depth: Gauge<'controller'>;
  readonly leader: Gauge;
  private readonly depthFns = new Map<string, () => number>();

  constructor(registry: Registry) {
    this.syncs = new Counter({ name: 'controller_sync_total', help: 'Syncs by controller and result', labelNames: ['controller', 'result'], registers: [registry] });
    this.duration = new Histogram({
      name: 'controller_sync_duration_seconds',
      help: 'Time a sync took',
      labelNames: ['controller'],
      buckets: [0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1, 5],
      registers: [registry],
    });
    const fns = this.depthFns;
    this.depth = new Gauge({
      name: 'controller_workqueue_depth',
      help: 'Keys waiting in each controller queue',
      labelNames: ['controller'],
      registers: [registry],
      collect() {
        for (const [c, f] of fns) this.set({ controller: c }, f());
      },
    });
    this.leader = new Gauge({ name: 'controller_manager_leader', help: '1 while this instance leads', registers: [registry] });
  }

  trackDepth(controller: string, fn: () => number): void {
    this.depthFns.set(controller, fn);
  }
}
