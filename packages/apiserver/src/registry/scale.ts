// The scale subresource: an autoscaling/v1 Scale view of a workload's replicas.
import { selectorToString, type KubeObject } from '@k8ts/api';

export function scaleOf(obj: KubeObject): KubeObject {
  const m = obj.metadata;
  return {
    apiVersion: 'autoscaling/v1',
    kind: 'Scale',
    metadata: { name: m.name, namespace: m.namespace, uid: m.uid, resourceVersion: m.resourceVersion, creationTimestamp: m.creationTimestamp },
    spec: { replicas: obj.spec?.replicas ?? 0 },
    status: { replicas: obj.status?.replicas ?? 0, selector: selectorToString(obj.spec?.selector) },
  };
}
