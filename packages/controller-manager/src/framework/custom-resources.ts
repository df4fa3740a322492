// The custom resources the cluster's CustomResourceDefinitions serve, known in this process
// too: an informer over the CRDs keeps @k8ts/api's RESOURCES current (setCustomResources),
// so owner references to custom kinds resolve and namespaces' custom objects are found, and
// tells a controller of each new custom resource so it can inform itself of its objects, as
// kube-controller-manager's garbage collector follows discovery.
import { customResourceInfos, setCustomResources, type CustomResourceDefinition, type KubeObject, type ResourceInfo } from '@k8ts/api';
import type { WiringContext } from './wiring.js';

const CRDS = 'customresourcedefinitions';

export function followCustomResources(w: WiringContext, onResource?: (info: ResourceInfo) => void): void {
  const inf = w.informer<KubeObject>(CRDS);
  const seen = new Set<string>();
  let served = '';
  const refresh = () => {
    const crds = inf.list() as unknown as CustomResourceDefinition[];
    const infos = crds.sort((a, b) => String(a.metadata.name).localeCompare(String(b.metadata.name))).flatMap((c) => customResourceInfos(c, { includeTerminating: true }));
    const signature = JSON.stringify(infos);
    if (signature !== served) {
      served = signature;
      setCustomResources(infos);
    }
    for (const info of infos) {
      if (info.viewOf || seen.has(info.resource)) continue;
      seen.add(info.resource);
      onResource?.(info);
    }
  };
  inf.addEventHandler({ onAdd: refresh, onUpdate: refresh, onDelete: refresh });
}
