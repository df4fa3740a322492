// The apiserver's event-loop lag, from its own /metrics (prom-client's
// nodejs_eventloop_lag_max_seconds, the longest delay since the previous scrape), every 2 s:
// a stall of its one thread delays every request, a Lease renewal's included.
import type { ApiClient } from '../http.js';

export interface LagFigures {
  scrapes: number;
  /** The longest lag seen, ms, and when (epoch ms of the scrape that reported it). */
  maxMs: number;
  maxAt: number;
  /** Scrapes that reported a lag over a second. */
  overOneSecond: number;
}

export class LagMonitor {
  private timer?: NodeJS.Timeout;
  private busy = false;
  private readonly f: LagFigures = { scrapes: 0, maxMs: 0, maxAt: 0, overOneSecond: 0 };

  constructor(private readonly admin: ApiClient) {}

  start(): void {
    this.timer = setInterval(() => void this.scrape(), 2000);
  }

  private async scrape(): Promise<void> {
    if (this.busy) return;
    this.busy = true;
    try {
      const a = await this.admin.request('GET', '/metrics', { accept: 'text/plain', timeoutMs: 10_000 });
      const m = /^nodejs_eventloop_lag_max_seconds\s+(\S+)/m.exec(a.body);
      if (!m) return;
      const ms = Number(m[1]) * 1000;
      this.f.scrapes++;
      if (ms > 1000) this.f.overOneSecond++;
      if (ms > this.f.maxMs) Object.assign(this.f, { maxMs: Math.round(ms), maxAt: Date.now() });
    } catch {
      // A scrape that failed is no figure; the other monitors say what broke.
    } finally {
      this.busy = false;
    }
  }

  stop(): LagFigures {
    clearInterval(this.timer);
    return this.f;
  }
}
