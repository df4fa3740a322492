// Load a drill keeps up while the fault is in place: requests to the workload's Service from
// the host (ClusterIP through the proxy), and for control-plane faults a writer creating
// ConfigMaps, so that every write the apiserver acknowledged can be read back afterwards.
import http from 'node:http';
import type { Client } from '@k8ts/client';
import type { KubeObject } from '@k8ts/api';

export interface ServiceFigures {
  requests: number;
  failed: number;
  failedShare: number;
  /** Longest run of consecutive failures, ms. */
  longestOutageMs: number;
  /** [start, end] of each run of failures, ms since the fault. */
  outages: [number, number][];
}

function get(url: string, timeoutMs: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = http.get(url, { agent: false, timeout: timeoutMs }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
      res.on('error', reject);
    });
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', reject);
  });
}

/** Runs `once` every `everyMs` (back to back when it takes longer) while `running()`. */
async function paced(everyMs: number, running: () => boolean, once: () => Promise<void>): Promise<void> {
  while (running()) {
    const at = Date.now();
    await once();
    const wait = everyMs - (Date.now() - at);
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
  }
}

/** [start, end] of each run of consecutive failures, ms since the fault. */
function failureRuns(log: { at: number; ok: boolean }[], faultAt: number): [number, number][] {
  const out: [number, number][] = [];
  let open: number | undefined;
  for (const r of log) {
    if (!r.ok && open === undefined) open = r.at;
    if (r.ok && open !== undefined) {
      out.push([open - faultAt, r.at - faultAt]);
      open = undefined;
    }
  }
  if (open !== undefined) out.push([open - faultAt, (log.at(-1)?.at ?? open) - faultAt]);
  return out;
}

export class ServiceProber {
  private running = false;
  private loop?: Promise<void>;
  private results: { at: number; ok: boolean }[] = [];

  constructor(
    private readonly url: string,
    private readonly everyMs = 100,
    private readonly timeoutMs = 1000,
  ) {}

  start(): void {
    this.running = true;
    this.loop = paced(this.everyMs, () => this.running, async () => {
      const at = Date.now();
      const ok = await get(this.url, this.timeoutMs).then(
        (s) => s === 200,
        () => false,
      );
      this.results.push({ at, ok });
    });
  }

  async stop(faultAt: number): Promise<ServiceFigures> {
    this.running = false;
    await this.loop;
    const failed = this.results.filter((r) => !r.ok).length;
    const outages = failureRuns(this.results, faultAt);
    return {
      requests: this.results.length,
      failed,
      failedShare: this.results.length ? failed / this.results.length : 1,
      longestOutageMs: Math.max(0, ...outages.map(([a, b]) => b - a)),
      outages,
    };
  }
}

export interface WriteFigures {
  attempted: number;
  acknowledged: number;
  failed: number;
  /** Acknowledged writes not found when read back: must be empty. */
  lost: string[];
  /** [start, end] of each run of failed writes, ms since the fault. */
  outages: [number, number][];
}

export class ConfigMapWriter {
  private running = false;
  private loop?: Promise<void>;
  private n = 0;
  lastOkAt = 0;
  private readonly acked: string[] = [];
  private readonly log: { at: number; ok: boolean }[] = [];

  constructor(
    private readonly client: Client,
    private readonly namespace: string,
    private readonly everyMs = 50,
  ) {}

  start(): void {
    this.running = true;
    this.loop = paced(this.everyMs, () => this.running, async () => {
      const at = Date.now();
      const name = `write-${String(++this.n).padStart(5, '0')}`;
      const ok = await this.client
        .create('configmaps', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, namespace: this.namespace }, data: { n: String(this.n) } } as KubeObject)
        .then(
          () => true,
          () => false,
        );
      if (ok) {
        this.acked.push(name);
        this.lastOkAt = Date.now();
      }
      this.log.push({ at, ok });
    });
  }

  /** Stops writing and reads every acknowledged ConfigMap back. */
  async stop(faultAt: number): Promise<WriteFigures> {
    this.running = false;
    await this.loop;
    const found = new Set<string>();
    for (let attempt = 0; ; attempt++) {
      try {
        const list = await this.client.list('configmaps', { namespace: this.namespace });
        for (const cm of list.items) found.add(cm.metadata.name!);
        break;
      } catch (e) {
        if (attempt > 40) throw e;
        await new Promise((r) => setTimeout(r, 500));
      }
    }
    const outages = failureRuns(this.log, faultAt);
    return {
      attempted: this.log.length,
      acknowledged: this.acked.length,
      failed: this.log.filter((r) => !r.ok).length,
      lost: this.acked.filter((n) => !found.has(n)),
      outages,
    };
  }
}
