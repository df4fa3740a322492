// Storage rules shared by the binder, the provisioner, the scheduler and the apiserver: the
// well-known annotations (as Kubernetes and rancher's local-path-provisioner name them),
// which class a claim asks for, which volume can serve a claim, and access modes as kubectl
// abbreviates them.
import { parseQuantity } from '../quantity.js';
import { labelSelectorFromObject } from '../selectors/labels.js';
import { compileNodeSelectorTerms, type NodeLabels } from './node-selector.js';

export const ANN_DEFAULT_STORAGE_CLASS = 'storageclass.kubernetes.io/is-default-class';
export const ANN_BETA_DEFAULT_STORAGE_CLASS = 'storageclass.beta.kubernetes.io/is-default-class';
/** The claim's class before spec.storageClassName existed; still read first, as upstream. */
export const ANN_BETA_STORAGE_CLASS = 'volume.beta.kubernetes.io/storage-class';
export const ANN_SELECTED_NODE = 'volume.kubernetes.io/selected-node';
export const ANN_STORAGE_PROVISIONER = 'volume.kubernetes.io/storage-provisioner';
export const ANN_BETA_STORAGE_PROVISIONER = 'volume.beta.kubernetes.io/storage-provisioner';
export const ANN_BIND_COMPLETED = 'pv.kubernetes.io/bind-completed';
export const ANN_BOUND_BY_CONTROLLER = 'pv.kubernetes.io/bound-by-controller';
export const ANN_PROVISIONED_BY = 'pv.kubernetes.io/provisioned-by';
export const PVC_PROTECTION_FINALIZER = 'kubernetes.io/pvc-protection';
export const PV_PROTECTION_FINALIZER = 'kubernetes.io/pv-protection';
/** The provisioner of the `local-path` class, named as rancher's local-path-provisioner is. */
export const LOCAL_PATH_PROVISIONER = 'rancher.io/local-path';
export const LOCAL_PATH_STORAGE_CLASS = 'local-path';
/**
 * The Node annotation naming the node's local-path volume folder (under its agent's state
 * dir): the agent publishes it, the local-path provisioner puts each volume's folder there.
 */
export const LOCAL_PATH_DIR_ANNOTATION = 'k8ts.io/local-path-dir';
/** A class whose volumes are made by hand (static local volumes): nothing provisions them. */
export const NO_PROVISIONER = 'kubernetes.io/no-provisioner';

type Obj = Record<string, any>;

/** The class a claim asks for: the beta annotation, then spec.storageClassName; "" for none. */
export function claimStorageClass(pvc: Obj): string {
  const ann = pvc.metadata?.annotations?.[ANN_BETA_STORAGE_CLASS];
  if (typeof ann === 'string') return ann;
  return typeof pvc.spec?.storageClassName === 'string' ? pvc.spec.storageClassName : '';
}

export function volumeStorageClass(pv: Obj): string {
  const ann = pv.metadata?.annotations?.[ANN_BETA_STORAGE_CLASS];
  if (typeof ann === 'string') return ann;
  return typeof pv.spec?.storageClassName === 'string' ? pv.spec.storageClassName : '';
}

export function isDefaultStorageClass(sc: Obj): boolean {
  const a = sc.metadata?.annotations ?? {};
  return a[ANN_DEFAULT_STORAGE_CLASS] === 'true' || a[ANN_BETA_DEFAULT_STORAGE_CLASS] === 'true';
}

/** GetDefaultClass: of several default classes the newest wins (then the first by name). */
export function defaultStorageClass<T extends Obj>(classes: readonly T[]): T | undefined {
  const defaults = classes.filter(isDefaultStorageClass);
  defaults.sort((a, b) => {
    const ta = Date.parse(a.metadata?.creationTimestamp ?? '') || 0;
    const tb = Date.parse(b.metadata?.creationTimestamp ?? '') || 0;
    if (ta !== tb) return tb - ta;
    return String(a.metadata?.name) < String(b.metadata?.name) ? -1 : 1;
  });
  return defaults[0];
}

const ABBREV: Record<string, string> = { ReadWriteOnce: 'RWO', ReadOnlyMany: 'ROX', ReadWriteMany: 'RWX', ReadWriteOncePod: 'RWOP' };

/** helper.GetAccessModesAsString: "RWO,ROX,RWX,RWOP" in that fixed order, each once. */
export function accessModesAsString(modes: readonly string[] | undefined): string {
  const have = new Set(modes ?? []);
  return ['ReadWriteOnce', 'ReadOnlyMany', 'ReadWriteMany', 'ReadWriteOncePod'].filter((m) => have.has(m)).map((m) => ABBREV[m]).join(',');
}

function storageOf(q: unknown): number {
  try {
    return parseQuantity(q as string);
  } catch {
    return NaN;
  }
}

export function claimRequestBytes(pvc: Obj): number {
  return storageOf(pvc.spec?.resources?.requests?.storage);
}

export function volumeCapacityBytes(pv: Obj): number {
  return storageOf(pv.spec?.capacity?.storage);
}

/** Does the volume's node affinity admit this node? A volume without affinity fits anywhere. */
export function volumeFitsNode(pv: Obj, node: NodeLabels): boolean {
  const terms = pv.spec?.nodeAffinity?.required?.nodeSelectorTerms;
  if (!terms) return true;
  try {
    return compileNodeSelectorTerms(terms, 'spec.nodeAffinity.required.nodeSelectorTerms')(node);
  } catch {
    return false;
  }
}

/**
 * Why a volume cannot serve a claim, or "" when it can (the binder's checkVolumeSatisfyClaim
 * plus findMatchingVolume's filters): class, size, access modes, volume mode, selector.
 * A volume pre-bound to another claim, or being deleted, never matches.
 */
export function volumeClaimMismatch(pv: Obj, pvc: Obj): string {
  const ref = pv.spec?.claimRef;
  if (ref && (ref.name !== pvc.metadata?.name || (ref.namespace ?? '') !== (pvc.metadata?.namespace ?? '') || (ref.uid && ref.uid !== pvc.metadata?.uid)))
    return 'volume is bound or reserved for another claim';
  if (pv.metadata?.deletionTimestamp) return 'volume is being deleted';
  if (volumeStorageClass(pv) !== claimStorageClass(pvc)) return 'storageClassName does not match';
  const want = claimRequestBytes(pvc);
  const have = volumeCapacityBytes(pv);
  if (!(have >= want)) return 'requested PV is too small';
  const modes: string[] = pv.spec?.accessModes ?? [];
  for (const m of pvc.spec?.accessModes ?? []) if (!modes.includes(m)) return 'incompatible accessMode';
  if ((pv.spec?.volumeMode ?? 'Filesystem') !== (pvc.spec?.volumeMode ?? 'Filesystem')) return 'incompatible volumeMode';
  if (pvc.spec?.selector) {
    try {
      if (!labelSelectorFromObject(pvc.spec.selector).matches(pv.metadata?.labels)) return 'volume labels do not match the claim selector';
    } catch {
      return 'invalid claim selector';
    }
  }
  return '';
}

/**
 * findMatchingVolume: of the volumes that can serve the claim, one pre-bound to it first,
 * else the smallest that fits (Available, unclaimed). `node`, when given (delayed binding),
 * rules out volumes whose node affinity excludes it.
 */
export function findMatchingVolume<T extends Obj>(pvc: Obj, volumes: readonly T[], node?: NodeLabels): T | undefined {
  let best: T | undefined;
  for (const pv of volumes) {
    if (volumeClaimMismatch(pv, pvc)) continue;
    if (node && !volumeFitsNode(pv, node)) continue;
    const ref = pv.spec?.claimRef;
    if (ref) return pv; // pre-bound to this claim
    if (pv.status?.phase && pv.status.phase !== 'Available' && pv.status.phase !== 'Pending') continue;
    if (!best || volumeCapacityBytes(pv) < volumeCapacityBytes(best)) best = pv;
  }
  return best;
}

/** The claims a pod's volumes name (persistentVolumeClaim and generic ephemeral volumes). */
export function podClaimNames(pod: Obj): string[] {
  const out: string[] = [];
  for (const v of pod.spec?.volumes ?? []) {
    if (v?.persistentVolumeClaim?.claimName) out.push(v.persistentVolumeClaim.claimName);
    else if (v?.ephemeral && v.name) out.push(`${pod.metadata?.name}-${v.name}`);
  }
  return out;
}
