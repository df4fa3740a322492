// The PersistentVolume controller (pkg/controller/volume/persistentvolume): binds claims to
// volumes both ways (volume.spec.claimRef, claim.spec.volumeName, then both statuses), keeps
// the phases (volume Pending/Available/Bound/Released/Failed, claim Pending/Bound/Lost),
// hands claims it cannot bind to their class's provisioner (the storage-provisioner
// annotation), and reclaims released volumes: Retain keeps them; Delete is the provisioner's
// job for volumes it made. Claims of a WaitForFirstConsumer class wait for the scheduler's
// selected-node annotation. Every 15 s everything is synced again, as upstream's resync.
import {
  ANN_BETA_STORAGE_PROVISIONER,
  ANN_BIND_COMPLETED,
  ANN_BOUND_BY_CONTROLLER,
  ANN_PROVISIONED_BY,
  ANN_SELECTED_NODE,
  ANN_STORAGE_PROVISIONER,
  NO_PROVISIONER,
  claimStorageClass,
  deepCopy,
  findMatchingVolume,
  rfc3339,
  type KubeObject,
} from '@k8ts/api';
import { isConflict, isNotFound } from '@k8ts/client';
import type { ControllerContext, Lister, Queue } from '../framework/types.js';
import { unwrap } from '../framework/tombstone.js';
import { claimKey, claimKeyOf, parseKey, volumeKey } from './keys.js';

export const RESYNC_MS = 15_000;

export interface BinderListers {
  claims: Lister<KubeObject>;
  volumes: Lister<KubeObject>;
  classes: Lister<KubeObject>;
}

const yes = (o: KubeObject, ann: string) => o.metadata.annotations?.[ann] === 'yes';

export class PersistentVolumeController {
  private timer?: NodeJS.Timeout;

  constructor(
    private readonly ctx: ControllerContext,
    private readonly listers: BinderListers,
    private readonly queue: Queue,
  ) {}

  // ---- event handlers ----
  onClaim = (pvc: KubeObject) => this.queue.add(claimKeyOf(pvc));
  updateClaim = (_old: KubeObject, pvc: KubeObject) => this.onClaim(pvc);
  deleteClaim = (obj: unknown) => {
    const pvc = unwrap<KubeObject>(obj);
    if (!pvc) return;
    // Its volume is released now.
    if (pvc.spec?.volumeName) this.queue.add(volumeKey(pvc.spec.volumeName));
    for (const pv of this.listers.volumes.list()) {
      const ref = pv.spec?.claimRef;
      if (ref?.name === pvc.metadata.name && ref?.namespace === pvc.metadata.namespace) this.queue.add(volumeKey(pv.metadata.name!));
    }
  };
  onVolume = (pv: KubeObject) => {
    this.queue.add(volumeKey(pv.metadata.name!));
    const ref = pv.spec?.claimRef;
    if (ref?.name && ref.namespace) this.queue.add(claimKey(ref.namespace, ref.name));
  };
  updateVolume = (_old: KubeObject, pv: KubeObject) => this.onVolume(pv);
  deleteVolume = (obj: unknown) => {
    const pv = unwrap<KubeObject>(obj);
    const ref = pv?.spec?.claimRef;
    if (ref?.name && ref.namespace) this.queue.add(claimKey(ref.namespace, ref.name));
  };
  /** A new class may serve claims that waited for one. */
  onClass = () => {
    for (const pvc of this.listers.claims.list()) if (pvc.status?.phase !== 'Bound') this.queue.add(claimKeyOf(pvc));
  };

  start(): void {
    this.timer = setInterval(() => this.resync(), RESYNC_MS);
    this.timer.unref?.();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
  }

  resync(): void {
    for (const pvc of this.listers.claims.list()) this.queue.add(claimKeyOf(pvc));
    for (const pv of this.listers.volumes.list()) this.queue.add(volumeKey(pv.metadata.name!));
  }

  async sync(key: string): Promise<void> {
    const k = parseKey(key);
    try {
      if (k?.kind === 'claim') await this.syncClaim(k.namespace, k.name);
      else if (k?.kind === 'volume') await this.syncVolume(k.name);
    } catch (e) {
      // A newer version is on its way through the informer, which requeues the key.
      if (isConflict(e) || isNotFound(e)) return;
      throw e;
    }
  }

  // ---- claims ----
  async syncClaim(ns: string, name: string): Promise<void> {
    const pvc = this.listers.claims.get(ns, name);
    if (!pvc) return;
    if (!yes(pvc, ANN_BIND_COMPLETED)) await this.syncUnboundClaim(pvc);
    else await this.syncBoundClaim(pvc);
  }

  private storageClass(pvc: KubeObject): KubeObject | undefined {
    const name = claimStorageClass(pvc);
    return name ? this.listers.classes.get('', name) : undefined;
  }

  private isDelayBinding(pvc: KubeObject): boolean {
    return this.storageClass(pvc)?.volumeBindingMode === 'WaitForFirstConsumer';
  }

  private async syncUnboundClaim(pvc: KubeObject): Promise<void> {
    const volumeName: string = pvc.spec?.volumeName ?? '';
    if (!volumeName) {
      const delay = this.isDelayBinding(pvc);
      const selected = pvc.metadata.annotations?.[ANN_SELECTED_NODE];
      // With delayed binding the scheduler picks among unclaimed volumes; here only a volume
      // already reserved for this claim (by the scheduler or a provisioner) is bound.
      const candidates = delay ? this.listers.volumes.list().filter((v) => v.spec?.claimRef) : this.listers.volumes.list();
      const pv = findMatchingVolume(pvc, candidates);
      if (pv) return this.bind(pv, pvc);
      if (delay && !selected) {
        this.event(pvc, 'Normal', 'WaitForFirstConsumer', 'waiting for first consumer to be created before binding');
        return this.setClaimPhase(pvc, 'Pending');
      }
      const className = claimStorageClass(pvc);
      const sc = this.storageClass(pvc);
      if (!className) {
        this.event(pvc, 'Normal', 'FailedBinding', 'no persistent volumes available for this claim and no storage class is set');
      } else if (!sc) {
        this.event(pvc, 'Warning', 'ProvisioningFailed', `storageclass.storage.k8s.io "${className}" not found`);
      } else if (sc.provisioner === NO_PROVISIONER) {
        this.event(pvc, 'Normal', 'FailedBinding', 'no persistent volumes available for this claim and no storage class is set');
      } else {
        await this.handOverToProvisioner(pvc, String(sc.provisioner));
        return;
      }
      return this.setClaimPhase(pvc, 'Pending');
    }
    const pv = this.listers.volumes.get('', volumeName);
    if (!pv) return this.setClaimPhase(pvc, 'Pending'); // asked for a volume that does not exist (yet)
    const ref = pv.spec?.claimRef;
    if (!ref || (ref.name === pvc.metadata.name && ref.namespace === pvc.metadata.namespace && (!ref.uid || ref.uid === pvc.metadata.uid))) {
      const why = findMatchingVolume(pvc, [pv]) ? '' : 'the volume does not satisfy the claim';
      if (why) {
        this.event(pvc, 'Warning', 'VolumeMismatch', `Cannot bind to requested volume "${volumeName}": ${why}`);
        return this.setClaimPhase(pvc, 'Pending');
      }
      return this.bind(pv, pvc);
    }
    this.event(pvc, 'Warning', 'FailedBinding', `volume "${volumeName}" already bound to a different claim.`);
    return this.setClaimPhase(pvc, 'Pending');
  }

  /** provisionClaim for an external provisioner: name it on the claim and say so once. */
  private async handOverToProvisioner(pvc: KubeObject, provisioner: string): Promise<void> {
    const a = pvc.metadata.annotations ?? {};
    if (a[ANN_STORAGE_PROVISIONER] === provisioner && a[ANN_BETA_STORAGE_PROVISIONER] === provisioner) return this.setClaimPhase(pvc, 'Pending');
    const next = deepCopy(pvc);
    next.metadata.annotations = { ...a, [ANN_STORAGE_PROVISIONER]: provisioner, [ANN_BETA_STORAGE_PROVISIONER]: provisioner };
    const saved = await this.ctx.client.update('persistentvolumeclaims', next);
    this.event(
      pvc,
      'Normal',
      'ExternalProvisioning',
      `Waiting for a volume to be created either by the external provisioner '${provisioner}' or manually by the system administrator. If volume creation is delayed, please verify that the provisioner is running and correctly registered.`,
    );
    await this.setClaimPhase(saved, 'Pending');
  }

  private async syncBoundClaim(pvc: KubeObject): Promise<void> {
    const volumeName: string = pvc.spec?.volumeName ?? '';
    if (!volumeName) {
      this.event(pvc, 'Warning', 'ClaimLost', 'Bound claim has lost reference to PersistentVolume. Data on the volume is lost!');
      return this.setClaimPhase(pvc, 'Lost');
    }
    const pv = this.listers.volumes.get('', volumeName);
    if (!pv) {
      this.event(pvc, 'Warning', 'ClaimLost', 'Bound claim has lost its PersistentVolume. Data on the volume is lost!');
      return this.setClaimPhase(pvc, 'Lost');
    }
    const ref = pv.spec?.claimRef;
    if (!ref) return this.bind(pv, pvc);
    if (ref.uid === pvc.metadata.uid) return this.bind(pv, pvc); // finishes what is left, else nothing
    this.event(pvc, 'Warning', 'ClaimMisbound', 'Two claims are bound to the same volume, this one is bound incorrectly');
    return this.setClaimPhase(pvc, 'Lost');
  }

  /** Each step writes only what differs, so finishing a half-done binding is the same call. */
  private async bind(pv: KubeObject, pvc: KubeObject): Promise<void> {
    let volume = pv;
    const ref = volume.spec?.claimRef;
    if (!ref || ref.uid !== pvc.metadata.uid || ref.name !== pvc.metadata.name || ref.namespace !== pvc.metadata.namespace) {
      const next = deepCopy(volume);
      next.spec.claimRef = { kind: 'PersistentVolumeClaim', namespace: pvc.metadata.namespace, name: pvc.metadata.name, uid: pvc.metadata.uid, apiVersion: 'v1', resourceVersion: pvc.metadata.resourceVersion };
      if (!ref) next.metadata.annotations = { ...(next.metadata.annotations ?? {}), [ANN_BOUND_BY_CONTROLLER]: 'yes' };
      volume = await this.ctx.client.update('persistentvolumes', next);
    }
    volume = await this.setVolumePhase(volume, 'Bound');
    let claim = pvc;
    if (claim.spec?.volumeName !== volume.metadata.name || !yes(claim, ANN_BIND_COMPLETED)) {
      const next = deepCopy(claim);
      const byUs = next.spec.volumeName !== volume.metadata.name;
      next.spec.volumeName = volume.metadata.name;
      next.metadata.annotations = { ...(next.metadata.annotations ?? {}), [ANN_BIND_COMPLETED]: 'yes', ...(byUs ? { [ANN_BOUND_BY_CONTROLLER]: 'yes' } : {}) };
      claim = await this.ctx.client.update('persistentvolumeclaims', next);
    }
    const status = claim.status ?? {};
    const want = { phase: 'Bound', accessModes: volume.spec?.accessModes ?? [], capacity: volume.spec?.capacity ?? {} };
    if (status.phase !== 'Bound' || JSON.stringify(status.accessModes ?? []) !== JSON.stringify(want.accessModes) || JSON.stringify(status.capacity ?? {}) !== JSON.stringify(want.capacity)) {
      const next = deepCopy(claim);
      next.status = { ...status, ...want };
      await this.ctx.client.update('persistentvolumeclaims', next, { subresource: 'status' });
      this.ctx.logger.info({ claim: claimKeyOf(pvc).slice(4), volume: volume.metadata.name, reason: 'Bound' }, 'claim bound');
    }
  }

  // ---- volumes ----
  async syncVolume(name: string): Promise<void> {
    const pv = this.listers.volumes.get('', name);
    if (!pv) return;
    const ref = pv.spec?.claimRef;
    if (!ref) {
      await this.setVolumePhase(pv, 'Available');
      return;
    }
    if (!ref.uid) {
      // Pre-bound by its maker to a claim that may not exist yet: the claim's sync binds it.
      await this.setVolumePhase(pv, 'Available');
      return;
    }
    let pvc = this.listers.claims.get(ref.namespace ?? '', ref.name ?? '');
    if (pvc && pvc.metadata.uid !== ref.uid) pvc = undefined; // a new claim of the same name
    if (!pvc) {
      if (pv.status?.phase !== 'Released' && pv.status?.phase !== 'Failed') await this.setVolumePhase(pv, 'Released');
      return this.reclaim(this.listers.volumes.get('', name) ?? pv);
    }
    if (!pvc.spec?.volumeName) {
      this.queue.add(claimKeyOf(pvc)); // binding not finished: the claim's sync completes it
      return;
    }
    if (pvc.spec.volumeName === name) {
      await this.setVolumePhase(pv, 'Bound');
      return;
    }
    // The claim is bound to another volume: a volume we reserved is free again.
    if (yes(pv, ANN_BOUND_BY_CONTROLLER)) {
      const next = deepCopy(pv);
      delete next.spec.claimRef;
      delete next.metadata.annotations?.[ANN_BOUND_BY_CONTROLLER];
      const saved = await this.ctx.client.update('persistentvolumes', next);
      await this.setVolumePhase(saved, 'Available');
    }
  }

  private async reclaim(pv: KubeObject): Promise<void> {
    const policy = pv.spec?.persistentVolumeReclaimPolicy ?? 'Retain';
    if (policy === 'Retain') return; // "Volume is released, retain policy": kept for its owner
    if (policy === 'Delete') {
      // A provisioned volume is deleted by its provisioner; nothing here deletes the others.
      if (pv.metadata.annotations?.[ANN_PROVISIONED_BY]) return;
      if (pv.status?.phase === 'Failed') return;
      const message = `error getting deleter volume plugin for volume "${pv.metadata.name}": no deletable volume plugin matched`;
      this.event(pv, 'Warning', 'VolumeFailedDelete', message);
      await this.setVolumePhase(pv, 'Failed', message);
      return;
    }
    if (pv.status?.phase === 'Failed') return;
    this.event(pv, 'Warning', 'VolumeFailedRecycle', 'No recycler plugin found for the volume!');
    await this.setVolumePhase(pv, 'Failed', 'No recycler plugin found for the volume!');
  }

  // ---- status writes ----
  private async setVolumePhase(pv: KubeObject, phase: string, message?: string): Promise<KubeObject> {
    if (pv.status?.phase === phase && (message === undefined || pv.status?.message === message)) return pv;
    const next = deepCopy(pv);
    next.status = { phase, lastPhaseTransitionTime: rfc3339() };
    if (message) next.status.message = message;
    const saved = await this.ctx.client.update('persistentvolumes', next, { subresource: 'status' });
    this.ctx.logger.info({ volume: pv.metadata.name, reason: phase }, 'volume phase changed');
    return saved;
  }

  private async setClaimPhase(pvc: KubeObject, phase: string): Promise<void> {
    if (pvc.status?.phase === phase) return;
    const next = deepCopy(pvc);
    next.status = { ...(next.status ?? {}), phase };
    await this.ctx.client.update('persistentvolumeclaims', next, { subresource: 'status' });
  }

  private event(obj: KubeObject, type: 'Normal' | 'Warning', reason: string, message: string): void {
    this.ctx.recorder.event(obj, type, reason, message);
  }
}
