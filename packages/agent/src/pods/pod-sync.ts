// One sync of one pod: observe (runtime list + inspect, probe verdicts, back-offs), plan
// (computePodActions, pure), act (this file, through the runtime), then probes and status.
// A sync reads everything again, so it is safe to stop at any point and run again.
import { rfc3339, type Container, type Pod } from '@k8ts/api';
import type { ObservedContainer } from '../runtime/container-runtime.js';
import { ConfigError, VolumeMountError } from '../runtime/config-error.js';
import { prepareVolumes } from '../runtime/volumes.js';
import { applyFsGroup } from '../runtime/fs-group.js';
import { SANDBOX_NAME } from '../runtime/labels.js';
import { ensureImage } from '../runtime/images.js';
import { formatDuration } from './backoff.js';
import { computePodActions, type InstanceState, type PodAction, type PodObservation } from './pod-actions.js';
import { newPodMemory, type PodMemory, type SyncDeps } from './pod-memory.js';
import { startContainer } from './container-start.js';
import { ensureProbes } from './probe-manager.js';
import { writeStatus } from './pod-status-writer.js';
import { removeOrphan, stopFinished, terminate } from './pod-termination.js';

/** The runtime's containers of one pod with what inspect says of each. */
export async function observePod(deps: SyncDeps, uid: string, observed: ObservedContainer[], mem: PodMemory | undefined, synced: boolean): Promise<PodObservation> {
  const containers: InstanceState[] = [];
  for (const o of observed) {
    // How a container ended matters only once it has.
    const d = o.running ? undefined : await deps.runtime.inspect(o);
    containers.push({
      id: o.id,
      kind: o.kind,
      name: o.name,
      restartCount: o.restartCount,
      running: o.running,
      sandboxId: o.sandboxId,
      createdMs: d?.createdAt ? Date.parse(d.createdAt) : o.created * 1000,
      exitCode: d?.exitCode,
      error: d?.error,
      finishedAtMs: d?.finishedAt ? Date.parse(d.finishedAt) : undefined,
    });
  }
  return {
    containers,
    unhealthy: mem?.unhealthy ?? new Map(),
    backoff: (name, since, now) => deps.backoff.peek(`${uid}/${name}`, since, now),
    synced,
  };
}

function specOf(pod: Pod, kind: 'init' | 'app' | 'ephemeral', name: string): Container | undefined {
  // An EphemeralContainer is a Container with targetContainerName besides.
  const list = kind === 'init' ? pod.spec?.initContainers : kind === 'ephemeral' ? (pod.spec?.ephemeralContainers as Container[] | undefined) : pod.spec?.containers;
  return list?.find((c) => c.name === name);
}

/** The running container an ephemeral container's targetContainerName names, if any. */
function targetOf(spec: Container, observed: ObservedContainer[], sandboxId: string): string | undefined {
  const target = (spec as { targetContainerName?: string }).targetContainerName;
  if (!target) return undefined;
  return observed.find((c) => (c.kind === 'app' || c.kind === 'init') && c.name === target && c.running && c.sandboxId === sandboxId)?.id;
}

// Consecutive actions of one step run together (kills, removals, starts and back-offs of
// the app containers), the steps in plan order.
const step = (a: PodAction) => (a.type === 'backOff' ? 'startContainer' : a.type);
function batches(actions: PodAction[]): PodAction[][] {
  const out: PodAction[][] = [];
  for (const a of actions) {
    const last = out[out.length - 1];
    if (last && step(last[0]) === step(a) && a.type !== 'createSandbox') last.push(a);
    else out.push([a]);
  }
  return out;
}

interface SyncState {
  pod: Pod;
  mem: PodMemory;
  uid: string;
  sandboxId?: string;
  podIP: string;
  changed: boolean;
}

async function createSandbox(deps: SyncDeps, s: SyncState, attempt: number, observed: ObservedContainer[]): Promise<boolean> {
  try {
    await ensureImage(deps.runtime, deps.runtime.pauseImage, 'IfNotPresent');
    const sb = await deps.runtime.runSandbox(s.pod, attempt, deps.hostIP());
    s.sandboxId = sb.id;
    s.podIP = sb.ip;
    s.changed = true;
    s.mem.sandboxMessage = undefined;
    deps.backoff.reset(`${s.uid}/${SANDBOX_NAME}`);
    return true;
  } catch (e) {
    const msg = `Failed to create pod sandbox: ${(e as Error).message}`;
    s.mem.sandboxMessage = msg;
    deps.events.pod(s.pod, 'Warning', 'FailedCreatePodSandBox', msg);
    const delay = deps.backoff.next(`${s.uid}/${SANDBOX_NAME}`);
    await writeStatus(deps, s.pod, s.mem, observed, '');
    deps.enqueue(s.uid, delay);
    return false;
  }
}

/** Volumes, once per pod (configMap/secret contents are read at pod start). */
async function ensureVolumes(deps: SyncDeps, s: SyncState, observed: ObservedContainer[]): Promise<boolean> {
  const specs = [...(s.pod.spec?.initContainers ?? []), ...(s.pod.spec?.containers ?? [])];
  if (s.mem.volumes) return true;
  try {
    s.mem.volumes = await prepareVolumes(s.pod, deps.stateDir, deps.lookup);
    applyFsGroup(s.pod, s.mem.volumes);
  } catch (e) {
    if (!(e instanceof ConfigError)) throw e;
    const reason = e instanceof VolumeMountError ? 'ContainerCreating' : 'CreateContainerConfigError';
    for (const c of specs) s.mem.waiting.set(c.name, { reason, message: e.message });
    deps.events.pod(s.pod, 'Warning', 'FailedMount', e.message);
    await writeStatus(deps, s.pod, s.mem, observed, s.podIP);
    deps.enqueue(s.uid, deps.backoff.next(`${s.uid}/volumes`));
    return false;
  }
  for (const c of specs) {
    const reason = s.mem.waiting.get(c.name)?.reason;
    if (reason === 'CreateContainerConfigError' || reason === 'ContainerCreating') s.mem.waiting.delete(c.name);
  }
  return true;
}

function backOff(deps: SyncDeps, s: SyncState, a: Extract<PodAction, { type: 'backOff' }>): void {
  const m = s.pod.metadata ?? {};
  const message = `back-off ${formatDuration(a.delayMs)} restarting failed container=${a.name} pod=${m.name}_${m.namespace}(${s.uid})`;
  const field = a.kind === 'init' ? 'initContainers' : 'containers';
  if (s.mem.waiting.get(a.name)?.reason !== 'CrashLoopBackOff') deps.events.pod(s.pod, 'Warning', 'BackOff', 'Back-off restarting failed container', `spec.${field}{${a.name}}`);
  s.mem.waiting.set(a.name, { reason: 'CrashLoopBackOff', message });
  deps.enqueue(s.uid, a.remainingMs + 5);
}

async function act(deps: SyncDeps, s: SyncState, a: PodAction, observed: ObservedContainer[]): Promise<void> {
  switch (a.type) {
    case 'killContainer':
      if (a.reason === 'LivenessFailed' || a.reason === 'StartupFailed') deps.events.pod(s.pod, 'Normal', 'Killing', a.message, `spec.containers{${a.name}}`);
      await deps.runtime.stop(a.id, a.graceSeconds);
      s.changed = true;
      deps.enqueue(s.uid); // the next sync restarts it (by policy, with back-off)
      return;
    case 'removeContainer':
      await deps.runtime.remove(a.id);
      return;
    case 'startContainer': {
      const spec = specOf(s.pod, a.kind, a.name);
      if (!spec || !s.sandboxId) return;
      if (a.backoffFrom !== undefined) deps.backoff.next(`${s.uid}/${a.name}`, a.backoffFrom);
      const targetId = a.kind === 'ephemeral' ? targetOf(spec, observed, s.sandboxId) : undefined;
      if (await startContainer(deps, s.pod, spec, a.kind, s.sandboxId, a.restartCount, s.podIP, s.mem, targetId)) s.changed = true;
      return;
    }
    case 'backOff':
      return backOff(deps, s, a);
    default:
      return; // killPod and createSandbox are handled by syncPod
  }
}

/** Syncs one pod (undefined: gone from the API) with what the runtime runs for it. */
export async function syncPod(deps: SyncDeps, uid: string, pod: Pod | undefined, mem: PodMemory | undefined, synced: boolean): Promise<void> {
  const observed = await deps.runtime.list(uid);
  const plan = computePodActions(pod, await observePod(deps, uid, observed, mem, synced));
  const first = plan.actions[0];
  const kill = first?.type === 'killPod' ? first : undefined;
  if (kill?.why === 'orphaned' || !pod) {
    if (kill) await removeOrphan(deps, uid, observed, mem);
    if (kill) deps.forget(uid);
    return;
  }
  if (kill) {
    if (kill.why === 'deleted') await terminate(deps, pod, observed, mem ?? newPodMemory());
    else await stopFinished(deps, pod, observed, mem ?? newPodMemory());
    if (kill.why === 'deleted') deps.forget(uid);
    return;
  }
  const s: SyncState = { pod, mem: mem!, uid, sandboxId: plan.sandboxId, podIP: '', changed: false };
  s.mem.pod = pod;
  s.mem.startTime ??= pod.status?.startTime ?? rfc3339();
  if (plan.sandboxId) s.podIP = await deps.runtime.sandboxIP(pod, plan.sandboxId, deps.hostIP());
  for (const batch of batches(plan.actions)) {
    if (batch[0].type === 'createSandbox') {
      if (!(await createSandbox(deps, s, batch[0].attempt, observed))) return;
      continue;
    }
    // Containers start only once the pod's volumes are there.
    if (step(batch[0]) === 'startContainer' && !(await ensureVolumes(deps, s, observed))) return;
    await Promise.all(batch.map((a) => act(deps, s, a, observed)));
  }
  if (plan.needsSandbox && !(await ensureVolumes(deps, s, observed))) return;
  const now = s.changed || plan.actions.length ? await deps.runtime.list(uid) : observed;
  if (s.sandboxId) ensureProbes(deps, pod, now, s.podIP, s.mem);
  const status = await writeStatus(deps, pod, s.mem, now, s.podIP);
  if (status.phase === 'Succeeded' || status.phase === 'Failed') await stopFinished(deps, pod, await deps.runtime.list(uid), s.mem);
}
