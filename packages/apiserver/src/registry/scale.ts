// The scale subresource: an autoscaling/v1 Scale view of a workload's replicas; for a custom
// resource, of the fields its CRD's scale subresource names (specReplicasPath,
// statusReplicasPath, labelSelectorPath), as kube-apiserver's custom scale does.
import { selectorToString, type KubeObject, type ResourceInfo } from '@k8ts/api';

function steps(path: string): string[] {
  return path.replace(/^\./, '').split('.');
}

function read(obj: unknown, path: string): unknown {
  let v = obj;
  for (const k of steps(path)) v = v && typeof v === 'object' && !Array.isArray(v) && Object.hasOwn(v, k) ? (v as Record<string, unknown>)[k] : undefined;
  return v;
}

/** Writes `value` at `path` (a path under .spec, checked when the CRD was), making objects on the way. */
export function writeReplicas(obj: KubeObject, info: ResourceInfo, replicas: number): void {
  const path = info.custom?.scale?.specReplicasPath;
  if (!path) {
    obj.spec = { ...(obj.spec ?? {}), replicas };
    return;
  }
  const keys = steps(path);
  let o = obj as Record<string, unknown>;
  for (const k of keys.slice(0, -1)) {
    const next = o[k];
    o = o[k] = next && typeof next === 'object' && !Array.isArray(next) ? { ...(next as object) } : {};
  }
  o[keys[keys.length - 1]!] = replicas;
}

export function scaleOf(obj: KubeObject, info?: ResourceInfo): KubeObject {
  const m = obj.metadata;
  const scale = info?.custom?.scale;
  const metadata = { name: m.name, namespace: m.namespace, uid: m.uid, resourceVersion: m.resourceVersion, creationTimestamp: m.creationTimestamp };
  if (scale) {
    const num = (v: unknown) => (typeof v === 'number' && Number.isInteger(v) ? v : 0);
    const selector = scale.labelSelectorPath ? read(obj, scale.labelSelectorPath) : undefined;
    const status: Record<string, unknown> = { replicas: num(read(obj, scale.statusReplicasPath)) };
    if (typeof selector === 'string' && selector) status.selector = selector;
    return { apiVersion: 'autoscaling/v1', kind: 'Scale', metadata, spec: { replicas: num(read(obj, scale.specReplicasPath)) }, status };
  }
  return {
    apiVersion: 'autoscaling/v1',
    kind: 'Scale',
    metadata,
    spec: { replicas: obj.spec?.replicas ?? 0 },
    status: { replicas: obj.status?.replicas ?? 0, selector: selectorToString(obj.spec?.selector) },
  };
}
