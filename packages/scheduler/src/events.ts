// Events the scheduler records on pods (Scheduled, FailedScheduling), as core/v1 Events from
// "default-scheduler", through @k8ts/client's EventRecorder (repeats fold into one Event).
// Like client-go's broadcaster, sending is asynchronous with a bounded backlog (1000) written by
// one sender at a time: events never take more than one request's share of the apiserver from
// binding, and when the apiserver cannot keep up they are dropped rather than slowing
// scheduling down (watch.DropIfChannelFull).
import type { KubeObject } from '@k8ts/api';
import { EventRecorder, type Client, type Logger } from '@k8ts/client';

export interface EventSink {
  event(obj: KubeObject, type: 'Normal' | 'Warning', reason: string, message: string): void;
  /** Resolves when every queued event was sent (or dropped), or after timeoutMs. */
  flush(timeoutMs?: number): Promise<void>;
}

export class ClientEventSink implements EventSink {
  private readonly recorder: EventRecorder;
  private readonly backlog: [KubeObject, 'Normal' | 'Warning', string, string][] = [];
  private active = 0;
  private idle: (() => void)[] = [];
  dropped = 0;

  constructor(
    client: Client,
    component: string,
    private readonly opts: { maxQueued?: number; concurrency?: number; logger?: Logger; instance?: string } = {},
  ) {
    this.recorder = new EventRecorder(client, component, opts.instance, { logger: opts.logger });
  }

  event(obj: KubeObject, type: 'Normal' | 'Warning', reason: string, message: string): void {
    if (this.backlog.length >= (this.opts.maxQueued ?? 1000)) {
      this.dropped++;
      return;
    }
    this.backlog.push([obj, type, reason, message]);
    this.pump();
  }

  private pump(): void {
    while (this.active < (this.opts.concurrency ?? 1) && this.backlog.length) {
      const [obj, type, reason, message] = this.backlog.shift()!;
      this.active++;
      void this.recorder.event(obj, type, reason, message).finally(() => {
        this.active--;
        this.pump();
        if (this.active === 0 && this.backlog.length === 0) for (const f of this.idle.splice(0)) f();
      });
    }
  }

  flush(timeoutMs?: number): Promise<void> {
    if (this.active === 0 && this.backlog.length === 0) return Promise.resolve();
    return new Promise((r) => {
      this.idle.push(r);
      if (timeoutMs === undefined) return;
      // On shutdown, what is still queued is given up (as the broadcaster's queue dies with the process).
      setTimeout(() => {
        this.dropped += this.backlog.splice(0).length;
        r();
      }, timeoutMs).unref();
    });
  }
}
