// metrics-server's scrape loop, inside the apiserver: every resolution, each connected
// agent's /metrics/resource is read over its Nodes.Connect tunnel (the way logs and exec
// reach it, so the apiserver still never dials a node), decoded and stored. A node that
// does not answer within the timeout keeps its last points until it is gone.
import type { Logger } from 'pino';
import type { StreamTunnel } from '../tunnel/types.js';
import { parsePrometheusText } from './prometheus-text.js';
import { decodeScrape, MetricsStorage } from './storage.js';

export const RESOURCE_METRICS_PATH = '/metrics/resource';
const MAX_SCRAPE_BYTES = 16 * 1024 * 1024;

/** One node's /metrics/resource text, through its tunnel. */
export function scrapeNode(tunnel: StreamTunnel, nodeName: string, timeoutMs: number): Promise<string> {
  return new Promise((resolve, reject) => {
    let stream;
    try {
      stream = tunnel.open(nodeName, { kind: 'metrics', namespace: '', pod: '', podUid: '', params: { path: RESOURCE_METRICS_PATH } });
    } catch (e) {
      reject(e as Error);
      return;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    const timer = setTimeout(() => {
      stream.close();
      reject(new Error(`scrape of node ${nodeName} timed out after ${timeoutMs} ms`));
    }, timeoutMs);
    stream.on('data', (_channel: number, data: Buffer) => {
      size += data.length;
      if (size > MAX_SCRAPE_BYTES) {
        clearTimeout(timer);
        stream.close();
        reject(new Error(`scrape of node ${nodeName} over ${MAX_SCRAPE_BYTES} bytes`));
        return;
      }
      chunks.push(data);
    });
    stream.on('close', (statusJson: string) => {
      clearTimeout(timer);
      if (statusJson) {
        try {
          const st = JSON.parse(statusJson) as { status?: string; message?: string };
          if (st.status && st.status !== 'Success') return reject(new Error(st.message ?? 'scrape failed'));
        } catch {
          return reject(new Error('scrape failed'));
        }
      }
      resolve(Buffer.concat(chunks).toString('utf8'));
    });
  });
}

export interface ScraperOptions {
  tunnel: StreamTunnel;
  storage: MetricsStorage;
  /** metrics-server's --metric-resolution (default 15 s). */
  resolutionMs: number;
  logger?: Logger;
  /** Called after each round (the pod labels refresh hangs off it). */
  afterRound?: () => Promise<void>;
}

export class Scraper {
  private timer: NodeJS.Timeout | undefined;
  private stopped = false;
  private running: Promise<void> | undefined;

  constructor(private readonly o: ScraperOptions) {}

  start(): void {
    const tick = () => {
      if (this.stopped) return;
      this.running = this.round().finally(() => {
        if (!this.stopped) this.timer = setTimeout(tick, this.o.resolutionMs);
      });
    };
    tick();
  }

  async round(): Promise<void> {
    const nodes = this.o.tunnel.connectedNodes();
    // metrics-server gives a scrape 90 % of the resolution; Docker's stats of a busy engine
    // take seconds, and rounds never overlap here, so at least 5 s.
    const timeoutMs = Math.min(10_000, Math.max(5_000, this.o.resolutionMs * 0.9));
    await Promise.all(
      nodes.map(async (node) => {
        try {
          const text = await scrapeNode(this.o.tunnel, node, timeoutMs);
          this.o.storage.store(node, decodeScrape(parsePrometheusText(text), Date.now()));
        } catch (e) {
          this.o.logger?.warn({ object: node, reason: 'ScrapeFailed', err: (e as Error).message }, 'failed to scrape node');
        }
      }),
    );
    this.o.storage.retainNodes(new Set(nodes));
    // No agent, no metrics: spare the registry the lists (benchmarks, apiserver-only tests).
    if (nodes.length === 0) return;
    await this.o.afterRound?.().catch((e) => this.o.logger?.warn({ reason: 'PodListFailed', err: (e as Error).message }, 'listing pods for metrics failed'));
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await this.running?.catch(() => undefined);
  }
}
