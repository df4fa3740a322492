// Kubernetes Events about pods, written best-effort: an event that cannot be written is
// dropped, never retried in the sync path.
import { rfc3339, type Pod } from '@k8ts/api';
import type { Client, Logger } from '@k8ts/client';

let seq = 0;

export class EventRecorder {
  constructor(
    private readonly client: Client,
    private readonly nodeName: string,
    private readonly log?: Logger,
  ) {}

  pod(pod: Pod, type: 'Normal' | 'Warning', reason: string, message: string, fieldPath?: string): void {
    const m = pod.metadata ?? {};
    const now = rfc3339();
    const ev = {
      apiVersion: 'v1',
      kind: 'Event',
      // named as the kubelet names them: <object>.<unix nanos in hex>
      metadata: { name: `${m.name}.${(BigInt(Date.now()) * 1_000_000n + BigInt(++seq % 1_000_000)).toString(16)}`, namespace: m.namespace ?? 'default' },
      involvedObject: { apiVersion: 'v1', kind: 'Pod', name: m.name, namespace: m.namespace, uid: m.uid, ...(fieldPath ? { fieldPath } : {}) },
      reason,
      message,
      type,
      source: { component: 'kubelet', host: this.nodeName },
      reportingComponent: 'kubelet',
      reportingInstance: this.nodeName,
      firstTimestamp: now,
      lastTimestamp: now,
      count: 1,
    };
    this.client.create('events', ev as never).catch((e) => this.log?.debug({ err: (e as Error).message, reason }, 'event not recorded'));
  }
}
