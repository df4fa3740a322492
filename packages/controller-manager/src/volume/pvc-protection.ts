// The PVC protection controller (pkg/controller/volume/pvcprotection): a claim being deleted
// keeps its kubernetes.io/pvc-protection finalizer while a scheduled pod names it, so its
// data is not released under a running pod. The cache is asked first; when it sees no user,
// the API is asked too (a pod may have been scheduled a moment ago), as upstream does.
import { PVC_PROTECTION_FINALIZER, deepCopy, podClaimNames, type KubeObject, type Pod } from '@k8ts/api';
import { isConflict, isNotFound } from '@k8ts/client';
import type { ControllerContext, Lister, Queue } from '../framework/types.js';
import { unwrap } from '../framework/tombstone.js';

function podUsesClaim(pod: Pod, claim: string): boolean {
  // Only scheduled pods count: the agent will not start a pod whose claim is being deleted.
  return !!pod.spec?.nodeName && podClaimNames(pod).includes(claim);
}

export class PVCProtectionController {
  constructor(
    private readonly ctx: ControllerContext,
    private readonly listers: { claims: Lister<KubeObject>; pods: Lister<Pod> },
    private readonly queue: Queue,
  ) {}

  onClaim = (pvc: KubeObject) => {
    if (pvc.metadata.deletionTimestamp && pvc.metadata.finalizers?.includes(PVC_PROTECTION_FINALIZER)) this.queue.add(`${pvc.metadata.namespace}/${pvc.metadata.name}`);
  };
  updateClaim = (_old: KubeObject, pvc: KubeObject) => this.onClaim(pvc);

  /** A pod going away (or finishing) may free the claims it named. */
  onPod = (obj: unknown) => {
    const pod = unwrap<Pod>(obj);
    if (!pod) return;
    const ns = pod.metadata?.namespace ?? '';
    for (const c of podClaimNames(pod)) {
      const pvc = this.listers.claims.get(ns, c);
      if (pvc) this.onClaim(pvc);
    }
  };
  updatePod = (_old: Pod, pod: Pod) => this.onPod(pod);

  async sync(key: string): Promise<void> {
    const i = key.indexOf('/');
    const ns = key.slice(0, i);
    const name = key.slice(i + 1);
    const pvc = this.listers.claims.get(ns, name);
    if (!pvc?.metadata.deletionTimestamp || !pvc.metadata.finalizers?.includes(PVC_PROTECTION_FINALIZER)) return;
    if (this.listers.pods.list(ns).some((p) => podUsesClaim(p, name))) {
      this.ctx.logger.debug({ claim: key, reason: 'InUse' }, 'claim in use by a pod; keeping its finalizer');
      return;
    }
    const live = await this.ctx.client.list<Pod>('pods', { namespace: ns });
    if (live.items.some((p) => podUsesClaim(p, name))) return;
    const next = deepCopy(pvc);
    next.metadata.finalizers = next.metadata.finalizers!.filter((f) => f !== PVC_PROTECTION_FINALIZER);
    try {
      await this.ctx.client.update('persistentvolumeclaims', next);
      this.ctx.logger.info({ claim: key, reason: 'NotInUse' }, 'removed pvc-protection finalizer');
    } catch (e) {
      if (isNotFound(e) || isConflict(e)) return;
      throw e;
    }
  }
}
