// The storage admission plugins every kube-apiserver enables by default:
// DefaultStorageClass (a claim that names no class gets the cluster's default one) and
// StorageObjectInUseProtection (new claims and volumes carry the pvc-protection and
// pv-protection finalizers, which the controller-manager removes once nothing uses them) and
// PersistentVolumeClaimResize (a bound claim grows only when its class allows expansion).
import {
  ANN_BETA_STORAGE_CLASS,
  PVC_PROTECTION_FINALIZER,
  PV_PROTECTION_FINALIZER,
  claimStorageClass,
  defaultStorageClass,
  forbidden,
  parseQuantity,
  type KubeObject,
} from '@k8ts/api';
import type { AdmissionPlugin } from '../registry/admission.js';
import type { Registry } from '../registry/types.js';

/** The three, in kube-apiserver's order. */
export function registerStorageAdmission(registry: Pick<Registry, 'list' | 'get' | 'registerAdmission'>): void {
  registry.registerAdmission(defaultStorageClassAdmission(registry));
  registry.registerAdmission(storageObjectInUseProtection());
  registry.registerAdmission(persistentVolumeClaimResize(registry));
}

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

function storageBytes(pvc: KubeObject | undefined): number {
  try {
    return parseQuantity(pvc?.spec?.resources?.requests?.storage ?? '0');
  } catch {
    return NaN; // validation reports it
  }
}

export function persistentVolumeClaimResize(registry: Pick<Registry, 'get'>): AdmissionPlugin {
  return {
    name: 'PersistentVolumeClaimResize',
    async validate(req) {
      if (req.operation !== 'UPDATE' || req.resource !== 'persistentvolumeclaims' || req.subresource !== '' || !req.object || !req.oldObject) return;
      if (!(storageBytes(req.object) > storageBytes(req.oldObject))) return;
      const refuse = (why: string) => forbidden('persistentvolumeclaims', req.name, why);
      if (req.oldObject.status?.phase !== 'Bound') throw refuse('only dynamically provisioned pvc can be resized and the storageclass that provisions the pvc must support resize');
      let sc: KubeObject | undefined;
      try {
        sc = await registry.get('storageclasses', '', claimStorageClass(req.oldObject));
      } catch {
        sc = undefined;
      }
      if ((sc as { allowVolumeExpansion?: boolean } | undefined)?.allowVolumeExpansion !== true)
        throw refuse('only dynamically provisioned pvc can be resized and the storageclass that provisions the pvc must support resize');
    },
  };
}
