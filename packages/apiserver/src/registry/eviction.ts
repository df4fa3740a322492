// pods/eviction, as kube-apiserver's EvictionREST: a pod that is not running yet, has finished
// or is already terminating is deleted at once; otherwise the PodDisruptionBudget covering it
// must allow a disruption, which the eviction takes (disruptionsAllowed - 1, the pod recorded
// in disruptedPods so the disruption controller does not count it healthy) before deleting.
// A budget that allows none is a 429 the client retries (`kubectl drain` does, every 5 s).
import { isPodReady, labelSelectorFromObject, rfc3339, type KubeObject } from '@k8ts/api';
import type { WriteOpts } from './types.js';
import type { RegistryCore } from './core.js';
import { objectKey } from '../storage/keys.js';
import * as errs from './errors.js';
import { clone } from './object-utils.js';
import { list } from './read.js';
import { casUpdate } from './update.js';
import { deleteObject } from './delete.js';
import { MAX_RETRIES } from './core.js';

/** MaxDisruptedPodSize: evictions the disruption controller has not confirmed yet, at most. */
const MAX_DISRUPTED_PODS = 2000;
const EVICTION_REFUSED = "Cannot evict pod as it would violate the pod's disruption budget.";
const DISRUPTION_BUDGET_CAUSE = 'DisruptionBudget';

export async function evictPod(reg: RegistryCore, ns: string, name: string, body: KubeObject, opts: WriteOpts): Promise<KubeObject> {
  const deleteOptions = (body as any)?.deleteOptions ?? {};
  const pod = await reg.store.get(objectKey('pods', ns, name));
  if (!pod) throw errs.notFound('pods', name);
  if (!canIgnorePDB(pod)) await takeDisruption(reg, ns, pod, !!opts.dryRun);
  if (!opts.dryRun) await markDisruptionTarget(reg, ns, name);
  await deleteObject(reg, 'pods', ns, name, { ...deleteOptions, dryRun: opts.dryRun });
  return errs.successStatus(201) as unknown as KubeObject;
}

/** addConditionAndDeletePod: the pod says why it goes (DisruptionTarget, EvictionByEvictionAPI) before it is deleted. */
async function markDisruptionTarget(reg: RegistryCore, ns: string, name: string): Promise<void> {
  const info = reg.resourceInfo('pods');
  const key = objectKey('pods', ns, name);
  for (let attempt = 0; attempt <= MAX_RETRIES; attempt++) {
    const cur = await reg.store.get(key);
    if (!cur || cur.metadata.deletionTimestamp) return;
    if ((cur.status?.conditions ?? []).some((c: { type?: string; status?: string }) => c.type === 'DisruptionTarget' && c.status === 'True')) return;
    const next = clone(cur);
    next.status = { ...(next.status ?? {}) };
    next.status.conditions = [
      ...(next.status.conditions ?? []).filter((c: { type?: string }) => c.type !== 'DisruptionTarget'),
      { type: 'DisruptionTarget', status: 'True', reason: 'EvictionByEvictionAPI', message: 'Eviction API: evicting', lastTransitionTime: rfc3339(new Date()) },
    ];
    if ((await casUpdate(reg, info, key, cur, next, 'status', {})).ok) return;
  }
}

/** Pods that never ran, have finished, or are already going need no budget. */
function canIgnorePDB(pod: KubeObject): boolean {
  const phase = pod.status?.phase;
  return phase === 'Succeeded' || phase === 'Failed' || phase === 'Pending' || !!pod.metadata.deletionTimestamp;
}

async function takeDisruption(reg: RegistryCore, ns: string, pod: KubeObject, dryRun: boolean): Promise<void> {
  const pdbs = (await list(reg, 'poddisruptionbudgets', { namespace: ns })).items.filter((pdb) => covers(pdb, pod));
  // kube-apiserver answers 500 here; k8ts answers no input with a 5xx. 429, as for a budget
  // that allows nothing: kubectl drain shows the message and retries while the budgets are fixed.
  if (pdbs.length > 1) throw errs.statusError(429, 'TooManyRequests', 'This pod has more than one PodDisruptionBudget, which the eviction subresource does not support.');
  if (!pdbs.length) return;
  let pdb = pdbs[0]!;
  const s = pdb.status ?? {};
  const policy = pdb.spec?.unhealthyPodEvictionPolicy;
  // An unready pod is no healthy pod to lose: evictable while the budget is met (IfHealthyBudget) or always (AlwaysAllow).
  if (!isPodReady(pod as never) && (policy === 'AlwaysAllow' || ((s.currentHealthy ?? 0) >= (s.desiredHealthy ?? 0) && (s.desiredHealthy ?? 0) > 0))) return;
  const info = reg.resourceInfo('poddisruptionbudgets');
  const key = objectKey('poddisruptionbudgets', ns, pdb.metadata.name!);
  for (let attempt = 0; ; attempt++) {
    const next = checkAndDecrement(pdb, pod.metadata.name!, dryRun);
    if (dryRun) return;
    const r = await casUpdate(reg, info, key, pdb, next, 'status', {});
    if (r.ok) return;
    if (attempt >= MAX_RETRIES) throw errs.conflict('poddisruptionbudgets', pdb.metadata.name!);
    const cur = r.current ?? (await reg.store.get(key));
    if (!cur) throw errs.notFound('poddisruptionbudgets', pdb.metadata.name!);
    pdb = cur;
  }
}

function covers(pdb: KubeObject, pod: KubeObject): boolean {
  const sel = pdb.spec?.selector;
  // "If a PDB with a nil or empty selector creeps in, it should match nothing, not everything."
  try {
    const m = labelSelectorFromObject(sel);
    return !m.empty && m.matches(pod.metadata.labels ?? {});
  } catch {
    return false;
  }
}

/** checkAndDecrement: the budget with one disruption taken, or the error that refuses it. */
export function checkAndDecrement(pdb: KubeObject, podName: string, dryRun: boolean, now = new Date()): KubeObject {
  const s = pdb.status ?? {};
  const name = pdb.metadata.name!;
  if ((s.observedGeneration ?? 0) < (pdb.metadata.generation ?? 0)) {
    throw tooManyRequests(10, `The disruption budget ${name} is still being processed by the server.`);
  }
  const allowed = s.disruptionsAllowed ?? 0;
  if (allowed < 0) throw errs.forbidden('poddisruptionbudget.policy', name, 'pdb disruptions allowed is negative');
  if (Object.keys(s.disruptedPods ?? {}).length > MAX_DISRUPTED_PODS) {
    throw errs.forbidden('poddisruptionbudget.policy', name, 'DisruptedPods map too big - too many evictions not confirmed by PDB controller');
  }
  if (allowed === 0) {
    throw tooManyRequests(0, `The disruption budget ${name} needs ${s.desiredHealthy ?? 0} healthy pods and has ${s.currentHealthy ?? 0} currently`);
  }
  const next = clone(pdb);
  const status = (next.status ??= {});
  status.disruptionsAllowed = allowed - 1;
  if (status.disruptionsAllowed === 0) {
    const old = (status.conditions ?? []).find((c: { type?: string }) => c.type === 'DisruptionAllowed');
    const since = old?.status === 'False' && old.lastTransitionTime ? old.lastTransitionTime : rfc3339(now);
    status.conditions = [
      ...(status.conditions ?? []).filter((c: { type?: string }) => c.type !== 'DisruptionAllowed'),
      { type: 'DisruptionAllowed', status: 'False', reason: 'InsufficientPods', message: '', observedGeneration: status.observedGeneration ?? 0, lastTransitionTime: since },
    ];
  }
  if (!dryRun) status.disruptedPods = { ...(status.disruptedPods ?? {}), [podName]: rfc3339(now) };
  return next;
}

function tooManyRequests(retryAfterSeconds: number, cause: string) {
  const details: Record<string, unknown> = { causes: [{ reason: DISRUPTION_BUDGET_CAUSE, message: cause }] };
  if (retryAfterSeconds) details.retryAfterSeconds = retryAfterSeconds;
  return errs.statusError(429, 'TooManyRequests', EVICTION_REFUSED, details);
}
