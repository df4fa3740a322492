// The service account controller (pkg/controller/serviceaccount/serviceaccounts_controller.go):
// every active namespace has a `default` ServiceAccount; one deleted is made again.
import type { KubeObject, Namespace } from '@k8ts/api';
import { isAlreadyExists, isNotFound } from '@k8ts/client';
import type { ControllerContext, Lister, Queue } from '../framework/types.js';
import { unwrap } from '../framework/tombstone.js';

export const DEFAULT_SERVICE_ACCOUNTS = ['default'];

export class ServiceAccountsController {
  static readonly controllerName = 'serviceaccount';
  constructor(
    private readonly ctx: ControllerContext,
    private readonly listers: { namespaces: Lister<Namespace>; serviceaccounts: Lister<KubeObject> },
    private readonly queue: Queue,
  ) {}

  onNamespace = (ns: Namespace) => this.queue.add(ns.metadata.name!);
  updateNamespace = (_o: Namespace, ns: Namespace) => this.onNamespace(ns);
  deleteServiceAccount = (obj: unknown) => {
    const sa = unwrap<KubeObject>(obj);
    if (sa?.metadata.namespace && DEFAULT_SERVICE_ACCOUNTS.includes(sa.metadata.name ?? '')) this.queue.add(sa.metadata.namespace);
  };

  async sync(namespace: string): Promise<void> {
    const ns = this.listers.namespaces.get('', namespace);
    // A namespace being deleted refuses new objects; its service accounts go with it.
    if (!ns || ns.metadata.deletionTimestamp || ns.status?.phase === 'Terminating') return;
    for (const name of DEFAULT_SERVICE_ACCOUNTS) {
      if (this.listers.serviceaccounts.get(namespace, name)) continue;
      try {
        await this.ctx.client.create('serviceaccounts', { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name, namespace } });
        this.ctx.logger.info({ object: `${namespace}/${name}`, reason: 'Created' }, 'created service account');
      } catch (e) {
        // Already there (the cache lagged) or the namespace went away meanwhile: nothing to do.
        if (isAlreadyExists(e) || isNotFound(e)) continue;
        if ((e as { code?: number }).code === 403 && /being terminated|is terminating/.test((e as Error).message)) continue;
        throw e;
      }
    }
  }
}
