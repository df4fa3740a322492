// getExpectedPodCount: how many pods a budget expects (its controllers' scale, or the pods
// themselves for an integer minAvailable) and how many of them must stay healthy.
import { controllerRef, resourceForKind, type Deployment, type KubeObject, type Pod, type PodDisruptionBudget, type ReplicaSet } from '@k8ts/api';
import type { Lister } from '../framework/types.js';
import { scaledValue } from '../util/intstr.js';

export interface ScaleListers {
  replicasets: Lister<ReplicaSet>;
  deployments: Lister<Deployment>;
  /** GET of a controller's scale subresource: the finder of last resort, for any kind with one (StatefulSets…). */
  getScale?: (resource: string, namespace: string, name: string) => Promise<KubeObject>;
}

export interface ExpectedCount {
  expectedCount: number;
  desiredHealthy: number;
  /** Selected pods no controller owns: they count toward health but not toward the scale. */
  unmanagedPods: string[];
}

export async function expectedPodCount(pdb: PodDisruptionBudget, pods: Pod[], listers: ScaleListers): Promise<ExpectedCount> {
  const spec = pdb.spec ?? {};
  const maxUnavailable = spec.maxUnavailable as number | string | undefined | null;
  const minAvailable = spec.minAvailable as number | string | undefined | null;
  if (maxUnavailable !== undefined && maxUnavailable !== null) {
    const { expectedCount, unmanagedPods } = await expectedScale(pods, listers);
    const max = scaledValue(maxUnavailable, expectedCount, true, 0);
    return { expectedCount, desiredHealthy: Math.max(0, expectedCount - max), unmanagedPods };
  }
  if (minAvailable !== undefined && minAvailable !== null) {
    if (typeof minAvailable === 'number') return { expectedCount: pods.length, desiredHealthy: minAvailable, unmanagedPods: [] };
    const { expectedCount, unmanagedPods } = await expectedScale(pods, listers);
    return { expectedCount, desiredHealthy: scaledValue(minAvailable, expectedCount, true, 0), unmanagedPods };
  }
  return { expectedCount: 0, desiredHealthy: 0, unmanagedPods: [] };
}

/** getExpectedScale: the summed scale of the pods' controllers, each counted once. */
async function expectedScale(pods: Pod[], listers: ScaleListers): Promise<{ expectedCount: number; unmanagedPods: string[] }> {
  const scales = new Map<string, number>();
  const seenRefs = new Set<string>();
  const unmanagedPods: string[] = [];
  for (const pod of pods) {
    const ref = controllerRef(pod as KubeObject);
    if (!ref) {
      unmanagedPods.push(pod.metadata.name!);
      continue;
    }
    if (seenRefs.has(ref.uid)) continue;
    const found = findController(ref, pod.metadata.namespace ?? '', listers) ?? (await scaleController(ref, pod.metadata.namespace ?? '', listers));
    if (!found) throw new Error(`found no controllers for pod "${pod.metadata.name}"`);
    seenRefs.add(ref.uid);
    scales.set(found.uid, found.scale);
  }
  let expectedCount = 0;
  for (const n of scales.values()) expectedCount += n;
  return { expectedCount, unmanagedPods };
}

/** The finders: a ReplicaSet a Deployment owns answers with the Deployment's scale. */
function findController(ref: { kind: string; name: string; uid: string; apiVersion: string }, ns: string, listers: ScaleListers): { uid: string; scale: number } | undefined {
  if (ref.kind !== 'ReplicaSet' || !ref.apiVersion.startsWith('apps/')) return undefined;
  const rs = listers.replicasets.get(ns, ref.name);
  if (!rs || rs.metadata.uid !== ref.uid) return undefined;
  const owner = controllerRef(rs as KubeObject);
  if (owner?.kind === 'Deployment' && owner.apiVersion.startsWith('apps/')) {
    const d = listers.deployments.get(ns, owner.name);
    if (!d || d.metadata.uid !== owner.uid) return undefined;
    return { uid: d.metadata.uid!, scale: d.spec?.replicas ?? 1 };
  }
  return { uid: rs.metadata.uid!, scale: rs.spec?.replicas ?? 1 };
}

/** getScaleController: a controller of any kind that serves /scale, by its Scale (uid checked). */
async function scaleController(ref: { kind: string; name: string; uid: string; apiVersion: string }, ns: string, listers: ScaleListers): Promise<{ uid: string; scale: number } | undefined> {
  const info = resourceForKind(ref.kind);
  const group = ref.apiVersion.includes('/') ? ref.apiVersion.split('/')[0] : '';
  if (!listers.getScale || !info || info.group !== group || !info.subresources.includes('scale')) return undefined;
  try {
    const scale = await listers.getScale(info.resource, ns, ref.name);
    if (scale.metadata?.uid !== ref.uid) return undefined;
    return { uid: ref.uid, scale: Number(scale.spec?.replicas ?? 0) };
  } catch {
    return undefined;
  }
}
