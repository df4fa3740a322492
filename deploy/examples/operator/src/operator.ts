// The operator's loop, sample-controller's shape with @kubernetes/client-node: an informer
// over the WebApps and one over the Deployments it manages, a queue of namespace/name keys
// (a key queued while it is being reconciled runs again after), and a retry with back-off.
import { AppsV1Api, CustomObjectsApi, makeInformer, type Informer, type KubeConfig, type KubernetesObject, type ObjectCache, type V1Deployment } from '@kubernetes/client-node';
import { GROUP, MANAGED_BY, PLURAL, VERSION, type WebApp } from './webapp.js';
import { Reconciler } from './reconciler.js';

type Log = (msg: string, fields?: Record<string, unknown>) => void;

export class WebAppOperator {
  private readonly webapps: Informer<WebApp> & ObjectCache<WebApp>;
  private readonly deployments: Informer<V1Deployment> & ObjectCache<V1Deployment>;
  private readonly reconciler: Reconciler;
  private readonly queued = new Set<string>();
  private readonly busy = new Set<string>();
  private stopped = false;

  constructor(kc: KubeConfig, private readonly log: Log = () => {}) {
    const custom = kc.makeApiClient(CustomObjectsApi);
    const apps = kc.makeApiClient(AppsV1Api);
    this.webapps = makeInformer<WebApp>(kc, `/apis/${GROUP}/${VERSION}/${PLURAL}`, () => custom.listClusterCustomObject({ group: GROUP, version: VERSION, plural: PLURAL }));
    const selector = `app.kubernetes.io/managed-by=${MANAGED_BY}`;
    this.deployments = makeInformer<V1Deployment>(kc, '/apis/apps/v1/deployments', () => apps.listDeploymentForAllNamespaces({ labelSelector: selector }), selector);
    this.reconciler = new Reconciler(kc, log);
    const enqueue = (o: KubernetesObject) => this.enqueue(`${o.metadata?.namespace}/${o.metadata?.name}`);
    this.webapps.on('add', enqueue);
    this.webapps.on('update', enqueue);
    // A Deployment's change (ready replicas) is its owner's business.
    const owner = (d: V1Deployment) => {
      const ref = d.metadata?.ownerReferences?.find((r) => r.kind === 'WebApp' && r.controller);
      if (ref) this.enqueue(`${d.metadata?.namespace}/${ref.name}`);
    };
    this.deployments.on('add', owner);
    this.deployments.on('update', owner);
    this.deployments.on('delete', owner);
    for (const inf of [this.webapps, this.deployments]) {
      inf.on('error', (err: unknown) => {
        this.log('watch failed; restarting', { err: String(err), reason: 'WatchFailed' });
        setTimeout(() => !this.stopped && void inf.start().catch(() => {}), 1000);
      });
    }
  }

  async start(): Promise<void> {
    await this.webapps.start();
    await this.deployments.start();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    await this.webapps.stop();
    await this.deployments.stop();
  }

  private enqueue(key: string, delayMs = 0): void {
    if (this.stopped) return;
    if (this.busy.has(key)) {
      this.queued.add(key);
      return;
    }
    if (delayMs) setTimeout(() => this.enqueue(key), delayMs);
    else void this.run(key, 0);
  }

  private async run(key: string, attempt: number): Promise<void> {
    this.busy.add(key);
    const [namespace, name] = key.split('/') as [string, string];
    try {
      await this.reconciler.reconcile(namespace, name, this.webapps.get(name, namespace));
    } catch (err) {
      const delay = Math.min(30_000, 250 * 2 ** attempt);
      this.log('reconcile failed; retrying', { object: key, err: (err as Error).message, reason: 'ReconcileFailed', delayMs: delay });
      setTimeout(() => !this.stopped && void this.run(key, attempt + 1), delay);
      this.busy.delete(key);
      return;
    }
    this.busy.delete(key);
    if (this.queued.delete(key)) this.enqueue(key);
  }
}
