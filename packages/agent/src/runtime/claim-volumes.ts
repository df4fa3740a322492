// persistentVolumeClaim volumes: the claim must be bound, and its volume a folder on this
// node (hostPath, as the local-path provisioner makes them, or local), which is bind-mounted
// like a hostPath. The folder is made here on first mount (mode 0777, as rancher's
// local-path helper makes it) and outlives the pod: the provisioner removes it when the
// volume is released with reclaimPolicy Delete. Until the claim is bound the pod waits in
// ContainerCreating, with the kubelet's words in a FailedMount event.
import { chmodSync, existsSync, mkdirSync, statSync } from 'node:fs';
import { VolumeMountError, type ObjectLookup } from './config-error.js';

export async function claimVolumePath(namespace: string, claimName: string, lookup: ObjectLookup): Promise<string> {
  const what = `error processing PVC ${namespace}/${claimName}`;
  if (!lookup.persistentVolumeClaim || !lookup.persistentVolume) throw new VolumeMountError(`${what}: this node cannot read claims`);
  const pvc = await lookup.persistentVolumeClaim(namespace, claimName);
  if (!pvc) throw new VolumeMountError(`${what}: failed to fetch PVC from API server: persistentvolumeclaims "${claimName}" not found`);
  if (pvc.metadata?.deletionTimestamp) throw new VolumeMountError(`${what}: can't start pod because PVC is being deleted`);
  const volumeName: string = pvc.spec?.volumeName ?? '';
  if (pvc.status?.phase !== 'Bound' || !volumeName) throw new VolumeMountError(`${what}: PVC is not bound`);
  const pv = await lookup.persistentVolume(volumeName);
  if (!pv) throw new VolumeMountError(`${what}: failed to fetch PV ${volumeName} from API server: persistentvolumes "${volumeName}" not found`);
  const ref = pv.spec?.claimRef;
  if (!ref || ref.name !== claimName || ref.namespace !== namespace || (ref.uid && ref.uid !== pvc.metadata?.uid))
    throw new VolumeMountError(`${what}: PV ${volumeName} is not bound to this claim`);
  if (pv.spec?.hostPath?.path) {
    const path: string = pv.spec.hostPath.path;
    const type: string = pv.spec.hostPath.type ?? '';
    if (!existsSync(path)) {
      if (type !== 'DirectoryOrCreate') throw new VolumeMountError(`MountVolume.SetUp failed for volume "${volumeName}" : hostPath type check failed: ${path} is not a directory`);
      mkdirSync(path, { recursive: true });
      chmodSync(path, 0o777);
    }
    return path;
  }
  if (pv.spec?.local?.path) {
    const path: string = pv.spec.local.path;
    if (!existsSync(path) || !statSync(path).isDirectory()) throw new VolumeMountError(`MountVolume.NewMounter initialization failed for volume "${volumeName}" : path "${path}" does not exist`);
    return path;
  }
  throw new VolumeMountError(`MountVolume.SetUp failed for volume "${volumeName}" : this node mounts only hostPath and local volumes`);
}
