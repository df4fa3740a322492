// The namespace controller (pkg/controller/namespace): a namespace being deleted has every
// object of every namespaced resource deleted, and once nothing is left its `kubernetes`
// finalizer is removed through the finalize subresource, which lets the apiserver drop it.
import type { Namespace } from '@k8ts/api';
import { deepCopy, RESOURCES, rfc3339 } from '@k8ts/api';
import { isNotFound, isConflict } from '@k8ts/client';
import type { ControllerContext, Lister, Queue } from '../framework/types.js';
import { unwrap } from '../framework/tombstone.js';

export const KubernetesFinalizer = 'kubernetes';

export class NamespaceController {
  static readonly controllerName = 'namespace';
  constructor(
    private readonly ctx: ControllerContext,
    private readonly listers: { namespaces: Lister<Namespace> },
    private readonly queue: Queue,
    private readonly recheckMs = 1000,
  ) {}

  onNamespace = (ns: Namespace) => {
    if (ns.metadata.deletionTimestamp) this.queue.add(ns.metadata.name!);
  };
  updateNamespace = (_o: Namespace, ns: Namespace) => this.onNamespace(ns);
  deleteNamespace = (obj: unknown) => void unwrap(obj);

  async sync(name: string): Promise<void> {
    const ns = this.listers.namespaces.get('', name);
    if (!ns || !ns.metadata.deletionTimestamp) return;
    const remaining = await this.deleteAllContent(name);
    if (remaining.size) {
      await this.setContentCondition(ns, remaining);
      this.queue.addAfter(name, this.recheckMs);
      return;
    }
    await this.finalize(name);
  }

  /** Deletes what is left; returns resource → count of objects still there. */
  private async deleteAllContent(ns: string): Promise<Map<string, number>> {
    const remaining = new Map<string, number>();
    const errors: unknown[] = [];
    await Promise.all(
      RESOURCES.filter((r) => r.namespaced && !r.viewOf && r.verbs.includes('delete')).map(async (r) => {
        let items;
        try {
          items = (await this.ctx.client.list(r.resource, { namespace: ns })).items;
        } catch (e) {
          if (isNotFound(e)) return;
          errors.push(e);
          return;
        }
        if (!items.length) return;
        remaining.set(r.resource, items.length);
        await Promise.all(
          items
            .filter((o) => !o.metadata.deletionTimestamp)
            .map((o) =>
              this.ctx.client.delete(r.resource, ns, o.metadata.name!, { propagationPolicy: 'Background' }).catch((e) => {
                if (!isNotFound(e) && !isConflict(e)) errors.push(e);
              }),
            ),
        );
      }),
    );
    if (errors.length) throw errors[0];
    return remaining;
  }

  private async setContentCondition(ns: Namespace, remaining: Map<string, number>): Promise<void> {
    const msg = `Some resources are remaining: ${[...remaining].map(([r, n]) => `${r} has ${n} resource instances`).join(', ')}`;
    const conds = (ns.status?.conditions ?? []) as { type: string; status: string; reason?: string; message?: string; lastTransitionTime?: string }[];
    const cur = conds.find((c) => c.type === 'NamespaceContentRemaining');
    if (cur?.message === msg) return;
    const next = deepCopy(ns);
    const c = { type: 'NamespaceContentRemaining', status: 'True', reason: 'SomeResourcesRemain', message: msg, lastTransitionTime: cur?.lastTransitionTime ?? rfc3339() };
    next.status = { ...(next.status ?? {}), conditions: [...conds.filter((x) => x.type !== c.type), c] } as Namespace['status'];
    try {
      await this.ctx.client.update('namespaces', next, { subresource: 'status' });
    } catch (e) {
      if (!isNotFound(e) && !isConflict(e)) throw e;
    }
  }

  private async finalize(name: string): Promise<void> {
    let ns: Namespace;
    try {
      ns = await this.ctx.client.get<Namespace>('namespaces', '', name);
    } catch (e) {
      if (isNotFound(e)) return;
      throw e;
    }
    if (!(ns.spec?.finalizers ?? []).includes(KubernetesFinalizer)) return;
    const next = deepCopy(ns);
    next.spec = { ...(next.spec ?? {}), finalizers: (ns.spec?.finalizers ?? []).filter((f) => f !== KubernetesFinalizer) };
    try {
      await this.ctx.client.update('namespaces', next, { subresource: 'finalize' });
      this.ctx.logger.info({ object: name, reason: 'NamespaceEmpty' }, 'finalized namespace');
    } catch (e) {
      if (!isNotFound(e)) throw e;
    }
  }
}
