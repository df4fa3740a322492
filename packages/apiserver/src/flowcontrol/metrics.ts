// kube-apiserver's APF metrics, read from the levels when scraped: seats in use, requests
// queued, and refusals by level and why (queue-full, time-out), under upstream's names.
import { Counter, Gauge, type Registry } from 'prom-client';
import type { RequestLimiter } from './limiter.js';

export function registerFlowControlMetrics(limiter: RequestLimiter, registry: Registry): void {
  new Gauge({
    name: 'apiserver_flowcontrol_current_executing_seats',
    help: 'Seats in use, by priority level',
    labelNames: ['priority_level'],
    registers: [registry],
    collect() {
      for (const [name, l] of limiter.levels) this.set({ priority_level: name }, l.inflight);
    },
  });
  new Gauge({
    name: 'apiserver_flowcontrol_current_inqueue_requests',
    help: 'Requests waiting for a seat, by priority level',
    labelNames: ['priority_level'],
    registers: [registry],
    collect() {
      for (const [name, l] of limiter.levels) this.set({ priority_level: name }, l.queued);
    },
  });
  new Gauge({
    name: 'apiserver_flowcontrol_nominal_limit_seats',
    help: 'Seats of each priority level',
    labelNames: ['priority_level'],
    registers: [registry],
    collect() {
      for (const [name, l] of limiter.levels) this.set({ priority_level: name }, l.config.seats);
    },
  });
  const seen = new Map<string, number>();
  new Counter({
    name: 'apiserver_flowcontrol_rejected_requests_total',
    help: 'Requests refused with 429, by priority level and reason',
    labelNames: ['priority_level', 'reason'],
    registers: [registry],
    collect() {
      for (const [name, l] of limiter.levels)
        for (const [reason, n] of Object.entries(l.refusals)) {
          const key = `${name}/${reason}`;
          const grew = n - (seen.get(key) ?? 0);
          if (grew > 0) this.inc({ priority_level: name, reason }, grew);
          seen.set(key, n);
        }
    },
  });
}
