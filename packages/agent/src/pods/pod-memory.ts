// What the sync loop keeps per pod between syncs, and what its parts share. None of it is
// needed to run a pod safely: an agent that restarts rebuilds it from the runtime (restart
// counts from labels) and the API (readiness), at the price of waiting reasons and back-offs.
import type { Pod } from '@k8ts/api';
import type { Client, Logger } from '@k8ts/client';
import type { ContainerRuntime } from '../runtime/container-runtime.js';
import type { ObjectLookup } from '../runtime/config-error.js';
import type { PreparedVolume } from '../runtime/volumes.js';
import type { Backoff } from './backoff.js';
import type { EventRecorder } from './events.js';
import type { ProbeWorker } from './probes.js';

export interface PodMemory {
  waiting: Map<string, { reason: string; message?: string }>; // by container name
  ready: Map<string, boolean>; // by container id
  started: Map<string, boolean>; // by container id
  /** Running containers a liveness or startup probe failed, by id, until they are gone. */
  unhealthy: Map<string, { probe: 'liveness' | 'startup'; message: string }>;
  probes: Map<string, ProbeWorker>; // `${containerId}/${kind}`
  admittedAt: number; // when this agent first synced the pod: probe ticks count from here
  volumes?: Map<string, PreparedVolume>;
  startTime?: string;
  lastStatus?: unknown;
  sandboxMessage?: string;
  pod?: Pod; // last known desired state, for cleanup after the object is gone
}

export function newPodMemory(now = Date.now()): PodMemory {
  return { waiting: new Map(), ready: new Map(), started: new Map(), unhealthy: new Map(), probes: new Map(), admittedAt: now };
}

/** What the parts of one pod's sync share: the API, the runtime, back-offs, the queue. */
export interface SyncDeps {
  client: Client;
  runtime: ContainerRuntime;
  nodeName: string;
  hostIP: () => string;
  stateDir: string;
  log: Logger;
  events: EventRecorder;
  lookup: ObjectLookup;
  /** Crash-loop back-off, by `${uid}/${container}` (and `/volumes`, `/config`, `/create`, POD). */
  backoff: Backoff;
  /** Image pull back-off, by `${uid}/${container}/pull`. */
  pullBackoff: Backoff;
  pullFailedAt: Map<string, number>;
  /** Asks for a sync of the pod now or after `delayMs`. */
  enqueue(uid: string, delayMs?: number): void;
  /** The pod as the cache holds it now. */
  podOf(uid: string): Pod | undefined;
  /** Drops what is kept of a pod whose containers were all removed. */
  forget(uid: string): void;
}

export function gracePeriodOf(pod: Pod): number {
  return pod.metadata?.deletionGracePeriodSeconds ?? pod.spec?.terminationGracePeriodSeconds ?? 30;
}
