// The disruption controller (kube-controller-manager's `disruption`): keeps each
// PodDisruptionBudget's status — how many selected pods are healthy (Ready, not terminating,
// not just evicted), how many must be, how many may be disrupted now — which the apiserver's
// pods/eviction reads and decrements. Evictions it has not seen the pod's deletion of stay
// in disruptedPods for two minutes, then count again.
import { deepCopy, isPodReady, jsonEqual, labelSelectorFromObject, objectKey, rfc3339, splitObjectKey, type KubeObject, type Pod, type PodDisruptionBudget } from '@k8ts/api';
import type { ControllerContext, Lister, Queue } from '../framework/types.js';
import { unwrap } from '../framework/tombstone.js';
import { expectedPodCount, type ScaleListers } from './expected.js';

/** DeletionTimeout: how long an eviction's pod may take to show as deleted. */
export const DELETION_TIMEOUT_MS = 2 * 60 * 1000;

type PDB = PodDisruptionBudget;
type Status = NonNullable<PDB['status']>;

export class DisruptionController {
  static readonly controllerName = 'disruption';
  private readonly now: () => number;

  constructor(
    private readonly ctx: ControllerContext,
    private readonly listers: { pdbs: Lister<PDB>; pods: Lister<Pod> } & ScaleListers,
    private readonly queue: Queue,
  ) {
    this.now = ctx.now ?? Date.now;
  }

  onPdb = (pdb: KubeObject) => this.queue.add(objectKey(pdb));
  updatePdb = (_old: KubeObject, pdb: KubeObject) => this.queue.add(objectKey(pdb));
  onPod = (pod: Pod) => {
    for (const pdb of this.pdbsFor(pod)) this.queue.add(objectKey(pdb));
  };
  updatePod = (old: Pod, pod: Pod) => {
    const keys = new Set([...this.pdbsFor(old), ...this.pdbsFor(pod)].map((p) => objectKey(p)));
    for (const k of keys) this.queue.add(k);
  };
  deletePod = (obj: unknown) => {
    const pod = unwrap<Pod>(obj);
    if (pod) this.onPod(pod);
  };

  private pdbsFor(pod: Pod): PDB[] {
    return this.listers.pdbs.list(pod.metadata.namespace ?? '').filter((pdb) => selects(pdb, pod));
  }

  async sync(key: string): Promise<void> {
    const { namespace, name } = splitObjectKey(key);
    const cached = this.listers.pdbs.get(namespace, name);
    if (!cached) return;
    const pdb = deepCopy(cached);
    if (pdb.metadata.deletionTimestamp) return;
    const pods = this.listers.pods.list(namespace).filter((p) => selects(pdb, p));
    if (!pods.length) this.ctx.recorder.event(pdb, 'Normal', 'NoPods', 'No matching pods found');
    let expected: Awaited<ReturnType<typeof expectedPodCount>>;
    try {
      expected = await expectedPodCount(pdb, pods, this.listers);
    } catch (err) {
      const message = err instanceof Error ? err.message : String(err);
      this.ctx.recorder.event(pdb, 'Warning', 'CalculateExpectedPodCountFailed', `Failed to calculate the number of expected pods: ${message}`);
      this.ctx.logger.info({ object: key, reason: 'CalculateExpectedPodCountFailed', err: message }, 'disruption budget fails safe');
      return this.write(pdb, failSafe(pdb, message, this.now()));
    }
    if (expected.unmanagedPods.length) {
      this.ctx.recorder.event(
        pdb,
        'Warning',
        'UnmanagedPods',
        `Pods selected by this PodDisruptionBudget (selector: ${JSON.stringify(pdb.spec?.selector ?? null)}) were found to be unmanaged. As a result, the status of the PDB cannot be calculated correctly, which may result in undefined behavior. To account for these pods please set ".spec.minAvailable" field of the PDB to an integer value.`,
      );
    }
    const now = this.now();
    const { disrupted, recheckAt } = disruptedPodMap(pdb, pods, now, (podName) => {
      this.ctx.logger.info({ object: `${namespace}/${podName}`, reason: 'DisruptionExpired' }, 'pod was expected to be deleted but it was not; counting it again');
    });
    const currentHealthy = pods.filter((p) => !p.metadata.deletionTimestamp && !(p.metadata.name! in disrupted) && isPodReady(p)).length;
    const status = nextStatus(pdb, { currentHealthy, desiredHealthy: expected.desiredHealthy, expectedPods: expected.expectedCount, disruptedPods: disrupted }, now);
    await this.write(pdb, status);
    if (recheckAt !== undefined) this.queue.addAfter(key, Math.max(0, recheckAt - now));
  }

  private async write(pdb: PDB, status: Status): Promise<void> {
    if (jsonEqual(pdb.status ?? {}, status)) return;
    pdb.status = status;
    await this.ctx.client.update('poddisruptionbudgets', pdb as KubeObject, { subresource: 'status' });
  }
}

/** Pods the budget selects: a nil or empty selector selects none. */
export function selects(pdb: PDB, pod: Pod): boolean {
  if ((pod.metadata.namespace ?? '') !== (pdb.metadata.namespace ?? '')) return false;
  try {
    const m = labelSelectorFromObject(pdb.spec?.selector as never);
    return !m.empty && m.matches(pod.metadata.labels ?? {});
  } catch {
    return false;
  }
}

/** buildDisruptedPodMap: recorded evictions whose pods still exist, not deleting, and not yet timed out. */
export function disruptedPodMap(pdb: PDB, pods: Pod[], now: number, expired: (pod: string) => void): { disrupted: Record<string, string>; recheckAt?: number } {
  const recorded = (pdb.status?.disruptedPods ?? {}) as Record<string, string>;
  const byName = new Map(pods.map((p) => [p.metadata.name!, p]));
  const disrupted: Record<string, string> = {};
  let recheckAt: number | undefined;
  for (const [name, at] of Object.entries(recorded)) {
    const pod = byName.get(name);
    if (!pod || pod.metadata.deletionTimestamp) continue;
    const expires = Date.parse(at) + DELETION_TIMEOUT_MS;
    if (!(expires > now)) {
      expired(name);
      continue;
    }
    disrupted[name] = at;
    recheckAt = recheckAt === undefined ? expires : Math.min(recheckAt, expires);
  }
  return { disrupted, recheckAt };
}

/** updatePdbStatus: the counts, observedGeneration and the DisruptionAllowed condition. */
export function nextStatus(pdb: PDB, s: { currentHealthy: number; desiredHealthy: number; expectedPods: number; disruptedPods: Record<string, string> }, now: number): Status {
  let allowed = s.currentHealthy - s.desiredHealthy;
  if (s.expectedPods <= 0 || allowed <= 0) allowed = 0;
  const status: Status = {
    ...(pdb.status ?? {}),
    currentHealthy: s.currentHealthy,
    desiredHealthy: s.desiredHealthy,
    expectedPods: s.expectedPods,
    disruptionsAllowed: allowed,
    observedGeneration: pdb.metadata.generation ?? 0,
  };
  if (Object.keys(s.disruptedPods).length) status.disruptedPods = s.disruptedPods;
  else delete status.disruptedPods;
  status.conditions = withCondition(status, allowed > 0 ? { status: 'True', reason: 'SufficientPods', message: '' } : { status: 'False', reason: 'InsufficientPods', message: '' }, now);
  return status;
}

/** failSafe: when the budget cannot be computed, it allows nothing. */
export function failSafe(pdb: PDB, message: string, now: number): Status {
  const status: Status = { currentHealthy: 0, desiredHealthy: 0, expectedPods: 0, ...(pdb.status ?? {}), disruptionsAllowed: 0, observedGeneration: pdb.metadata.generation ?? 0 };
  status.conditions = withCondition(status, { status: 'False', reason: 'SyncFailed', message }, now);
  return status;
}

function withCondition(status: Status, c: { status: 'True' | 'False'; reason: string; message: string }, now: number): Status['conditions'] {
  const old = (status.conditions ?? []).find((x) => x.type === 'DisruptionAllowed');
  const cond = {
    type: 'DisruptionAllowed',
    status: c.status,
    reason: c.reason,
    message: c.message,
    observedGeneration: status.observedGeneration,
    lastTransitionTime: old && old.status === c.status ? old.lastTransitionTime : rfc3339(now),
  };
  return [...(status.conditions ?? []).filter((x) => x.type !== 'DisruptionAllowed'), cond];
}
