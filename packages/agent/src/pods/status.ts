// The pod status the agent reports, computed from what Docker shows and what the agent
// remembers (waiting reasons, probe results). Pure: same inputs, same status, so the sync
// loop writes only when something changed.
import type { Container, ContainerState, ContainerStatus, Pod, PodCondition, PodStatus } from '@k8ts/api';

/** One instance of a container (one Docker container), newest first in `instances`. */
export interface InstanceView {
  id: string;
  restartCount: number;
  running: boolean;
  startedAt?: string;
  finishedAt?: string;
  exitCode: number;
  oomKilled: boolean;
  error: string;
  imageId: string;
  created: boolean; // false: state unknown (created but never started)
}

export interface ContainerView {
  instances: InstanceView[]; // newest first
  waiting?: { reason: string; message?: string }; // overrides the newest instance's state
  ready?: boolean; // readiness probe (true when it has none)
  started?: boolean; // startup probe passed (true when it has none)
}

export interface StatusInputs {
  pod: Pod;
  init: Map<string, ContainerView>;
  app: Map<string, ContainerView>;
  ephemeral?: Map<string, ContainerView>;
  podIP?: string;
  hostIP: string;
  startTime?: string;
  now: string; // RFC 3339, for conditions that change
  sandboxMessage?: string; // why the sandbox is not there
}

export function terminatedReason(i: InstanceView): string {
  if (i.oomKilled) return 'OOMKilled';
  if (i.error) return 'StartError';
  return i.exitCode === 0 ? 'Completed' : 'Error';
}

function terminated(i: InstanceView): ContainerState {
  return {
    terminated: {
      exitCode: i.error && i.exitCode === 0 ? 128 : i.exitCode,
      reason: terminatedReason(i),
      ...(i.error ? { message: i.error } : {}),
      startedAt: i.startedAt ?? i.finishedAt,
      finishedAt: i.finishedAt,
      containerID: `docker://${i.id}`,
    },
  };
}

function imageRef(c: Container, i?: InstanceView): { image: string; imageID: string } {
  return { image: c.image ?? '', imageID: i?.imageId ? `docker://${i.imageId}` : '' };
}

export function containerStatus(c: Container, v: ContainerView | undefined, defaultWaiting: string): ContainerStatus {
  const latest = v?.instances[0];
  const restartCount = latest?.restartCount ?? 0;
  let state: ContainerState;
  let lastState: ContainerState = {};
  const doneInstances = (v?.instances ?? []).filter((i) => !i.running && i.finishedAt);
  if (v?.waiting && !latest?.running) {
    state = { waiting: { reason: v.waiting.reason, ...(v.waiting.message ? { message: v.waiting.message } : {}) } };
    if (doneInstances[0]) lastState = terminated(doneInstances[0]);
  } else if (latest?.running) {
    state = { running: { startedAt: latest.startedAt } };
    if (doneInstances[0]) lastState = terminated(doneInstances[0]);
  } else if (latest && latest.finishedAt) {
    state = terminated(latest);
    if (doneInstances[1]) lastState = terminated(doneInstances[1]);
  } else {
    state = { waiting: { reason: defaultWaiting } };
  }
  const running = !!latest?.running && !v?.waiting;
  const started = running && v?.started !== false;
  return {
    name: c.name,
    state,
    lastState,
    ready: running && started && v?.ready !== false,
    restartCount,
    ...imageRef(c, latest),
    ...(latest ? { containerID: `docker://${latest.id}` } : {}),
    started,
  };
}

/** Kubernetes' getPhase over the app containers. */
export function podPhase(pod: Pod, init: ContainerStatus[], app: ContainerStatus[]): PodStatus['phase'] {
  const prev = pod.status?.phase;
  if (prev === 'Succeeded' || prev === 'Failed') return prev;
  const policy = pod.spec?.restartPolicy ?? 'Always';
  // An init container that failed for good fails the pod.
  for (const s of init) {
    const t = s.state?.terminated;
    if (t && t.exitCode !== 0 && policy === 'Never') return 'Failed';
  }
  if (!initDone(init)) return 'Pending';
  let running = 0;
  let waiting = 0;
  let stopped = 0;
  let succeeded = 0;
  for (const s of app) {
    if (s.state?.running) running++;
    else if (s.state?.terminated) {
      stopped++;
      if (s.state.terminated.exitCode === 0) succeeded++;
    } else if (s.state?.waiting) {
      if (s.lastState?.terminated) stopped++;
      else waiting++;
    }
  }
  if (waiting > 0) return 'Pending';
  if (running > 0) return 'Running';
  if (stopped > 0) {
    if (policy === 'Always') return 'Running';
    if (stopped === succeeded) return 'Succeeded';
    if (policy === 'Never') return 'Failed';
    return 'Running';
  }
  return 'Pending';
}

function initDone(init: ContainerStatus[]): boolean {
  return init.every((s) => s.state?.terminated?.exitCode === 0);
}

function condition(prev: PodCondition[] | undefined, type: string, ok: boolean, now: string, reason?: string, message?: string): PodCondition {
  const old = prev?.find((c) => c.type === type);
  const status = ok ? 'True' : 'False';
  return {
    type,
    status,
    lastProbeTime: null as unknown as string,
    lastTransitionTime: old && old.status === status && old.lastTransitionTime ? old.lastTransitionTime : now,
    ...(!ok && reason ? { reason } : {}),
    ...(!ok && message ? { message } : {}),
  };
}

export function computePodStatus(inp: StatusInputs): PodStatus {
  const { pod } = inp;
  const spec = pod.spec ?? { containers: [] };
  const initSpecs = spec.initContainers ?? [];
  const initStatuses = initSpecs.map((c) => containerStatus(c, inp.init.get(c.name), 'PodInitializing'));
  const initialized = initDone(initStatuses);
  const appWaiting = initialized ? 'ContainerCreating' : 'PodInitializing';
  const appStatuses = spec.containers.map((c) => {
    const s = containerStatus(c, inp.app.get(c.name), appWaiting);
    if (inp.sandboxMessage && s.state?.waiting?.reason === 'ContainerCreating') s.state.waiting.message = inp.sandboxMessage;
    return s;
  });
  const phase = podPhase(pod, initStatuses, appStatuses);
  const terminal = phase === 'Succeeded' || phase === 'Failed';
  if (terminal) for (const s of appStatuses) s.ready = false;
  const prev = pod.status?.conditions;
  const notReady = appStatuses.filter((s) => !s.ready).map((s) => s.name);
  const incomplete = initStatuses.filter((s) => s.state?.terminated?.exitCode !== 0).map((s) => s.name);
  const containersReady = notReady.length === 0;
  const readyReason = terminal ? 'PodCompleted' : 'ContainersNotReady';
  const readyMessage = terminal ? undefined : `containers with unready status: [${notReady.join(' ')}]`;
  const conditions: PodCondition[] = [
    condition(prev, 'PodReadyToStartContainers', !!inp.podIP || terminal, inp.now),
    condition(prev, 'Initialized', initialized, inp.now, 'ContainersNotInitialized', `containers with incomplete status: [${incomplete.join(' ')}]`),
    condition(prev, 'Ready', containersReady && !terminal, inp.now, readyReason, readyMessage),
    condition(prev, 'ContainersReady', containersReady && !terminal, inp.now, readyReason, readyMessage),
    condition(prev, 'PodScheduled', true, inp.now),
  ];
  // Conditions other components own (DisruptionTarget, readiness gates) stay as they are.
  const ours = new Set(conditions.map((c) => c.type));
  for (const c of prev ?? []) if (!ours.has(c.type)) conditions.push(c);
  const status: PodStatus = {
    phase,
    conditions,
    hostIP: inp.hostIP,
    hostIPs: [{ ip: inp.hostIP }],
    ...(inp.podIP ? { podIP: inp.podIP, podIPs: [{ ip: inp.podIP }] } : {}),
    ...(inp.startTime ? { startTime: inp.startTime } : {}),
    ...(initSpecs.length ? { initContainerStatuses: initStatuses } : {}),
    containerStatuses: appStatuses,
    qosClass: qosClass(pod),
  };
  // Ephemeral containers count for nothing of the pod's phase or readiness; never ready.
  const ephemeralSpecs = (spec.ephemeralContainers ?? []) as Container[];
  if (ephemeralSpecs.length) status.ephemeralContainerStatuses = ephemeralSpecs.map((c) => ({ ...containerStatus(c, inp.ephemeral?.get(c.name), 'ContainerCreating'), ready: false }));
  if (pod.status?.nominatedNodeName) status.nominatedNodeName = pod.status.nominatedNodeName;
  return status;
}

/** Guaranteed when every container has equal cpu and memory limits and requests, BestEffort when none has any. */
export function qosClass(pod: Pod): 'Guaranteed' | 'Burstable' | 'BestEffort' {
  const cs = [...(pod.spec?.initContainers ?? []), ...(pod.spec?.containers ?? [])];
  let any = false;
  let guaranteed = true;
  for (const c of cs) {
    const l = c.resources?.limits ?? {};
    const r = c.resources?.requests ?? {};
    if (Object.keys(l).length || Object.keys(r).length) any = true;
    for (const k of ['cpu', 'memory']) {
      if (l[k] === undefined || (r[k] !== undefined && String(r[k]) !== String(l[k]))) guaranteed = false;
    }
  }
  if (!any) return 'BestEffort';
  return guaranteed ? 'Guaranteed' : 'Burstable';
}

/** Stable comparison of two statuses (the API may reorder keys). */
export function sameStatus(a: unknown, b: unknown): boolean {
  return canonical(a) === canonical(b);
}

function canonical(v: unknown): string {
  return JSON.stringify(v, (_k, val) => {
    if (val && typeof val === 'object' && !Array.isArray(val)) {
      return Object.fromEntries(Object.entries(val).filter(([, x]) => x !== undefined).sort(([x], [y]) => (x < y ? -1 : 1)));
    }
    return val;
  });
}
