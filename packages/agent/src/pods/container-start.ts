// Starting one container: image (pull policy, pull back-off), environment, volumes, create
// and start through the runtime, events, the postStart hook. The waiting reason a failure
// leaves (ErrImagePull, ImagePullBackOff, CreateContainerConfigError…) is kept in memory.
import type { Container, Pod } from '@k8ts/api';
import { StartError } from '../runtime/container-runtime.js';
import { ImageError, ensureImage } from '../runtime/images.js';
import { ConfigError } from '../runtime/config-error.js';
import { buildEnv } from '../runtime/env.js';
import { bindsFor } from '../runtime/volumes.js';
import { verifyRunAsNonRoot } from '../runtime/run-as-non-root.js';
import { runProbe } from './probes.js';
import type { PodMemory, SyncDeps } from './pod-memory.js';

const PULL_FAILURES = ['ErrImagePull', 'ImagePullBackOff', 'ErrImageNeverPull'];

/** True while the image's pull back-off lasts (the waiting reason shows it). */
function inPullBackoff(deps: SyncDeps, pod: Pod, c: Container, mem: PodMemory, fieldPath: string): boolean {
  const uid = pod.metadata?.uid ?? '';
  const key = `${uid}/${c.name}/pull`;
  const waiting = mem.waiting.get(c.name);
  if (!deps.pullBackoff.get(key) || !waiting || !PULL_FAILURES.includes(waiting.reason)) return false;
  const since = deps.pullFailedAt.get(key) ?? 0;
  if (!deps.pullBackoff.isInBackOffSince(key, since)) return false;
  // Our own status write re-triggers a sync at once: keep ErrImagePull visible for a
  // moment, as the kubelet does until its next sync, before it turns into the back-off.
  const showError = Math.min(1000, deps.pullBackoff.get(key));
  if (waiting.reason === 'ErrImagePull' && Date.now() - since < showError) {
    deps.enqueue(uid, showError - (Date.now() - since) + 5);
    return true;
  }
  const reason = waiting.reason === 'ErrImageNeverPull' ? 'ErrImageNeverPull' : 'ImagePullBackOff';
  // The kubelet's BackOff event, once per failed pull (repeats fold into its count).
  if (reason === 'ImagePullBackOff' && waiting.reason !== reason) deps.events.pod(pod, 'Normal', 'BackOff', `Back-off pulling image "${c.image}"`, fieldPath);
  mem.waiting.set(c.name, { reason, message: `Back-off pulling image "${c.image}"` });
  deps.enqueue(uid, deps.pullBackoff.remaining(key, since) + 5);
  return true;
}

async function pull(deps: SyncDeps, pod: Pod, c: Container, mem: PodMemory, fieldPath: string): Promise<boolean> {
  const uid = pod.metadata?.uid ?? '';
  const key = `${uid}/${c.name}/pull`;
  try {
    const image = c.image ?? '';
    const ms = await ensureImage(deps.runtime, image, c.imagePullPolicy, () => deps.events.pod(pod, 'Normal', 'Pulling', `Pulling image "${image}"`, fieldPath));
    if (ms !== undefined) deps.events.pod(pod, 'Normal', 'Pulled', `Successfully pulled image "${image}" in ${(ms / 1000).toFixed(3)}s`, fieldPath);
    deps.pullBackoff.reset(key);
    return true;
  } catch (e) {
    if (!(e instanceof ImageError)) throw e;
    const at = Date.now();
    deps.pullFailedAt.set(key, at);
    deps.pullBackoff.next(key, at);
    mem.waiting.set(c.name, { reason: e.reason, message: e.message });
    deps.events.pod(pod, 'Warning', 'Failed', e.message, fieldPath);
    // Shown as ErrImagePull first, then as ImagePullBackOff until the next attempt.
    deps.enqueue(uid, Math.min(1000, deps.pullBackoff.get(key)));
    return false;
  }
}

/** Pull, configure, create and start one container. Returns true when one was created. */
export async function startContainer(deps: SyncDeps, pod: Pod, c: Container, kind: 'init' | 'app' | 'ephemeral', sandboxId: string, restartCount: number, podIP: string, mem: PodMemory, targetId?: string): Promise<boolean> {
  const uid = pod.metadata?.uid ?? '';
  const fieldPath = `spec.${kind === 'init' ? 'initContainers' : kind === 'ephemeral' ? 'ephemeralContainers' : 'containers'}{${c.name}}`;
  if (inPullBackoff(deps, pod, c, mem, fieldPath)) return false;
  // A sync triggered by anything else (a status write, another container) must not retry a
  // create that failed before its back-off is over: that was a retry storm.
  for (const step of ['create', 'config']) {
    const wait = deps.backoff.remainingSinceLast(`${uid}/${c.name}/${step}`);
    if (wait > 0 && mem.waiting.has(c.name)) {
      deps.enqueue(uid, wait + 5);
      return false;
    }
  }
  if (!(await pull(deps, pod, c, mem, fieldPath))) return false;
  let id: string;
  try {
    const imageUser = (await deps.runtime.inspectImage(c.image ?? ''))?.user;
    verifyRunAsNonRoot(pod, c, imageUser);
    const env = await buildEnv(pod, c, { podIP, hostIP: deps.hostIP(), nodeName: deps.nodeName }, deps.lookup);
    const binds = bindsFor(c, mem.volumes ?? new Map());
    id = await deps.runtime.runContainer({ pod, container: c, kind, sandboxId, restartCount, env, binds, imageUser, targetId });
  } catch (e) {
    if (e instanceof ConfigError) {
      mem.waiting.set(c.name, { reason: 'CreateContainerConfigError', message: e.message });
      deps.events.pod(pod, 'Warning', 'Failed', `Error: ${e.message}`, fieldPath);
      deps.enqueue(uid, deps.backoff.next(`${uid}/${c.name}/config`));
      return false;
    }
    if (e instanceof StartError) {
      mem.waiting.delete(c.name);
      deps.events.pod(pod, 'Warning', 'Failed', `Error: failed to start container "${c.name}": ${e.message}`, fieldPath);
      return true;
    }
    const msg = (e as Error).message ?? String(e);
    mem.waiting.set(c.name, { reason: 'CreateContainerError', message: msg });
    deps.events.pod(pod, 'Warning', 'Failed', `Error: ${msg}`, fieldPath);
    deps.enqueue(uid, deps.backoff.next(`${uid}/${c.name}/create`));
    return false;
  }
  mem.waiting.delete(c.name);
  deps.backoff.reset(`${uid}/${c.name}/create`);
  deps.backoff.reset(`${uid}/${c.name}/config`);
  deps.events.pod(pod, 'Normal', 'Started', `Started container ${c.name}`, fieldPath);
  if (c.lifecycle?.postStart) void runHook(deps, pod, c, id, podIP, 'postStart', 30_000);
  return true;
}

/** postStart or preStop; a failed postStart stops the container (it restarts by policy). */
export async function runHook(deps: SyncDeps, pod: Pod, c: Container, id: string, podIP: string, which: 'postStart' | 'preStop', timeoutMs: number): Promise<void> {
  const h = c.lifecycle?.[which];
  if (!h) return;
  if (h.sleep) {
    await new Promise((r) => setTimeout(r, Math.min(timeoutMs, (h.sleep!.seconds ?? 0) * 1000)));
    return;
  }
  const out = await runProbe({ exec: h.exec, httpGet: h.httpGet, tcpSocket: h.tcpSocket }, c, { containerId: id, podIP, exec: (cmd, t) => deps.runtime.exec(id, cmd, t) }, timeoutMs);
  if (!out.ok) {
    deps.events.pod(pod, 'Warning', which === 'postStart' ? 'FailedPostStartHook' : 'FailedPreStopHook', `${which} hook failed: ${out.message}`, `spec.containers{${c.name}}`);
    if (which === 'postStart') await deps.runtime.stop(id, pod.spec?.terminationGracePeriodSeconds ?? 30);
  }
}
