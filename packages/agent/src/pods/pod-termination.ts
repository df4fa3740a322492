// How a pod's containers go: graceful deletion (preStop, SIGTERM, SIGKILL after the grace
// period, removal, then the API object deleted with grace 0), a pod no longer bound here
// (its containers removed), a pod that finished (its containers stopped, kept for logs).
import { rmSync } from 'node:fs';
import type { Pod } from '@k8ts/api';
import { isConflict, isNotFound } from '@k8ts/client';
import type { ObservedContainer } from '../runtime/container-runtime.js';
import { podDir } from '../runtime/volumes.js';
import { runHook } from './container-start.js';
import { stopProbes } from './probe-manager.js';
import { gracePeriodOf, type PodMemory, type SyncDeps } from './pod-memory.js';

/** Stops what still runs of a Succeeded or Failed pod. */
export async function stopFinished(deps: SyncDeps, pod: Pod, observed: ObservedContainer[], mem: PodMemory): Promise<void> {
  stopProbes(mem);
  await Promise.all(observed.filter((c) => c.running).map((c) => deps.runtime.stop(c.id, c.kind === 'sandbox' ? 0 : gracePeriodOf(pod))));
}

/** Graceful deletion: preStop, SIGTERM, SIGKILL after the grace period, remove, confirm. */
export async function terminate(deps: SyncDeps, pod: Pod, observed: ObservedContainer[], mem: PodMemory): Promise<void> {
  const m = pod.metadata ?? {};
  const uid = m.uid ?? '';
  const deadline = Date.now() + gracePeriodOf(pod) * 1000;
  stopProbes(mem);
  const sandbox = observed.find((c) => c.kind === 'sandbox' && c.running);
  const podIP = sandbox ? ((await deps.runtime.inspect(sandbox).catch(() => undefined))?.ip ?? '') : '';
  await Promise.all(
    observed
      .filter((c) => c.kind !== 'sandbox' && c.running)
      .map(async (c) => {
        const spec = pod.spec?.containers.find((x) => x.name === c.name);
        if (spec?.lifecycle?.preStop) {
          deps.log.info({ pod: `${m.namespace}/${m.name}`, container: c.name }, 'running preStop hook');
          await runHook(deps, pod, spec, c.id, podIP, 'preStop', Math.max(0, deadline - Date.now()));
        }
        deps.events.pod(pod, 'Normal', 'Killing', `Stopping container ${c.name}`, `spec.containers{${c.name}}`);
        await deps.runtime.stop(c.id, Math.max(0, Math.ceil((deadline - Date.now()) / 1000)));
      }),
  );
  await removeAll(deps, uid, observed, mem);
  try {
    await deps.client.delete('pods', m.namespace ?? 'default', m.name ?? '', { gracePeriodSeconds: 0, preconditions: { uid } });
  } catch (e) {
    if (!isNotFound(e) && !isConflict(e)) throw e;
  }
}

/** A pod that is gone from the API (or bound elsewhere): its containers go. */
export async function removeOrphan(deps: SyncDeps, uid: string, observed: ObservedContainer[], mem: PodMemory | undefined): Promise<void> {
  if (observed.length) {
    const first = observed[0];
    deps.log.info({ pod: `${first.podNamespace}/${first.podName}`, uid, containers: observed.length }, 'removing containers of a pod no longer bound here');
    const grace = Math.min(mem?.pod ? gracePeriodOf(mem.pod) : 2, 10);
    await Promise.all(observed.filter((c) => c.running && c.kind !== 'sandbox').map((c) => deps.runtime.stop(c.id, grace)));
  }
  await removeAll(deps, uid, observed, mem);
}

/** Removes the containers (sandbox last), the pod's volumes and what the agent kept of it. */
async function removeAll(deps: SyncDeps, uid: string, observed: ObservedContainer[], mem: PodMemory | undefined): Promise<void> {
  stopProbes(mem);
  await Promise.all(observed.filter((c) => c.kind !== 'sandbox').map((c) => deps.runtime.remove(c.id)));
  await Promise.all(observed.filter((c) => c.kind === 'sandbox').map((c) => deps.runtime.remove(c.id)));
  try {
    rmSync(podDir(deps.stateDir, uid), { recursive: true, force: true });
  } catch (e) {
    deps.log.warn({ uid, err: (e as Error).message }, 'removing pod volumes failed');
  }
  deps.backoff.resetPrefix(`${uid}/`);
  deps.pullBackoff.resetPrefix(`${uid}/`);
}
