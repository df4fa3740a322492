// apps/v1 SetDefaults_StatefulSet (pkg/apis/apps/v1/defaults.go), with the StatefulSetAutoDeletePVC
// gate on as it is since 1.32; MaxUnavailableStatefulSet is alpha (off), so no maxUnavailable.
import { defaultPodTemplate } from './pod.js';

type Obj = Record<string, any>;

const unset = (v: unknown) => v === undefined || v === null;

export function defaultStatefulSet(obj: Obj): void {
  const spec = (obj.spec ??= {});
  spec.podManagementPolicy ||= 'OrderedReady';
  spec.updateStrategy ??= {};
  if (!spec.updateStrategy.type) {
    spec.updateStrategy.type = 'RollingUpdate';
    spec.updateStrategy.rollingUpdate ??= {};
  }
  const ru = spec.updateStrategy.rollingUpdate;
  if (spec.updateStrategy.type === 'RollingUpdate' && ru && typeof ru === 'object' && unset(ru.partition)) ru.partition = 0;
  spec.persistentVolumeClaimRetentionPolicy ??= {};
  spec.persistentVolumeClaimRetentionPolicy.whenDeleted ||= 'Retain';
  spec.persistentVolumeClaimRetentionPolicy.whenScaled ||= 'Retain';
  if (unset(spec.replicas)) spec.replicas = 1;
  if (unset(spec.revisionHistoryLimit)) spec.revisionHistoryLimit = 10;
  // The claim templates take a PersistentVolumeClaim's defaults (SetObjectDefaults_StatefulSet).
  if (Array.isArray(spec.volumeClaimTemplates))
    for (const t of spec.volumeClaimTemplates) {
      if (!t || typeof t !== 'object') continue;
      t.spec ??= {};
      if (t.spec && typeof t.spec === 'object') t.spec.volumeMode ||= 'Filesystem';
      t.status ??= {};
      if (t.status && typeof t.status === 'object') t.status.phase ||= 'Pending';
    }
  defaultPodTemplate(spec.template);
}
