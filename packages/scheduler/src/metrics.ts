// Prometheus metrics under kube-scheduler's names.
import { Counter, Gauge, Histogram, type Registry } from 'prom-client';
import type { QueueLengths } from './queue/scheduling-queue.js';

export interface SchedulerMetrics {
  attempts: Counter<'result' | 'profile'>;
  e2eLatency: Histogram<'result' | 'profile'>;
  attemptDuration: Histogram<'result' | 'profile'>;
  pendingPods: Gauge<'queue'>;
  leader: Gauge;
}

export function createMetrics(registry: Registry, lengths: () => QueueLengths): SchedulerMetrics {
  const attempts = new Counter({
    name: 'scheduler_schedule_attempts_total',
    help: 'Number of attempts to schedule pods, by the result. unschedulable means a pod could not be scheduled, while error means an internal scheduler problem or bad input.',
    labelNames: ['result', 'profile'] as const,
    registers: [registry],
  });
  const e2eLatency = new Histogram({
    name: 'scheduler_e2e_scheduling_duration_seconds',
    help: 'E2e scheduling latency in seconds: from the pod entering the scheduling queue to its binding.',
    labelNames: ['result', 'profile'] as const,
    buckets: [0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1, 2, 5, 10, 30],
    registers: [registry],
  });
  const attemptDuration = new Histogram({
    name: 'scheduler_scheduling_attempt_duration_seconds',
    help: 'Scheduling attempt latency in seconds (scheduling algorithm + binding).',
    labelNames: ['result', 'profile'] as const,
    buckets: [0.0001, 0.0002, 0.0005, 0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.5, 1],
    registers: [registry],
  });
  const pendingPods = new Gauge({
    name: 'scheduler_pending_pods',
    help: 'Number of pending pods, by the queue type. active: activeQ; backoff: backoffQ; unschedulable: unschedulable pods.',
    labelNames: ['queue'] as const,
    registers: [registry],
    collect() {
      const l = lengths();
      this.set({ queue: 'active' }, l.active);
      this.set({ queue: 'backoff' }, l.backoff);
      this.set({ queue: 'unschedulable' }, l.unschedulable);
    },
  });
  const leader = new Gauge({
    name: 'leader_election_master_status',
    help: 'Gauge of if the reporting system is master of the relevant lease, 0 indicates backup, 1 indicates master.',
    labelNames: ['name'] as const,
    registers: [registry],
  });
  return { attempts, e2eLatency, attemptDuration, pendingPods, leader: leader as unknown as Gauge };
}
