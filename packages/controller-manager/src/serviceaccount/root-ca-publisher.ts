// The root CA publisher (pkg/controller/certificates/rootcacertpublisher): a ConfigMap
// kube-root-ca.crt in every active namespace holding the CA that signs the apiserver's
// serving certificate, so pods can verify kubernetes.default.svc. Edits are put back.
import type { KubeObject, Namespace } from '@k8ts/api';
import { deepCopy } from '@k8ts/api';
import { isAlreadyExists, isConflict, isNotFound } from '@k8ts/client';
import type { ControllerContext, Lister, Queue } from '../framework/types.js';
import { unwrap } from '../framework/tombstone.js';

export const ROOT_CA_CONFIGMAP = 'kube-root-ca.crt';
const DESCRIPTION =
  'Contains a CA bundle that can be used to verify the kube-apiserver when using internal endpoints such as the internal service IP or kubernetes.default.svc. No other usage is guaranteed across distributions of Kubernetes clusters.';

export class RootCAPublisher {
  static readonly controllerName = 'root-ca-cert-publisher';
  constructor(
    private readonly ctx: ControllerContext,
    private readonly listers: { namespaces: Lister<Namespace>; configmaps: Lister<KubeObject> },
    private readonly queue: Queue,
    /** PEM of --root-ca-file; without one the publisher has nothing to publish. */
    private readonly rootCA: string | undefined,
  ) {}

  onNamespace = (ns: Namespace) => this.queue.add(ns.metadata.name!);
  updateNamespace = (_o: Namespace, ns: Namespace) => this.onNamespace(ns);
  onConfigMap = (obj: unknown) => {
    const cm = unwrap<KubeObject>(obj);
    if (cm?.metadata.namespace && cm.metadata.name === ROOT_CA_CONFIGMAP) this.queue.add(cm.metadata.namespace);
  };
  updateConfigMap = (_o: KubeObject, cm: KubeObject) => this.onConfigMap(cm);

  async sync(namespace: string): Promise<void> {
    if (!this.rootCA) return;
    const ns = this.listers.namespaces.get('', namespace);
    if (!ns || ns.metadata.deletionTimestamp || ns.status?.phase === 'Terminating') return;
    const data = { 'ca.crt': this.rootCA };
    const cur = this.listers.configmaps.get(namespace, ROOT_CA_CONFIGMAP);
    try {
      if (!cur) {
        await this.ctx.client.create('configmaps', {
          apiVersion: 'v1',
          kind: 'ConfigMap',
          metadata: { name: ROOT_CA_CONFIGMAP, namespace, annotations: { 'kubernetes.io/description': DESCRIPTION } },
          data,
        });
        return;
      }
      const curData = (cur.data ?? {}) as Record<string, string>;
      if (curData['ca.crt'] === this.rootCA && Object.keys(curData).length === 1 && cur.metadata.annotations?.['kubernetes.io/description'] === DESCRIPTION) return;
      const next = deepCopy(cur);
      next.data = data;
      next.metadata.annotations = { ...(next.metadata.annotations ?? {}), 'kubernetes.io/description': DESCRIPTION };
      await this.ctx.client.update('configmaps', next);
    } catch (e) {
      if (isAlreadyExists(e) || isConflict(e)) {
        this.queue.addRateLimited(namespace);
        return;
      }
      if (isNotFound(e)) return;
      if ((e as { code?: number }).code === 403 && /being terminated|is terminating/.test((e as Error).message)) return;
      throw e;
    }
  }
}
