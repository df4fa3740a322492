// Writes the pod's status when what the runtime shows (and the agent remembers) changed it.
import { rfc3339, type Container, type Pod, type PodStatus } from '@k8ts/api';
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

async function views(deps: SyncDeps, pod: Pod, observed: ObservedContainer[], mem: PodMemory, kind: 'init' | 'app' | 'ephemeral'): Promise<Map<string, ContainerView>> {
  const out = new Map<string, ContainerView>();
  const specs: Container[] = kind === 'init' ? (pod.spec?.initContainers ?? []) : kind === 'ephemeral' ? ((pod.spec?.ephemeralContainers ?? []) as Container[]) : (pod.spec?.containers ?? []);
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

/** How soon a status write refused for a stale resourceVersion is tried again from the cache. */
const CONFLICT_RETRY_MS = 200;

/** Computes the status and writes it when it differs from the last one written. */
export async function writeStatus(deps: SyncDeps, pod: Pod, mem: PodMemory, observed: ObservedContainer[], podIP: string): Promise<PodStatus> {
  const fresh = deps.podOf(pod.metadata?.uid ?? '') ?? pod;
  const status = computePodStatus({
    pod: fresh,
    init: await views(deps, fresh, observed, mem, 'init'),
    app: await views(deps, fresh, observed, mem, 'app'),
    ephemeral: await views(deps, fresh, observed, mem, 'ephemeral'),
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
  // A status update (not a patch): the resourceVersion of what we computed from guards
  // against writing over a newer object.
  try {
    await deps.client.update('pods', { ...fresh, status } as never, { subresource: 'status' });
    mem.lastStatus = status;
  } catch (e) {
    if (isNotFound(e)) return status;
    if (!isConflict(e)) throw e;
    // Someone wrote the pod after our cache saw it: the newer copy reaches the informer and
    // syncs the pod again; should it lag, ask again shortly. Never a GET: the cache is this
    // agent's view, and under the Node authorizer a pod deleted meanwhile is refused.
    deps.enqueue(fresh.metadata?.uid ?? '', CONFLICT_RETRY_MS);
  }
  return status;
}
