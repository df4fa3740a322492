// Events the scheduler records on pods (Scheduled, FailedScheduling), as core/v1 Events from
// "default-scheduler". Like client-go's broadcaster, sending is asynchronous with a bounded
// backlog: when the apiserver cannot keep up, events are dropped rather than slowing scheduling.
import { randomBytes } from 'node:crypto';
import type { KubeObject } from '@k8ts/api';
import { rfc3339 } from '@k8ts/api';
import type { Client, Logger } from '@k8ts/client';

export interface EventSink {
  event(obj: KubeObject, type: 'Normal' | 'Warning', reason: string, message: string): void;
  /** Resolves when every queued event was sent (or dropped). */
  flush(): Promise<void>;
}

export class ClientEventSink implements EventSink {
  private readonly backlog: KubeObject[] = [];
  private active = 0;
  private idle: (() => void)[] = [];
  dropped = 0;

  constructor(
    private readonly client: Client,
    private readonly component: string,
    private readonly opts: { maxQueued?: number; concurrency?: number; logger?: Logger; instance?: string } = {},
  ) {}

  event(obj: KubeObject, type: 'Normal' | 'Warning', reason: string, message: string): void {
    if (this.backlog.length >= (this.opts.maxQueued ?? 1000)) {
      this.dropped++;
      return;
    }
    const now = new Date();
    const ns = obj.metadata.namespace ?? 'default';
    this.backlog.push({
      apiVersion: 'v1',
      kind: 'Event',
      metadata: { name: `${obj.metadata.name}.${now.getTime().toString(16)}${randomBytes(2).toString('hex')}`, namespace: ns },
      involvedObject: {
        apiVersion: obj.apiVersion ?? 'v1',
        kind: obj.kind ?? 'Pod',
        namespace: ns,
        name: obj.metadata.name,
        uid: obj.metadata.uid,
        resourceVersion: obj.metadata.resourceVersion,
      },
      reason,
      message,
      type,
      source: { component: this.component },
      firstTimestamp: rfc3339(now),
      lastTimestamp: rfc3339(now),
      eventTime: null,
      count: 1,
      reportingComponent: this.component,
      reportingInstance: this.opts.instance ?? '',
    });
    this.pump();
  }

  private pump(): void {
    while (this.active < (this.opts.concurrency ?? 8) && this.backlog.length) {
      const ev = this.backlog.shift()!;
      this.active++;
      this.client
        .create('events', ev)
        .catch((e) => this.opts.logger?.debug({ err: (e as Error).message, reason: ev.reason }, 'event not recorded'))
        .finally(() => {
          this.active--;
          this.pump();
          if (this.active === 0 && this.backlog.length === 0) for (const f of this.idle.splice(0)) f();
        });
    }
  }

  flush(): Promise<void> {
    if (this.active === 0 && this.backlog.length === 0) return Promise.resolve();
    return new Promise((r) => this.idle.push(r));
  }
}
