// A pod waiting in (or taken from) the scheduling queue, with its scheduling history.
import type { Pod } from '@k8ts/api';

export interface QueuedPodInfo {
  key: string;
  pod: Pod;
  /** Order of arrival: the last tie-break in the active queue. */
  seq: number;
  /** When the pod first entered the queue (ms): the start of its end-to-end latency. */
  firstSeen: number;
  /** When the last attempt started (ms): backoff counts from here. */
  lastAttempt: number;
  attempts: number;
  /** Plugins that rejected the pod last time: only events they care about retry it. */
  unschedulablePlugins: Set<string>;
  /** When it may leave the backoff queue (ms). */
  backoffExpiry: number;
  /** When it entered the unschedulable set (ms). */
  unschedulableSince: number;
  /** spec.priority and creationTimestamp (ms), read once per pod version for the heap order. */
  priority: number;
  created: number;
}

/** Sets the pod (a new version of it) and the sort keys derived from it. */
export function setPod(q: QueuedPodInfo, pod: Pod): void {
  q.pod = pod;
  q.priority = priorityOf(pod);
  q.created = createdAt(pod);
}

function priorityOf(pod: Pod): number {
  return pod.spec?.priority ?? 0;
}

function createdAt(pod: Pod): number {
  const t = pod.metadata?.creationTimestamp;
  const ms = t ? Date.parse(t) : NaN;
  return Number.isNaN(ms) ? 0 : ms;
}

/** PrioritySort: higher priority first, then older pods, then arrival order. */
export function activeQLess(a: QueuedPodInfo, b: QueuedPodInfo): boolean {
  if (a.priority !== b.priority) return a.priority > b.priority;
  if (a.created !== b.created) return a.created < b.created;
  return a.seq < b.seq;
}
