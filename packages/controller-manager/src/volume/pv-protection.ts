// The PV protection controller (pkg/controller/volume/pvprotection): a volume being deleted
// keeps its kubernetes.io/pv-protection finalizer while it is Bound to a claim.
import { PV_PROTECTION_FINALIZER, deepCopy, type KubeObject } from '@k8ts/api';
import { isConflict, isNotFound } from '@k8ts/client';
import type { ControllerContext, Lister, Queue } from '../framework/types.js';

export class PVProtectionController {
  constructor(
    private readonly ctx: ControllerContext,
    private readonly listers: { volumes: Lister<KubeObject> },
    private readonly queue: Queue,
  ) {}

  onVolume = (pv: KubeObject) => {
    if (pv.metadata.deletionTimestamp && pv.metadata.finalizers?.includes(PV_PROTECTION_FINALIZER)) this.queue.add(pv.metadata.name!);
  };
  updateVolume = (_old: KubeObject, pv: KubeObject) => this.onVolume(pv);

  async sync(name: string): Promise<void> {
    const pv = this.listers.volumes.get('', name);
    if (!pv?.metadata.deletionTimestamp || !pv.metadata.finalizers?.includes(PV_PROTECTION_FINALIZER)) return;
    if (pv.status?.phase === 'Bound') return; // in use: the binder releases it first
    const next = deepCopy(pv);
    next.metadata.finalizers = next.metadata.finalizers!.filter((f) => f !== PV_PROTECTION_FINALIZER);
    try {
      await this.ctx.client.update('persistentvolumes', next);
      this.ctx.logger.info({ volume: name, reason: 'NotBound' }, 'removed pv-protection finalizer');
    } catch (e) {
      if (isNotFound(e) || isConflict(e)) return;
      throw e;
    }
  }
}
