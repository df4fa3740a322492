// What a controller's sync logic sees: read-only caches (listers), a queue to requeue keys,
// an event recorder and the API client. The manager wires these to @k8ts/client's shared
// informers and work queue; unit tests hand in arrays and FakeClient.
import type { KubeObject } from '@k8ts/api';
import type { Client, Logger } from '@k8ts/client';

export interface Lister<T extends KubeObject = KubeObject> {
  get(namespace: string, name: string): T | undefined;
  /** Every cached object, or those of one namespace. */
  list(namespace?: string): T[];
}

export interface Queue {
  add(key: string): void;
  addAfter(key: string, delayMs: number): void;
  addRateLimited(key: string): void;
  forget(key: string): void;
  len(): number;
}

export type EventType = 'Normal' | 'Warning';

export interface Recorder {
  event(obj: KubeObject, type: EventType, reason: string, message: string): void;
}

export interface ControllerMetrics {
  syncs(controller: string, result: 'success' | 'error'): void;
  syncSeconds(controller: string, seconds: number): void;
}

export interface ControllerOptions {
  /** Node lease age after which a node is Unknown (ms). */
  nodeMonitorGracePeriodMs: number;
  /** How often node health is checked (ms). */
  nodeMonitorPeriodMs: number;
  /**
   * How long a node may stay unheard from after the apiserver saw its agent's stream end
   * (AgentDisconnectedAtAnnotation on its Lease) before it is Unknown, like an aged-out
   * Lease (ms; 0: the Lease's age alone decides).
   */
  nodeDisconnectGracePeriodMs: number;
  /** Evictions per second in normal mode. */
  evictionRate: number;
  /** Evictions per second when most nodes look unhealthy (partial disruption). */
  secondaryEvictionRate: number;
  /** Fraction of unhealthy nodes above which the cluster counts as partially disrupted. */
  unhealthyZoneThreshold: number;
  /** Pods a ReplicaSet creates or deletes per sync at most. */
  burstReplicas: number;
  /** PEM of --root-ca-file, published as the kube-root-ca.crt ConfigMap in every namespace. */
  rootCA?: string;
  /** The CA the csrsigning controller signs with (--cluster-signing-cert-file/--cluster-signing-key-file); without it, it signs nothing. */
  clusterSigningCertFile?: string;
  clusterSigningKeyFile?: string;
  /** --cluster-signing-duration in seconds (1 year by default). */
  clusterSigningDurationSeconds?: number;
  /** The --horizontal-pod-autoscaler-* flags (podautoscaler/controller.ts defaultHpaOptions for what is left out). */
  hpa?: Partial<import('../podautoscaler/controller.js').HpaOptions>;
  /** --allocate-node-cidrs, --cluster-cidr, --node-cidr-mask-size, --service-cluster-ip-range (nodeipam). */
  nodeIpam?: import('../nodeipam/controller.js').NodeIpamOptions;
}

export const defaultControllerOptions: ControllerOptions = {
  nodeMonitorGracePeriodMs: 4000,
  nodeMonitorPeriodMs: 250,
  nodeDisconnectGracePeriodMs: 1000,
  evictionRate: 10,
  secondaryEvictionRate: 0.01,
  unhealthyZoneThreshold: 0.55,
  burstReplicas: 500,
};

export interface ControllerContext {
  client: Client;
  recorder: Recorder;
  logger: Logger;
  options: ControllerOptions;
  now?: () => number;
}

/** A lister over a fixed array: what unit tests give a controller as its cache. */
export function staticLister<T extends KubeObject>(objs: T[]): Lister<T> & { set(objs: T[]): void } {
  let items = objs;
  return {
    get: (ns, name) => items.find((o) => (o.metadata.namespace ?? '') === ns && o.metadata.name === name),
    list: (ns) => (ns === undefined ? [...items] : items.filter((o) => (o.metadata.namespace ?? '') === ns)),
    set(o) {
      items = o;
    },
  };
}

/** A queue that records what was added: for unit tests and for syncs run directly. */
export class RecordingQueue implements Queue {
  added: string[] = [];
  after: { key: string; delayMs: number }[] = [];
  add(key: string) {
    this.added.push(key);
  }
  addAfter(key: string, delayMs: number) {
    this.after.push({ key, delayMs });
  }
  addRateLimited(key: string) {
    this.added.push(key);
  }
  forget() {}
  len() {
    return this.added.length;
  }
}

export class RecordingRecorder implements Recorder {
  events: { kind?: string; name?: string; type: EventType; reason: string; message: string }[] = [];
  event(obj: KubeObject, type: EventType, reason: string, message: string) {
    this.events.push({ kind: obj.kind, name: obj.metadata?.name, type, reason, message });
  }
}
