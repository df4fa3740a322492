// The invariants a drill checks once the cluster has settled: what it reports as passed or
// failed, from what the API, Docker and the load generators saw.
import type { KubeObject, Pod } from '@k8ts/api';
import type { DockerPod } from './docker-view.js';
import type { ServiceFigures, WriteFigures } from './load.js';
import type { Check } from './report-types.js';
import type { Injected } from './scenarios.js';
import { podReady } from './workload.js';

export interface SettledView {
  injected: Injected;
  /** The workload's pods in the API. */
  pods: (Pod & KubeObject)[];
  /** Its pod sandboxes in Docker (undefined: Docker not reachable from here). */
  docker: DockerPod[] | undefined;
  /** When the replacements were Ready (undefined: the drill did not recover). */
  recoveredAt: number | undefined;
  /** Pods of the workload still Ready on the failed node at that moment. */
  readyOnFailedNode: number;
  writes: WriteFigures;
  service: ServiceFigures;
}

export function invariantChecks(v: SettledView): Check[] {
  const { injected, pods, docker, writes, service } = v;
  const checks: Check[] = [];
  const ready = pods.filter(podReady);
  checks.push({ name: 'desired replicas restored', ok: ready.length === injected.desired, detail: `${ready.length}/${injected.desired} Ready` });
  if (injected.node && v.recoveredAt !== undefined)
    checks.push({
      // Stricter than "no two": none of them may still count once the replacements are Ready.
      name: 'no Ready pods of the ReplicaSet left on the failed node',
      ok: v.readyOnFailedNode === 0,
      detail: `${v.readyOnFailedNode} pod(s) of the workload still counted Ready on ${injected.node} when the replacements were Ready`,
    });
  const apiUids = new Set(pods.map((p) => p.metadata.uid));
  const stray = docker?.filter((d) => !apiUids.has(d.uid)) ?? [];
  checks.push({
    name: 'no duplicate pods after the fault heals',
    ok: pods.length === injected.desired && stray.length === 0,
    detail:
      `${pods.length} pod(s) in the API for ${injected.desired} desired` +
      (docker ? `; ${docker.length} running in Docker, ${stray.length} of them not in the API${stray.length ? ` (${stray.map((s) => `${s.name} on ${s.node}`).join(', ')})` : ''}` : ''),
  });
  checks.push({
    name: 'every acknowledged write still there',
    ok: writes.lost.length === 0,
    detail: `${writes.acknowledged} ConfigMaps acknowledged of ${writes.attempted} attempted, ${writes.lost.length} lost${writes.lost.length ? `: ${writes.lost.slice(0, 10).join(', ')}` : ''}`,
  });
  checks.push({
    name: 'the Service answered throughout',
    ok: service.requests > 0 && service.failedShare <= 0.5,
    detail: `${service.failed}/${service.requests} requests failed (${(service.failedShare * 100).toFixed(1)} %), longest outage ${(service.longestOutageMs / 1000).toFixed(1)} s`,
  });
  return checks;
}
