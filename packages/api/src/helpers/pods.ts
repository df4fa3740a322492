import type { Container, Pod, PodCondition } from 'kubernetes-types/core/v1';
import { cpuMillis, quantityValue } from '../quantity.js';
import { getCondition } from './conditions.js';

/** podutil.GetPodReadyCondition. */
export function podReadyCondition(pod: Pod): PodCondition | undefined {
  return getCondition(pod.status?.conditions, 'Ready');
}

/** podutil.IsPodReady: the Ready condition is True. */
export function isPodReady(pod: Pod): boolean {
  return podReadyCondition(pod)?.status === 'True';
}

/** Restarts of the pod's containers, summed (what `kubectl get pods` shows as RESTARTS). */
export function podRestarts(pod: Pod): number {
  let n = 0;
  for (const s of pod.status?.containerStatuses ?? []) n += s.restartCount ?? 0;
  return n;
}

/** Deleted but not gone yet (graceful termination running). */
export function isPodTerminating(pod: Pod): boolean {
  return Boolean(pod.metadata?.deletionTimestamp);
}

/** Succeeded or Failed: containers will not run again. */
export function isPodTerminal(pod: Pod): boolean {
  const p = pod.status?.phase;
  return p === 'Succeeded' || p === 'Failed';
}

/** controller.IsPodActive: counts toward a ReplicaSet's or Job's replicas. */
export function isPodActive(pod: Pod): boolean {
  return !isPodTerminal(pod) && !isPodTerminating(pod);
}

/** Ready for at least minReadySeconds (podutil.IsPodAvailable). */
export function isPodAvailable(pod: Pod, minReadySeconds: number, nowMs: number = Date.now()): boolean {
  const c = podReadyCondition(pod);
  if (c?.status !== 'True') return false;
  if (minReadySeconds <= 0) return true;
  const t = c.lastTransitionTime ? Date.parse(c.lastTransitionTime) : NaN;
  return !Number.isNaN(t) && t + minReadySeconds * 1000 <= nowMs;
}

export interface PodResources {
  cpuMillis: number;
  memoryBytes: number;
}

function containerRequests(c: Container, nonZero: boolean): PodResources {
  // Defaulting copies limits into unset requests; read limits too so undefaulted pods agree.
  const req = c.resources?.requests ?? {};
  const lim = c.resources?.limits ?? {};
  let cpu = cpuMillis((req.cpu ?? lim.cpu) as string | undefined);
  let mem = quantityValue((req.memory ?? lim.memory) as string | undefined);
  // The scheduler's scoring counts a container without requests as 100m / 200Mi.
  if (nonZero) {
    if (req.cpu === undefined && lim.cpu === undefined) cpu = 100;
    if (req.memory === undefined && lim.memory === undefined) mem = 200 * 1024 * 1024;
  }
  return { cpuMillis: cpu, memoryBytes: mem };
}

function add(a: PodResources, b: PodResources): PodResources {
  return { cpuMillis: a.cpuMillis + b.cpuMillis, memoryBytes: a.memoryBytes + b.memoryBytes };
}
function max(a: PodResources, b: PodResources): PodResources {
  return { cpuMillis: Math.max(a.cpuMillis, b.cpuMillis), memoryBytes: Math.max(a.memoryBytes, b.memoryBytes) };
}

/**
 * resourcehelper.PodRequests: the sum of the app containers' requests, or the largest init
 * container's if larger (init containers run one at a time, before the app containers).
 * Sidecars (init containers with restartPolicy Always) keep running, so they add to
 * everything after them. Pod overhead is added. `nonZero` applies the scheduler's defaults
 * for containers without requests (used for scoring, not for fit).
 */
export function podRequests(pod: Pod, opts: { nonZero?: boolean } = {}): PodResources {
  const nonZero = opts.nonZero ?? false;
  let apps: PodResources = { cpuMillis: 0, memoryBytes: 0 };
  for (const c of pod.spec?.containers ?? []) apps = add(apps, containerRequests(c, nonZero));
  let sidecars: PodResources = { cpuMillis: 0, memoryBytes: 0 };
  let initMax: PodResources = { cpuMillis: 0, memoryBytes: 0 };
  for (const c of pod.spec?.initContainers ?? []) {
    const r = containerRequests(c, nonZero);
    if ((c as { restartPolicy?: string }).restartPolicy === 'Always') {
      sidecars = add(sidecars, r);
      initMax = max(initMax, sidecars);
    } else {
      initMax = max(initMax, add(r, sidecars));
    }
  }
  let total = max(add(apps, sidecars), initMax);
  const overhead = pod.spec?.overhead;
  if (overhead) total = add(total, { cpuMillis: cpuMillis(overhead.cpu as string), memoryBytes: quantityValue(overhead.memory as string) });
  return total;
}

/** Host ports the pod's containers claim, as `protocol/hostIP/port` triples. */
export function podHostPorts(pod: Pod): { protocol: string; hostIP: string; hostPort: number }[] {
  const out: { protocol: string; hostIP: string; hostPort: number }[] = [];
  for (const c of [...(pod.spec?.initContainers ?? []), ...(pod.spec?.containers ?? [])])
    for (const p of c.ports ?? [])
      if (p.hostPort) out.push({ protocol: p.protocol ?? 'TCP', hostIP: p.hostIP ?? '0.0.0.0', hostPort: p.hostPort });
  return out;
}
