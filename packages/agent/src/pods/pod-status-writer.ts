// Writes the pod's status when what the runtime shows (and the agent remembers) changed it.
import { rfc3339, type Pod, type PodStatus } from '@k8ts/api';
import { isConflict, isNotFound } from '@k8ts/client';
import type { ContainerDetails, ObservedContainer } from '../runtime/container-runtime.js';
import { computePodStatus, sameStatus, type ContainerView, type InstanceView } from './status.js';
import type { PodMemory, SyncDeps } from './pod-memory.js';

export function instanceView(o: ObservedContainer, d: ContainerDetails | undefined): InstanceView {
  const created = o.state !== 'created' || !!d?.error;
  let finishedAt = d?.finishedAt;
  // A container the runtime could not start never finished; it counts as done at its creation.
  if (!d?.running && !finishedAt && d?.error) finishedAt = rfc3339(new Date(o.created * 1000));
  return {
    id: o.id,
    restartCount: o.restartCount,
    running: !!d?.running,
    startedAt: d?.startedAt,
    finishedAt,
    exitCode: d?.exitCode ?? 0,
    oomKilled: !!d?.oomKilled,
    error: d?.error ?? '',
    imageId: d?.imageId ?? o.imageId,
    created,
  };
}

async function views(deps: SyncDeps, pod: Pod, observed: ObservedContainer[], mem: PodMemory, kind: 'init' | 'app'): Promise<Map<string, ContainerView>> {
  const out = new Map<string, ContainerView>();
  const specs = kind === 'init' ? (pod.spec?.initContainers ?? []) : (pod.spec?.containers ?? []);
  for (const c of specs) {
    const insts = observed.filter((x) => x.kind === kind && x.name === c.name).sort((a, b) => b.restartCount - a.restartCount);
    const instances: InstanceView[] = [];
    for (const i of insts.slice(0, 2)) instances.push(instanceView(i, await deps.runtime.inspect(i)));
    const latestId = instances[0]?.id;
    out.set(c.name, {
      instances,
      waiting: mem.waiting.get(c.name),
      ready: c.readinessProbe ? (latestId ? mem.ready.get(latestId) === true : false) : true,
      started: c.startupProbe ? (latestId ? mem.started.get(latestId) === true : false) : true,
    });
  }
  return out;
}

/** Computes the status and writes it when it differs from the last one written. */
export async function writeStatus(deps: SyncDeps, pod: Pod, mem: PodMemory, observed: ObservedContainer[], podIP: string): Promise<PodStatus> {
  const fresh = deps.podOf(pod.metadata?.uid ?? '') ?? pod;
  const status = computePodStatus({
    pod: fresh,
    init: await views(deps, fresh, observed, mem, 'init'),
    app: await views(deps, fresh, observed, mem, 'app'),
    podIP: podIP || undefined,
    hostIP: deps.hostIP(),
    startTime: mem.startTime,
    now: rfc3339(),
    sandboxMessage: mem.sandboxMessage,
  });
  if (sameStatus(status, mem.lastStatus ?? fresh.status)) {
    mem.lastStatus = status;
    return status;
  }
  const m = fresh.metadata ?? {};
  // A status update (not a patch): the resourceVersion of what we computed from guards
  // against writing over a newer object; on conflict the latest is read and written again.
  let base: Pod = fresh;
  for (let attempt = 0; ; attempt++) {
    try {
      await deps.client.update('pods', { ...base, status } as never, { subresource: 'status' });
      mem.lastStatus = status;
      return status;
    } catch (e) {
      if (isNotFound(e)) return status;
      if (!isConflict(e) || attempt >= 3) throw e;
      base = (await deps.client.get('pods', m.namespace ?? 'default', m.name ?? '')) as unknown as Pod;
      if (base.metadata?.uid !== m.uid) return status;
    }
  }
}
