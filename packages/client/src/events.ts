// core/v1 Events as client-go's EventRecorder writes them: one Event per (object, type,
// reason, message), repeats within 10 minutes folded into it by raising count and
// lastTimestamp. Recording never throws into the caller: a failed write is only logged.
import { rfc3339, type KubeObject } from '@k8ts/api';
import type { Logger } from 'pino';
import { isNotFound, type Client } from './types.js';
import { createLogger } from './ops.js';

export type EventType = 'Normal' | 'Warning';

const AGGREGATE_WINDOW_MS = 10 * 60 * 1000;
const MAX_CACHE = 4096;

interface Seen {
  namespace: string;
  name: string;
  count: number;
  firstTimestamp: string;
  lastMs: number;
}

export interface EventRecorderOptions {
  logger?: Pick<Logger, 'warn' | 'debug'>;
  /** For tests: the clock. */
  now?: () => Date;
}

export class EventRecorder {
  private readonly seen = new Map<string, Seen>();
  private readonly chains = new Map<string, Promise<void>>();
  private readonly pending = new Set<Promise<void>>();
  private readonly log: Pick<Logger, 'warn' | 'debug'>;
  private readonly now: () => Date;

  constructor(
    private readonly client: Client,
    readonly component: string,
    readonly host?: string,
    opts: EventRecorderOptions = {},
  ) {
    this.log = opts.logger ?? createLogger(component, { subsystem: 'events' });
    this.now = opts.now ?? (() => new Date());
  }

  /**
   * Records an event about `obj`. Returns a promise that settles when it is written (it never
   * rejects); callers may ignore it.
   */
  event(obj: KubeObject, type: EventType, reason: string, message: string, fieldPath?: string): Promise<void> {
    const m = obj.metadata ?? {};
    const key = JSON.stringify([obj.kind, m.namespace, m.name, m.uid, fieldPath, type, reason, message]);
    const prev = this.chains.get(key) ?? Promise.resolve();
    // Writes for one key run one after another so counts add up.
    const p = prev.then(() => this.write(key, obj, type, reason, message, fieldPath)).catch((err) => {
      this.log.warn({ err, object: m.namespace ? `${m.namespace}/${m.name}` : m.name, reason }, 'could not record event');
    });
    this.chains.set(key, p);
    this.pending.add(p);
    void p.finally(() => {
      this.pending.delete(p);
      if (this.chains.get(key) === p) this.chains.delete(key);
    });
    return p;
  }

  /** Waits for every event recorded so far to be written. */
  async flush(): Promise<void> {
    while (this.pending.size) await Promise.all([...this.pending]);
  }

  private async write(key: string, obj: KubeObject, type: EventType, reason: string, message: string, fieldPath?: string): Promise<void> {
    const now = this.now();
    const ts = rfc3339(now);
    const prior = this.seen.get(key);
    if (prior && now.getTime() - prior.lastMs < AGGREGATE_WINDOW_MS) {
      try {
        await this.client.patch('events', prior.namespace, prior.name, 'application/merge-patch+json', { count: prior.count + 1, lastTimestamp: ts });
        prior.count++;
        prior.lastMs = now.getTime();
        this.touch(key, prior);
        return;
      } catch (err) {
        if (!isNotFound(err)) throw err;
        // The event expired or was deleted: start a new one.
      }
    }
    const m = obj.metadata ?? {};
    const namespace = m.namespace || 'default';
    const name = `${m.name ?? 'unknown'}.${(BigInt(now.getTime()) * 1_000_000n + BigInt(Math.floor(Math.random() * 1_000_000))).toString(16)}`;
    const ev: KubeObject = {
      apiVersion: 'v1',
      kind: 'Event',
      metadata: { name, namespace },
      involvedObject: {
        kind: obj.kind,
        namespace: m.namespace,
        name: m.name,
        uid: m.uid,
        apiVersion: obj.apiVersion,
        resourceVersion: m.resourceVersion,
        ...(fieldPath ? { fieldPath } : {}),
      },
      reason,
      message,
      source: this.host ? { component: this.component, host: this.host } : { component: this.component },
      firstTimestamp: ts,
      lastTimestamp: ts,
      count: 1,
      type,
      eventTime: null,
      reportingComponent: this.component,
      reportingInstance: this.host ?? '',
    };
    await this.client.create('events', ev);
    this.touch(key, { namespace, name, count: 1, firstTimestamp: ts, lastMs: now.getTime() });
  }

  private touch(key: string, s: Seen): void {
    this.seen.delete(key);
    this.seen.set(key, s);
    if (this.seen.size > MAX_CACHE) this.seen.delete(this.seen.keys().next().value!);
  }
}
