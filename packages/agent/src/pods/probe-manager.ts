// Probe workers of a pod's running app containers: readiness and startup results feed the
// status; a failed liveness or startup probe marks the container unhealthy, and the next
// sync's plan kills it (computePodActions), as kubelet's prober manager feeds SyncPod.
import type { Container, Pod, Probe } from '@k8ts/api';
import type { ObservedContainer } from '../runtime/container-runtime.js';
import { ProbeWorker, type ProbeKind } from './probes.js';
import type { PodMemory, SyncDeps } from './pod-memory.js';

function startWorker(deps: SyncDeps, pod: Pod, c: Container, id: string, kind: ProbeKind, probe: Probe, podIP: string, mem: PodMemory): ProbeWorker {
  const uid = pod.metadata?.uid ?? '';
  const key = `${id}/${kind}`;
  const fieldPath = `spec.containers{${c.name}}`;
  const target = { containerId: id, podIP, exec: (cmd: string[], t: number) => deps.runtime.exec(id, cmd, t) };
  const startedOk = () => !c.startupProbe || mem.started.get(id) === true;
  // A container adopted after an agent restart starts from what the API shows for it,
  // so a restart does not flip Ready (and Service endpoints) off and on.
  const shown = pod.status?.containerStatuses?.find((s) => s.containerID === `docker://${id}` || s.containerID?.endsWith(`://${id}`));
  if (shown?.ready && kind === 'readiness' && !mem.ready.has(id)) mem.ready.set(id, true);
  if (shown?.started && kind === 'startup' && !mem.started.has(id)) mem.started.set(id, true);
  const initial = kind === 'readiness' ? mem.ready.get(id) : kind === 'startup' ? mem.started.get(id) : undefined;
  const worker: ProbeWorker = new ProbeWorker({
    initial,
    anchorMs: mem.admittedAt,
    kind,
    probe,
    container: c,
    target,
    canRun: kind === 'startup' ? () => mem.started.get(id) !== true : startedOk,
    onResult: (ok, message) => {
      if (kind === 'readiness') {
        mem.ready.set(id, ok);
        if (!ok) deps.events.pod(pod, 'Warning', 'Unhealthy', `Readiness probe failed: ${message}`, fieldPath);
      } else if (kind === 'startup' && ok) {
        mem.started.set(id, true);
      } else if (!ok) {
        deps.events.pod(pod, 'Warning', 'Unhealthy', `${kind === 'liveness' ? 'Liveness' : 'Startup'} probe failed: ${message}`, fieldPath);
        mem.unhealthy.set(id, { probe: kind, message });
        worker.stop();
        mem.probes.delete(key);
      } else return;
      deps.enqueue(uid);
    },
  });
  if (kind === 'readiness' && !mem.ready.has(id)) mem.ready.set(id, false);
  if (kind === 'startup' && !mem.started.has(id)) mem.started.set(id, false);
  return worker;
}

/** Probe workers for the running app containers; others' workers stop. */
export function ensureProbes(deps: SyncDeps, pod: Pod, observed: ObservedContainer[], podIP: string, mem: PodMemory): void {
  const wanted = new Set<string>();
  for (const c of pod.spec?.containers ?? []) {
    const inst = observed.filter((x) => x.kind === 'app' && x.name === c.name && x.running).sort((a, b) => b.restartCount - a.restartCount)[0];
    if (!inst || mem.unhealthy.has(inst.id)) continue;
    const kinds: [ProbeKind, Probe | undefined][] = [
      ['startup', c.startupProbe],
      ['liveness', c.livenessProbe],
      ['readiness', c.readinessProbe],
    ];
    for (const [kind, probe] of kinds) {
      if (!probe) continue;
      const key = `${inst.id}/${kind}`;
      wanted.add(key);
      const existing = mem.probes.get(key);
      if (!existing) mem.probes.set(key, startWorker(deps, pod, c, inst.id, kind, probe, podIP, mem));
      // kubelet's UpdatePodStatus: a container not yet ready is probed again at each sync.
      else if (kind === 'readiness' && mem.ready.get(inst.id) !== true) existing.trigger();
    }
  }
  for (const [key, w] of mem.probes) {
    if (!wanted.has(key)) {
      w.stop();
      mem.probes.delete(key);
    }
  }
  // forget probe results of containers that are gone or stopped
  const ids = new Set(observed.map((c) => c.id));
  const running = new Set(observed.filter((c) => c.running).map((c) => c.id));
  for (const m of [mem.ready, mem.started]) for (const id of m.keys()) if (!ids.has(id)) m.delete(id);
  for (const id of mem.unhealthy.keys()) if (!running.has(id)) mem.unhealthy.delete(id);
}

export function stopProbes(mem: PodMemory | undefined): void {
  for (const p of mem?.probes.values() ?? []) p.stop();
  mem?.probes.clear();
}
