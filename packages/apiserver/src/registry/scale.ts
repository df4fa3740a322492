// The scale subresource: an autoscaling/v1 Scale view of a workload's replicas.
import type { KubeObject } from '@k8ts/api';
import * as api from '@k8ts/api';

function selectorString(sel: unknown): string {
  const f = (api as unknown as Record<string, unknown>).selectorToString;
  // TODO(@k8ts/api): selectorToString lands with the selectors; until then status.selector is "".
  return typeof f === 'function' ? (f as (s: unknown) => string)(sel) : '';
}

export function scaleOf(obj: KubeObject): KubeObject {
  const m = obj.metadata;
  return {
    apiVersion: 'autoscaling/v1',
    kind: 'Scale',
    metadata: { name: m.name, namespace: m.namespace, uid: m.uid, resourceVersion: m.resourceVersion, creationTimestamp: m.creationTimestamp },
    spec: { replicas: obj.spec?.replicas ?? 0 },
    status: { replicas: obj.status?.replicas ?? 0, selector: selectorString(obj.spec?.selector) },
  };
}
