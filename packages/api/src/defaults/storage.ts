// Defaulting of PersistentVolumes, PersistentVolumeClaims (core/v1 defaults.go) and
// StorageClasses (storage/v1 defaults.go).

type Obj = Record<string, any>;

export function defaultPersistentVolume(obj: Obj): void {
  const spec = (obj.spec ??= {});
  spec.persistentVolumeReclaimPolicy ||= 'Retain';
  spec.volumeMode ||= 'Filesystem';
  if (spec.hostPath && spec.hostPath.type === undefined) spec.hostPath.type = '';
  obj.status ??= {};
  obj.status.phase ||= 'Pending';
}

export function defaultPersistentVolumeClaim(obj: Obj): void {
  const spec = (obj.spec ??= {});
  spec.volumeMode ||= 'Filesystem';
  obj.status ??= {};
  obj.status.phase ||= 'Pending';
}

export function defaultStorageClass(obj: Obj): void {
  obj.reclaimPolicy ||= 'Delete';
  obj.volumeBindingMode ||= 'Immediate';
}
