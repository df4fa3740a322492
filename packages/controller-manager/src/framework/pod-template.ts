// controller.GetPodFromTemplate: what a workload controller creates from its template.
import type { Pod, PodTemplateSpec, OwnerReference } from '@k8ts/api';
import { deepCopy } from '@k8ts/api';

export function podFromTemplate(template: PodTemplateSpec, namespace: string, generateName: string, ref: OwnerReference): Pod {
  const t = deepCopy(template);
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      generateName,
      namespace,
      labels: t.metadata?.labels ?? {},
      ...(t.metadata?.annotations ? { annotations: t.metadata.annotations } : {}),
      ...(t.metadata?.finalizers ? { finalizers: t.metadata.finalizers } : {}),
      ownerReferences: [ref],
    },
    spec: t.spec!,
  };
}
