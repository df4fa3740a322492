// What one sync of a pod must do, decided without side effects (kubelet's computePodActions
// in kuberuntime_manager.go): from the pod (desired), the containers the runtime shows with
// what inspect said of them (observed), probe verdicts and crash-loop back-offs, it returns
// the actions in the order they are to be taken. `pod-sync.ts` carries them out.
import type { Container, Pod } from '@k8ts/api';
import { SANDBOX_NAME, type ContainerKind } from '../runtime/labels.js';

/** One container instance of the pod, with what inspect said of it. */
export interface InstanceState {
  id: string;
  kind: ContainerKind;
  name: string;
  restartCount: number;
  running: boolean;
  sandboxId: string; // init and app containers: the sandbox they joined
  createdMs: number;
  /** Undefined when inspect could not tell (the container vanished meanwhile). */
  exitCode?: number;
  error?: string; // the runtime could not start it
  finishedAtMs?: number;
}

export interface PodObservation {
  containers: InstanceState[];
  /** Running containers a liveness or startup probe declared failed, by container id. */
  unhealthy: ReadonlyMap<string, { probe: 'liveness' | 'startup'; message: string }>;
  /** The crash-loop back-off of a container (by name) that finished at `sinceMs`, if it is in one at `now`. */
  backoff(name: string, sinceMs: number, now: number): { delayMs: number; remainingMs: number } | undefined;
  /** The pod cache has listed: only then may containers of unknown pods go. */
  synced: boolean;
}

export type KillReason = 'SandboxGone' | 'StaleSandbox' | 'LivenessFailed' | 'StartupFailed';

export type PodAction =
  /** deleted: graceful deletion; orphaned: the pod is gone from the API; finished: Succeeded/Failed. */
  | { type: 'killPod'; why: 'deleted' | 'orphaned' | 'finished' }
  | { type: 'killContainer'; id: string; name: string; graceSeconds: number; reason: KillReason; message: string }
  | { type: 'removeContainer'; id: string; name: string }
  | { type: 'createSandbox'; attempt: number }
  /** `backoffFrom`: a restart; one more failure is counted from this finish time. */
  | { type: 'startContainer'; kind: 'init' | 'app' | 'ephemeral'; name: string; restartCount: number; backoffFrom?: number }
  /** Waits in CrashLoopBackOff; sync again after `remainingMs`. */
  | { type: 'backOff'; kind: 'init' | 'app'; name: string; delayMs: number; remainingMs: number };

export interface PodActions {
  actions: PodAction[];
  /** The running sandbox the containers join (absent: none, or one is to be created). */
  sandboxId?: string;
  /** True when the pod has a sandbox (kept or to be created) and so needs its volumes. */
  needsSandbox: boolean;
}

const newestFirst = (a: InstanceState, b: InstanceState) => b.restartCount - a.restartCount;

function instancesOf(cs: InstanceState[], kind: ContainerKind, name: string): InstanceState[] {
  return cs.filter((c) => c.kind === kind && c.name === name).sort(newestFirst);
}

/** Created but never started (an agent stopped between the two): replaced, not restarted. */
function neverStarted(i: InstanceState): boolean {
  return !i.running && i.finishedAtMs === undefined && !i.error;
}

// Under the crash-loop back-off too, counted from its creation (full precision), so a start
// that keeps failing this way cannot spin.
function replace(kind: 'init' | 'app', i: InstanceState, obs: PodObservation, now: number): PodAction[] {
  const b = obs.backoff(i.name, i.createdMs, now);
  if (b) return [{ type: 'backOff', kind, name: i.name, ...b }];
  return [
    { type: 'removeContainer', id: i.id, name: i.name },
    { type: 'startContainer', kind, name: i.name, restartCount: i.restartCount, backoffFrom: i.createdMs },
  ];
}

function finishedAt(i: InstanceState): number {
  return i.finishedAtMs ?? i.createdMs;
}

/** True when no app container would start again (restartPolicy and exit codes). */
export function podFinished(pod: Pod, cs: InstanceState[]): boolean {
  const policy = pod.spec?.restartPolicy ?? 'Always';
  if (policy === 'Always') return false;
  const specs = pod.spec?.containers ?? [];
  for (const c of specs) {
    const latest = instancesOf(cs, 'app', c.name)[0];
    if (!latest || latest.running || neverStarted(latest)) return false;
    if (policy === 'OnFailure' && (latest.exitCode ?? 1) !== 0) return false;
  }
  return specs.length > 0;
}

function killPodActions(pod: Pod | undefined, obs: PodObservation): PodAction[] | undefined {
  if (!pod) return obs.synced ? [{ type: 'killPod', why: 'orphaned' }] : [];
  if (pod.metadata?.deletionTimestamp) return [{ type: 'killPod', why: 'deleted' }];
  const phase = pod.status?.phase;
  if (phase === 'Succeeded' || phase === 'Failed') return obs.containers.some((c) => c.running) ? [{ type: 'killPod', why: 'finished' }] : [];
  return undefined;
}

/** Restart (with back-off) or start a container whose newest instance is not running. */
function startOrBackOff(kind: 'init' | 'app', c: Container, latest: InstanceState | undefined, prior: InstanceState | undefined, obs: PodObservation, now: number): PodAction {
  if (!latest) return { type: 'startContainer', kind, name: c.name, restartCount: prior ? prior.restartCount + 1 : 0 };
  const since = finishedAt(latest);
  const b = obs.backoff(c.name, since, now);
  if (b) return { type: 'backOff', kind, name: c.name, ...b };
  return { type: 'startContainer', kind, name: c.name, restartCount: latest.restartCount + 1, backoffFrom: since };
}

/** Init containers run one at a time, in order, each to completion. Returns whether all are done. */
function initActions(pod: Pod, current: InstanceState[], all: InstanceState[], obs: PodObservation, now: number, out: PodAction[]): boolean {
  const policy = pod.spec?.restartPolicy ?? 'Always';
  for (const ic of pod.spec?.initContainers ?? []) {
    const latest = instancesOf(current, 'init', ic.name)[0];
    if (latest && !latest.running && latest.exitCode === 0 && !latest.error && !neverStarted(latest)) continue;
    if (latest?.running) return false;
    if (latest && neverStarted(latest)) {
      out.push(...replace('init', latest, obs, now));
      return false;
    }
    // A failed init container fails a Never pod; otherwise it is retried with back-off.
    if (latest && policy === 'Never') return false;
    out.push(startOrBackOff('init', ic, latest, instancesOf(all, 'init', ic.name)[0], obs, now));
    return false;
  }
  return true;
}

function appActions(pod: Pod, current: InstanceState[], all: InstanceState[], obs: PodObservation, now: number, out: PodAction[]): void {
  const policy = pod.spec?.restartPolicy ?? 'Always';
  const grace = pod.spec?.terminationGracePeriodSeconds ?? 30;
  const removals: PodAction[] = [];
  for (const c of pod.spec?.containers ?? []) {
    const insts = instancesOf(current, 'app', c.name);
    const latest = insts[0];
    if (latest?.running) {
      const bad = obs.unhealthy.get(latest.id);
      if (bad) {
        const reason = bad.probe === 'liveness' ? 'LivenessFailed' : 'StartupFailed';
        out.push({ type: 'killContainer', id: latest.id, name: c.name, graceSeconds: grace, reason, message: `Container ${c.name} failed ${bad.probe} probe, will be restarted` });
      }
      continue;
    }
    if (latest && neverStarted(latest)) {
      out.push(...replace('app', latest, obs, now));
      continue;
    }
    if (latest) {
      const exit = latest.error ? 128 : (latest.exitCode ?? 0);
      if (!(policy === 'Always' || (policy === 'OnFailure' && exit !== 0))) continue;
    }
    const a = startOrBackOff('app', c, latest, instancesOf(all, 'app', c.name)[0], obs, now);
    out.push(a);
    // Keep the newest dead instance for `logs --previous`; older ones go.
    if (a.type === 'startContainer' && latest) for (const old of insts.slice(1)) removals.push({ type: 'removeContainer', id: old.id, name: old.name });
  }
  out.push(...removals);
}

/**
 * Ephemeral containers start once, whether or not the init containers are done, and are
 * never restarted: not when they exit, not in a new sandbox (kubelet's computePodActions).
 */
function ephemeralActions(pod: Pod, all: InstanceState[], out: PodAction[]): void {
  for (const ec of pod.spec?.ephemeralContainers ?? []) {
    if (!all.some((c) => c.kind === 'ephemeral' && c.name === ec.name)) out.push({ type: 'startContainer', kind: 'ephemeral', name: ec.name, restartCount: 0 });
  }
}

/**
 * The actions one sync takes for a pod (undefined: gone from the API) given what runs now.
 * Pure: the same inputs give the same actions.
 */
export function computePodActions(pod: Pod | undefined, obs: PodObservation, now: number = Date.now()): PodActions {
  const kill = killPodActions(pod, obs);
  if (kill || !pod) return { actions: kill ?? [], needsSandbox: false };
  const all = obs.containers;
  const actions: PodAction[] = [];
  const sandboxes = all.filter((c) => c.kind === 'sandbox').sort(newestFirst);
  const sandbox = sandboxes.find((c) => c.running);
  const sandboxId = sandbox?.id;
  if (!sandbox) {
    // Containers of a dead sandbox lost their network: they stop; new ones follow.
    for (const c of all) if (c.kind !== 'sandbox' && c.running) actions.push({ type: 'killContainer', id: c.id, name: c.name, graceSeconds: 0, reason: 'SandboxGone', message: 'pod sandbox is gone' });
    for (const s of sandboxes) actions.push({ type: 'removeContainer', id: s.id, name: SANDBOX_NAME });
    if (podFinished(pod, all)) return { actions, needsSandbox: false };
    actions.push({ type: 'createSandbox', attempt: sandboxes.length ? sandboxes[0].restartCount + 1 : 0 });
  }
  // Containers of the current sandbox; those of earlier ones are history (restart counts,
  // `logs --previous`) and are stopped.
  const current = all.filter((c) => c.kind !== 'sandbox' && sandboxId !== undefined && c.sandboxId === sandboxId);
  if (sandboxId) for (const c of all) if (c.kind !== 'sandbox' && c.sandboxId !== sandboxId && c.running) actions.push({ type: 'killContainer', id: c.id, name: c.name, graceSeconds: 0, reason: 'StaleSandbox', message: 'container of an earlier pod sandbox' });
  if (initActions(pod, current, all, obs, now, actions)) appActions(pod, current, all, obs, now, actions);
  if (sandboxId) ephemeralActions(pod, all, actions);
  return { actions, sandboxId, needsSandbox: true };
}
