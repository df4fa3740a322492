// The cluster's default StorageClass, `local-path` (as k3s ships it): made once when the
// apiserver starts and it is missing. A class the administrator changed or replaced is left
// alone; a deleted one comes back at the next start, as k3s' packaged manifests do.
import { ANN_DEFAULT_STORAGE_CLASS, LOCAL_PATH_PROVISIONER, LOCAL_PATH_STORAGE_CLASS, type KubeObject } from '@k8ts/api';
import { isAlreadyExists } from '@k8ts/client';
import type { Registry } from '../registry/types.js';

export const LOCAL_PATH_CLASS: KubeObject = {
  apiVersion: 'storage.k8s.io/v1',
  kind: 'StorageClass',
  metadata: { name: LOCAL_PATH_STORAGE_CLASS, annotations: { [ANN_DEFAULT_STORAGE_CLASS]: 'true' } },
  provisioner: LOCAL_PATH_PROVISIONER,
  reclaimPolicy: 'Delete',
  volumeBindingMode: 'WaitForFirstConsumer',
} as KubeObject;

export async function ensureDefaultStorageClass(registry: Pick<Registry, 'create'>): Promise<void> {
  try {
    await registry.create('storageclasses', '', structuredClone(LOCAL_PATH_CLASS));
  } catch (e) {
    if (!isAlreadyExists(e)) throw e;
  }
}
