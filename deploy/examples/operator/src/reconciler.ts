// One reconcile of one WebApp: make its Deployment match, then write what it sees into the
// WebApp's status through the status subresource.
import { AppsV1Api, CustomObjectsApi, PatchStrategy, setHeaderOptions, type KubeConfig, type V1Deployment } from '@kubernetes/client-node';
import { GROUP, PLURAL, VERSION, deploymentName, desiredDeployment, upToDate, type WebApp } from './webapp.js';

function isNotFound(err: unknown): boolean {
  return (err as { code?: number })?.code === 404;
}

export class Reconciler {
  private readonly apps: AppsV1Api;
  private readonly custom: CustomObjectsApi;

  constructor(kc: KubeConfig, private readonly log: (msg: string, fields?: Record<string, unknown>) => void) {
    this.apps = kc.makeApiClient(AppsV1Api);
    this.custom = kc.makeApiClient(CustomObjectsApi);
  }

  async reconcile(namespace: string, name: string, app: WebApp | undefined): Promise<void> {
    // Gone: the garbage collector deletes the Deployment it owned.
    if (!app || app.metadata?.deletionTimestamp) return;
    const want = desiredDeployment(app);
    let live: V1Deployment | undefined;
    try {
      live = await this.apps.readNamespacedDeployment({ namespace, name: deploymentName(app) });
    } catch (err) {
      if (!isNotFound(err)) throw err;
    }
    if (!live) {
      live = await this.apps.createNamespacedDeployment({ namespace, body: want });
      this.log('created deployment', { object: `${namespace}/${name}`, reason: 'Created' });
    } else if (!upToDate(live, want)) {
      live = await this.apps.replaceNamespacedDeployment({ namespace, name: want.metadata!.name!, body: { ...want, metadata: { ...want.metadata, resourceVersion: live.metadata?.resourceVersion } } });
      this.log('updated deployment', { object: `${namespace}/${name}`, reason: 'Updated' });
    }
    const status = { readyReplicas: live.status?.readyReplicas ?? 0, deployment: live.metadata!.name!, observedGeneration: app.metadata?.generation ?? 0 };
    if (JSON.stringify(app.status ?? {}) === JSON.stringify(status)) return;
    await this.custom.patchNamespacedCustomObjectStatus({ group: GROUP, version: VERSION, plural: PLURAL, namespace, name, body: { status } }, setHeaderOptions('Content-Type', PatchStrategy.MergePatch));
  }
}
