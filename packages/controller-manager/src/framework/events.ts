// Events as kubectl describe and get events show them (core/v1 Event, source.component set
// to the controller). Repeats of the same reason and message on the same object within ten
// minutes bump count and lastTimestamp of one Event, as client-go's correlator does.
// Writes are fire-and-forget: a failed event never fails a sync.
import type { KubeObject } from '@k8ts/api';
import type { Client, Logger } from '@k8ts/client';
import { findResource, apiVersionOf } from '@k8ts/api';
import { randomBytes } from 'node:crypto';
import type { EventType, Recorder } from './types.js';
import { rfc3339 } from '../util/time.js';

const AGGREGATE_MS = 10 * 60 * 1000;
const MAX_CACHE = 4096;

interface Seen {
  name: string;
  namespace: string;
  count: number;
  at: number;
  firstTimestamp: string;
}

export class ApiEventRecorder implements Recorder {
  private readonly seen = new Map<string, Seen>();
  constructor(
    private readonly client: Client,
    private readonly component: string,
    private readonly host: string,
    private readonly logger?: Logger,
  ) {}

  event(obj: KubeObject, type: EventType, reason: string, message: string): void {
    void this.write(obj, type, reason, message).catch((e) => this.logger?.debug({ err: String(e), reason }, 'event not recorded'));
  }

  private async write(obj: KubeObject, type: EventType, reason: string, message: string): Promise<void> {
    const namespace = obj.metadata.namespace || 'default';
    const info = obj.kind ? findResource(obj.kind) : undefined;
    const involvedObject = {
      kind: obj.kind ?? info?.kind,
      namespace: obj.metadata.namespace,
      name: obj.metadata.name,
      uid: obj.metadata.uid,
      apiVersion: obj.apiVersion ?? (info ? apiVersionOf(info) : undefined),
      resourceVersion: obj.metadata.resourceVersion,
    };
    const key = `${involvedObject.uid}|${type}|${reason}|${message}`;
    const now = Date.now();
    const prev = this.seen.get(key);
    if (prev && now - prev.at < AGGREGATE_MS) {
      prev.count++;
      prev.at = now;
      try {
        await this.client.patch('events', prev.namespace, prev.name, 'application/merge-patch+json', { count: prev.count, lastTimestamp: rfc3339(now) });
        return;
      } catch {
        this.seen.delete(key); // gone (TTL, namespace deleted): write a fresh one
      }
    }
    const name = `${obj.metadata.name}.${randomBytes(8).toString('hex')}`;
    const ts = rfc3339(now);
    await this.client.create('events', {
      apiVersion: 'v1',
      kind: 'Event',
      metadata: { name, namespace },
      involvedObject,
      reason,
      message,
      type,
      source: { component: this.component, host: this.host },
      reportingComponent: this.component,
      reportingInstance: this.host,
      firstTimestamp: ts,
      lastTimestamp: ts,
      eventTime: null,
      count: 1,
      action: reason,
    } as KubeObject);
    if (this.seen.size >= MAX_CACHE) this.seen.delete(this.seen.keys().next().value!);
    this.seen.set(key, { name, namespace, count: 1, at: now, firstTimestamp: ts });
  }
}
