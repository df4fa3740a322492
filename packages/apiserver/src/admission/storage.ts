// The storage admission plugins every kube-apiserver enables by default:
// DefaultStorageClass (a claim that names no class gets the cluster's default one) and
// StorageObjectInUseProtection (new claims and volumes carry the pvc-protection and
// pv-protection finalizers, which the controller-manager removes once nothing uses them).
import { ANN_BETA_STORAGE_CLASS, PVC_PROTECTION_FINALIZER, PV_PROTECTION_FINALIZER, defaultStorageClass, type KubeObject } from '@k8ts/api';
import type { AdmissionPlugin } from '../registry/admission.js';
import type { Registry } from '../registry/types.js';

export function defaultStorageClassAdmission(registry: Pick<Registry, 'list'>): AdmissionPlugin {
  return {
    name: 'DefaultStorageClass',
    async admit(req) {
      if (req.operation !== 'CREATE' || req.resource !== 'persistentvolumeclaims' || req.subresource !== '' || !req.object) return;
      const pvc = req.object;
      // "" asks for no class; only an absent class is defaulted.
      if (pvc.spec?.storageClassName !== undefined && pvc.spec?.storageClassName !== null) return;
      if (pvc.metadata?.annotations?.[ANN_BETA_STORAGE_CLASS] !== undefined) return;
      const classes = (await registry.list('storageclasses', {})).items as KubeObject[];
      const def = defaultStorageClass(classes);
      if (!def) return;
      pvc.spec = { ...(pvc.spec ?? {}), storageClassName: def.metadata.name };
    },
  };
}

export function storageObjectInUseProtection(): AdmissionPlugin {
  const finalizerFor: Record<string, string> = { persistentvolumeclaims: PVC_PROTECTION_FINALIZER, persistentvolumes: PV_PROTECTION_FINALIZER };
  return {
    name: 'StorageObjectInUseProtection',
    admit(req) {
      const fin = finalizerFor[req.resource];
      if (!fin || req.operation !== 'CREATE' || req.subresource !== '' || !req.object) return;
      const m = req.object.metadata;
      const list: string[] = Array.isArray(m.finalizers) ? m.finalizers : [];
      if (!list.includes(fin)) m.finalizers = [...list, fin];
    },
  };
}
