// The resource quota controller (kube-controller-manager's `resourcequota`): recounts what
// each ResourceQuota's namespace really holds of the resources it limits and writes
// status.hard (the spec's limits) and status.used, when a quota is created or its spec.hard
// changes, when a counted object is deleted or a pod finishes (replenishment), and every
// quota each resync period (--resource-quota-sync-period, 5 min: what gives back the charge
// of a create that failed after admission). Admission charges creates as they happen.
import {
  deepCopy,
  findResource,
  formatResourceList,
  jsonEqual,
  objectKey,
  parseResourceList,
  podCountsForQuota,
  quotaMatchingResources,
  quotaScopesMatch,
  quotaUsageOf,
  splitObjectKey,
  type KubeObject,
  type ResourceAmounts,
  type ResourceQuota,
} from '@k8ts/api';
import type { ControllerContext, Lister, Queue } from '../framework/types.js';
import { unwrap } from '../framework/tombstone.js';

/** Resources counted from the shared informers; others are listed from the API on each sync. */
export const QUOTA_INFORMED = ['pods', 'services', 'configmaps', 'secrets', 'resourcequotas'] as const;
export const RESYNC_MS = 5 * 60 * 1000;

export class ResourceQuotaController {
  static readonly controllerName = 'resourcequota';
  private timer?: NodeJS.Timeout;
  private readonly now: () => number;

  constructor(
    private readonly ctx: ControllerContext,
    private readonly listers: { resourcequotas: Lister<KubeObject> } & Partial<Record<(typeof QUOTA_INFORMED)[number], Lister<KubeObject>>>,
    private readonly queue: Queue,
    private readonly resyncMs = RESYNC_MS,
  ) {
    this.now = ctx.now ?? Date.now;
  }

  onQuota = (q: KubeObject) => this.queue.add(objectKey(q));
  /**
   * Only a change of spec.hard: status changes are admission's charges and this controller's
   * own writes, and a recount on each would race the charges of creates not yet in the cache.
   */
  updateQuota = (old: KubeObject, q: KubeObject) => {
    if (!jsonEqual(old.spec?.hard ?? {}, q.spec?.hard ?? {})) this.queue.add(objectKey(q));
  };
  /** Replenishment, as upstream: a deleted object gives its usage back (creates were charged at admission). */
  deleteObject = (obj: unknown) => {
    const o = unwrap<KubeObject>(obj);
    if (o) this.enqueueNamespace(o.metadata.namespace ?? '');
  };
  /** A pod that reached the end of its life stops costing compute and `pods`. */
  updatePod = (old: KubeObject, cur: KubeObject) => {
    if (podCountsForQuota(old, this.now()) && !podCountsForQuota(cur, this.now())) this.enqueueNamespace(cur.metadata.namespace ?? '');
  };

  private enqueueNamespace(ns: string): void {
    for (const q of this.listers.resourcequotas.list(ns)) this.queue.add(objectKey(q));
  }

  start(): void {
    this.timer = setInterval(() => {
      for (const q of this.listers.resourcequotas.list()) this.queue.add(objectKey(q));
    }, this.resyncMs);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
  }

  async sync(key: string): Promise<void> {
    const { namespace, name } = splitObjectKey(key);
    const cached = this.listers.resourcequotas.get(namespace, name) as ResourceQuota | undefined;
    if (!cached || cached.metadata.deletionTimestamp) return;
    const quota = deepCopy(cached) as KubeObject;
    const hardSpec = (quota.spec?.hard ?? {}) as Record<string, string>;
    const names = Object.keys(parseResourceList(hardSpec));
    const used: ResourceAmounts = Object.fromEntries(names.map((n) => [n, 0]));
    for (const resource of await this.resourcesFor(names)) {
      for (const obj of await this.objects(resource, namespace)) {
        if (!quotaScopesMatch(quota, resource, obj)) continue;
        const usage = quotaUsageOf(resource, obj, this.now());
        for (const n of names) if (n in usage) used[n] = used[n]! + usage[n]!;
      }
    }
    const status = { hard: { ...hardSpec }, used: formatResourceList(used) };
    if (jsonEqual(quota.status ?? {}, status)) return;
    quota.status = status;
    await this.ctx.client.update('resourcequotas', quota, { subresource: 'status' });
  }

  /** The resources whose objects cost something a quota with these names limits. */
  private async resourcesFor(names: string[]): Promise<string[]> {
    const out = new Set<string>();
    for (const n of names) {
      if (quotaMatchingResources('pods', [n]).length) out.add('pods');
      else if (n.startsWith('services')) out.add('services');
      else if (['configmaps', 'secrets', 'resourcequotas', 'replicationcontrollers', 'persistentvolumeclaims'].includes(n)) out.add(n);
      else if (n.startsWith('count/')) {
        const [resource, ...group] = n.slice('count/'.length).split('.');
        const info = findResource(resource!);
        if (info && info.resource === resource && info.group === group.join('.') && info.namespaced && !info.virtual) out.add(resource!);
      }
    }
    return [...out].filter((r) => findResource(r)?.resource === r);
  }

  private async objects(resource: string, namespace: string): Promise<KubeObject[]> {
    const lister = this.listers[resource as (typeof QUOTA_INFORMED)[number]];
    if (lister) return lister.list(namespace);
    return (await this.ctx.client.list(resource, { namespace })).items;
  }
}
