// The local-path provisioner (rancher's local-path-provisioner, as k3s ships it), one more
// loop in the controller-manager. For a claim handed to `rancher.io/local-path` it makes a
// PersistentVolume on the node the scheduler chose (volume.kubernetes.io/selected-node): a
// hostPath DirectoryOrCreate folder `<pv>_<ns>_<claim>` under the node's local-path folder
// (the agent publishes it in its Node's k8ts.io/local-path-dir annotation, under its state
// dir), node affinity to that node, reserved for the claim (claimRef). The agent makes the
// folder when it first mounts it. A released volume with reclaimPolicy Delete has its folder
// removed by a helper pod on its node, then the volume itself is deleted.
import {
  ANN_PROVISIONED_BY,
  ANN_SELECTED_NODE,
  ANN_STORAGE_PROVISIONER,
  LOCAL_PATH_DIR_ANNOTATION,
  LOCAL_PATH_PROVISIONER,
  claimStorageClass,
  deepCopy,
  type KubeObject,
  type Node,
  type Pod,
} from '@k8ts/api';
import { isAlreadyExists, isConflict, isNotFound } from '@k8ts/client';
import { join } from 'node:path';
import type { ControllerContext, Lister, Queue } from '../../framework/types.js';
import { unwrap } from '../../framework/tombstone.js';
import { claimKeyOf, parseKey, volumeKey } from '../keys.js';
import { HELPER_NAMESPACE, deleteHelperPod, helperPodName, volumeOfHelperPod } from './helper-pod.js';

const SUPPORTED_MODES = ['ReadWriteOnce', 'ReadWriteOncePod'];
const RETRY_MS = 30_000;

export interface ProvisionerListers {
  claims: Lister<KubeObject>;
  volumes: Lister<KubeObject>;
  classes: Lister<KubeObject>;
  nodes: Lister<Node>;
  pods: Lister<Pod>;
}

/** external-provisioner's volume name for a claim. */
export const volumeNameFor = (pvc: KubeObject) => `pvc-${pvc.metadata.uid}`;

export function volumeNodeOf(pv: KubeObject): string | undefined {
  for (const t of pv.spec?.nodeAffinity?.required?.nodeSelectorTerms ?? [])
    for (const e of t.matchExpressions ?? []) if (e.key === 'kubernetes.io/hostname' && e.operator === 'In' && e.values?.length === 1) return e.values[0];
  return undefined;
}

export class LocalPathProvisioner {
  constructor(
    private readonly ctx: ControllerContext,
    private readonly listers: ProvisionerListers,
    private readonly queue: Queue,
  ) {}

  onClaim = (pvc: KubeObject) => {
    if (pvc.metadata.annotations?.[ANN_STORAGE_PROVISIONER] === LOCAL_PATH_PROVISIONER && !pvc.spec?.volumeName) this.queue.add(claimKeyOf(pvc));
  };
  updateClaim = (_old: KubeObject, pvc: KubeObject) => this.onClaim(pvc);
  onVolume = (pv: KubeObject) => {
    if (pv.metadata.annotations?.[ANN_PROVISIONED_BY] === LOCAL_PATH_PROVISIONER) this.queue.add(volumeKey(pv.metadata.name!));
  };
  updateVolume = (_old: KubeObject, pv: KubeObject) => this.onVolume(pv);
  onPod = (obj: unknown) => {
    const pod = unwrap<Pod>(obj);
    const v = pod && volumeOfHelperPod(pod);
    if (v) this.queue.add(volumeKey(v));
  };
  updatePod = (_old: Pod, pod: Pod) => this.onPod(pod);

  async sync(key: string): Promise<void> {
    const k = parseKey(key);
    if (k?.kind === 'claim') await this.provision(k.namespace, k.name);
    else if (k?.kind === 'volume') await this.deleteReleased(k.name);
  }

  // ---- provisioning ----
  private failed(pvc: KubeObject, message: string): void {
    this.ctx.recorder.event(pvc, 'Warning', 'ProvisioningFailed', message);
    this.ctx.logger.warn({ claim: claimKeyOf(pvc).slice(4), reason: 'ProvisioningFailed', message }, 'provisioning failed');
  }

  async provision(ns: string, name: string): Promise<void> {
    const pvc = this.listers.claims.get(ns, name);
    if (!pvc || pvc.metadata.deletionTimestamp || pvc.spec?.volumeName) return;
    if (pvc.metadata.annotations?.[ANN_STORAGE_PROVISIONER] !== LOCAL_PATH_PROVISIONER) return;
    const className = claimStorageClass(pvc);
    const sc = this.listers.classes.get('', className);
    if (!sc || sc.provisioner !== LOCAL_PATH_PROVISIONER) return;
    const pvName = volumeNameFor(pvc);
    if (this.listers.volumes.get('', pvName)) return; // made already; the binder binds it
    const prefix = `failed to provision volume with StorageClass "${className}"`;
    const bad = (pvc.spec?.accessModes ?? []).filter((m: string) => !SUPPORTED_MODES.includes(m));
    if (bad.length) return this.failed(pvc, `${prefix}: NodePath only supports ReadWriteOnce and ReadWriteOncePod (1.22+) access modes`);
    if (pvc.spec?.volumeMode === 'Block') return this.failed(pvc, `${prefix}: local-path supports only volumeMode Filesystem`);
    if (pvc.spec?.selector) return this.failed(pvc, `${prefix}: claim Selector is not supported`);
    const nodeName = pvc.metadata.annotations?.[ANN_SELECTED_NODE];
    if (!nodeName) {
      if (sc.volumeBindingMode !== 'WaitForFirstConsumer') this.failed(pvc, `${prefix}: configuration error, no node was specified`);
      return; // WaitForFirstConsumer: the scheduler names the node
    }
    const node = this.listers.nodes.get('', nodeName);
    if (!node) {
      // external-provisioner's reschedule: drop the choice so the scheduler picks again.
      this.failed(pvc, `${prefix}: failed to get target node: node "${nodeName}" not found`);
      const next = deepCopy(pvc);
      delete next.metadata.annotations![ANN_SELECTED_NODE];
      await this.write(() => this.ctx.client.update('persistentvolumeclaims', next));
      return;
    }
    const base = node.metadata?.annotations?.[LOCAL_PATH_DIR_ANNOTATION];
    if (!base) return this.failed(pvc, `${prefix}: node "${nodeName}" has no local-path folder (annotation ${LOCAL_PATH_DIR_ANNOTATION}): is its agent running?`);
    const hostname = node.metadata?.labels?.['kubernetes.io/hostname'] ?? nodeName;
    const path = join(base, `${pvName}_${ns}_${name}`);
    this.ctx.recorder.event(pvc, 'Normal', 'Provisioning', `External provisioner is provisioning volume for claim "${ns}/${name}"`);
    const pv: KubeObject = {
      apiVersion: 'v1',
      kind: 'PersistentVolume',
      metadata: { name: pvName, annotations: { [ANN_PROVISIONED_BY]: LOCAL_PATH_PROVISIONER, 'local.path.provisioner/selected-node': nodeName } },
      spec: {
        capacity: { storage: pvc.spec?.resources?.requests?.storage },
        accessModes: pvc.spec?.accessModes,
        persistentVolumeReclaimPolicy: sc.reclaimPolicy ?? 'Delete',
        storageClassName: className,
        volumeMode: 'Filesystem',
        hostPath: { path, type: 'DirectoryOrCreate' },
        nodeAffinity: { required: { nodeSelectorTerms: [{ matchExpressions: [{ key: 'kubernetes.io/hostname', operator: 'In', values: [hostname] }] }] } },
        claimRef: { kind: 'PersistentVolumeClaim', apiVersion: 'v1', namespace: ns, name, uid: pvc.metadata.uid, resourceVersion: pvc.metadata.resourceVersion },
      },
    };
    try {
      await this.ctx.client.create('persistentvolumes', pv);
    } catch (e) {
      if (!isAlreadyExists(e)) throw e;
    }
    this.ctx.recorder.event(pvc, 'Normal', 'ProvisioningSucceeded', `Successfully provisioned volume ${pvName}`);
    this.ctx.logger.info({ claim: `${ns}/${name}`, volume: pvName, node: nodeName, path, reason: 'ProvisioningSucceeded' }, 'provisioned volume');
  }

  // ---- deletion ----
  async deleteReleased(name: string): Promise<void> {
    const pv = this.listers.volumes.get('', name);
    const helper = this.listers.pods.get(HELPER_NAMESPACE, helperPodName(name));
    if (!pv || pv.metadata.annotations?.[ANN_PROVISIONED_BY] !== LOCAL_PATH_PROVISIONER) {
      if (helper) await this.write(() => this.ctx.client.delete('pods', HELPER_NAMESPACE, helper.metadata!.name!));
      return;
    }
    if (pv.status?.phase !== 'Released' || pv.spec?.persistentVolumeReclaimPolicy !== 'Delete') return;
    const path: string | undefined = pv.spec?.hostPath?.path;
    const nodeName = volumeNodeOf(pv) ?? pv.metadata.annotations?.['local.path.provisioner/selected-node'];
    if (!path || !nodeName) return this.volumeFailedDelete(pv, 'it has no hostPath folder or node');
    if (!helper) {
      if (!this.listers.nodes.get('', nodeName)) {
        this.volumeFailedDelete(pv, `node "${nodeName}" not found; its folder ${path} is removed once the node is back`);
        this.queue.addAfter(volumeKey(name), RETRY_MS);
        return;
      }
      try {
        await this.ctx.client.create('pods', deleteHelperPod(name, nodeName, path));
        this.ctx.logger.info({ volume: name, node: nodeName, path, reason: 'HelperPodCreated' }, 'removing released volume folder');
      } catch (e) {
        if (!isAlreadyExists(e)) throw e;
      }
      return; // the helper pod's updates bring the volume back here
    }
    const phase = helper.status?.phase;
    if (phase === 'Succeeded') {
      await this.write(() => this.ctx.client.delete('persistentvolumes', '', name));
      await this.write(() => this.ctx.client.delete('pods', HELPER_NAMESPACE, helper.metadata!.name!));
      this.ctx.logger.info({ volume: name, node: nodeName, path, reason: 'VolumeDeleted' }, 'deleted released volume and its folder');
    } else if (phase === 'Failed') {
      this.volumeFailedDelete(pv, `helper pod ${HELPER_NAMESPACE}/${helper.metadata!.name} failed to remove ${path}`);
      await this.write(() => this.ctx.client.delete('pods', HELPER_NAMESPACE, helper.metadata!.name!));
      this.queue.addAfter(volumeKey(name), RETRY_MS);
    }
  }

  private volumeFailedDelete(pv: KubeObject, why: string): void {
    const message = `failed to delete volume ${pv.metadata.name}: ${why}`;
    this.ctx.recorder.event(pv, 'Warning', 'VolumeFailedDelete', message);
    this.ctx.logger.warn({ volume: pv.metadata.name, reason: 'VolumeFailedDelete', message }, 'volume not deleted');
  }

  private async write(f: () => Promise<unknown>): Promise<void> {
    try {
      await f();
    } catch (e) {
      if (isNotFound(e) || isConflict(e)) return;
      throw e;
    }
  }
}
