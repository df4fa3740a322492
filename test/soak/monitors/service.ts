// The workload's Service asked from the host every 500 ms, each time on a new connection to
// its ClusterIP (through the proxy's DNAT), with how long it went without an answer.
import { httpStatus } from '../setup.js';

export interface ServiceFigures {
  requests: number;
  failed: number;
  /** Longest time between two answered requests (or from the start to the first), ms. */
  maxGapMs: number;
  /** Longest run of failed requests in a row. */
  longestFailureRun: number;
}

export class ServiceMonitor {
  private running = false;
  private loop?: Promise<void>;
  private requests = 0;
  private failed = 0;
  private run = 0;
  private longestRun = 0;
  private lastOk = Date.now();
  private maxGap = 0;

  constructor(
    private readonly url: string,
    private readonly everyMs = 500,
    private readonly timeoutMs = 2000,
  ) {}

  start(): void {
    this.running = true;
    this.lastOk = Date.now();
    this.loop = (async () => {
      while (this.running) {
        const at = Date.now();
        const ok = await httpStatus(this.url, this.timeoutMs).then((s) => s === 200, () => false);
        this.requests++;
        if (ok) {
          this.maxGap = Math.max(this.maxGap, Date.now() - this.lastOk);
          this.lastOk = Date.now();
          this.run = 0;
        } else {
          this.failed++;
          this.longestRun = Math.max(this.longestRun, ++this.run);
        }
        const wait = this.everyMs - (Date.now() - at);
        if (wait > 0) await new Promise((r) => setTimeout(r, wait));
      }
    })();
  }

  async stop(): Promise<ServiceFigures> {
    this.running = false;
    await this.loop;
    this.maxGap = Math.max(this.maxGap, this.run ? Date.now() - this.lastOk : 0);
    return { requests: this.requests, failed: this.failed, maxGapMs: this.maxGap, longestFailureRun: this.longestRun };
  }
}
