// The claims, volumes and storage classes the VolumeBinding plugin reads, fed by the
// scheduler's informers (kube-scheduler's PVC/PV/StorageClass listers).
import type { KubeObject } from '@k8ts/api';

export class VolumeCache {
  private readonly claims = new Map<string, KubeObject>();
  private readonly volumes = new Map<string, KubeObject>();
  private readonly classes = new Map<string, KubeObject>();

  claim(namespace: string, name: string): KubeObject | undefined {
    return this.claims.get(`${namespace}/${name}`);
  }
  volume(name: string): KubeObject | undefined {
    return this.volumes.get(name);
  }
  storageClass(name: string): KubeObject | undefined {
    return this.classes.get(name);
  }
  allVolumes(): IterableIterator<KubeObject> {
    return this.volumes.values();
  }

  setClaim(pvc: KubeObject): void {
    this.claims.set(`${pvc.metadata.namespace}/${pvc.metadata.name}`, pvc);
  }
  deleteClaim(pvc: KubeObject): void {
    this.claims.delete(`${pvc.metadata.namespace}/${pvc.metadata.name}`);
  }
  setVolume(pv: KubeObject): void {
    this.volumes.set(pv.metadata.name!, pv);
  }
  deleteVolume(pv: KubeObject): void {
    this.volumes.delete(pv.metadata.name!);
  }
  setClass(sc: KubeObject): void {
    this.classes.set(sc.metadata.name!, sc);
  }
  deleteClass(sc: KubeObject): void {
    this.classes.delete(sc.metadata.name!);
  }
}
