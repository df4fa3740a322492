// The Endpoints and EndpointSlice controllers in one loop: for every Service with a
// selector, one Endpoints object of the same name and EndpointSlices labelled with the
// service name, rewritten whenever a selected pod changes readiness, address or existence.
import type { Endpoints, EndpointSlice, Pod, Service } from '@k8ts/api';
import { isNotFound, isAlreadyExists } from '@k8ts/client';
import type { ControllerContext, Lister, Queue } from '../framework/types.js';
import { unwrap } from '../framework/tombstone.js';
import { jsonEqual, newControllerRef } from '../util/objects.js';
import { deleteSlices, writeSlices, type WantedSlice } from '../endpointslice/write-slices.js';
import { desiredSlices, desiredSubsets } from './desired.js';
import { deepCopy, objectKey, serviceSelectsLabels, splitObjectKey } from '@k8ts/api';

export const ServiceNameLabel = 'kubernetes.io/service-name';
export const ManagedByLabel = 'endpointslice.kubernetes.io/managed-by';
export const ManagedByValue = 'endpointslice-controller.k8s.io';
const HeadlessLabel = 'service.kubernetes.io/headless';

export interface EndpointsListers {
  services: Lister<Service>;
  pods: Lister<Pod>;
  endpoints: Lister<Endpoints>;
  endpointslices: Lister<EndpointSlice>;
}

export class EndpointsController {
  static readonly controllerName = 'endpoints';
  constructor(
    private readonly ctx: ControllerContext,
    private readonly listers: EndpointsListers,
    private readonly queue: Queue,
  ) {}

  onService = (svc: Service) => this.queue.add(objectKey(svc));
  updateService = (_o: Service, svc: Service) => this.queue.add(objectKey(svc));
  deleteService = (obj: unknown) => {
    const svc = unwrap<Service>(obj);
    if (svc) this.queue.add(objectKey(svc));
  };
  addPod = (pod: Pod) => this.enqueueFor(pod);
  updatePod = (old: Pod, cur: Pod) => {
    if (old.metadata.resourceVersion === cur.metadata.resourceVersion) return;
    const services = new Set([...this.servicesFor(old), ...this.servicesFor(cur)]);
    for (const k of services) this.queue.add(k);
  };
  deletePod = (obj: unknown) => {
    const pod = unwrap<Pod>(obj);
    if (pod) this.enqueueFor(pod);
  };
  /** A user editing or deleting a managed object gets it put back. */
  onEndpoints = (obj: unknown) => {
    const ep = unwrap<Endpoints>(obj);
    if (ep && this.listers.services.get(ep.metadata.namespace ?? '', ep.metadata.name!)?.spec?.selector) this.queue.add(objectKey(ep));
  };
  onSlice = (obj: unknown) => {
    const s = unwrap<EndpointSlice>(obj);
    const svc = s?.metadata.labels?.[ServiceNameLabel];
    if (s && svc && s.metadata.labels?.[ManagedByLabel] === ManagedByValue) this.queue.add(`${s.metadata.namespace}/${svc}`);
  };

  private enqueueFor(pod: Pod) {
    for (const k of this.servicesFor(pod)) this.queue.add(k);
  }
  private servicesFor(pod: Pod): string[] {
    return this.listers.services
      .list(pod.metadata.namespace ?? '')
      .filter((s) => serviceSelectsLabels(s.spec?.selector, pod.metadata.labels))
      .map(objectKey);
  }

  async sync(key: string): Promise<void> {
    const { namespace, name } = splitObjectKey(key);
    const svc = this.listers.services.get(namespace, name);
    if (!svc) {
      await this.deleteManaged(namespace, name);
      return;
    }
    // Without a selector the user manages Endpoints (and slices) by hand.
    if (!svc.spec?.selector || Object.keys(svc.spec.selector).length === 0) return;
    const pods = this.listers.pods.list(namespace);
    const errors: unknown[] = [];
    await this.syncEndpoints(svc, pods).catch((e) => errors.push(e));
    await this.syncSlices(svc, pods).catch((e) => errors.push(e));
    if (errors.length) throw errors[0];
  }

  private async deleteManaged(namespace: string, name: string) {
    try {
      if (this.listers.endpoints.get(namespace, name)) await this.ctx.client.delete('endpoints', namespace, name);
    } catch (e) {
      if (!isNotFound(e)) throw e;
    }
    await deleteSlices(this.ctx.client, namespace, this.slicesOf(namespace, name));
  }

  private labelsFor(svc: Service): Record<string, string> {
    const labels: Record<string, string> = { ...(svc.metadata.labels ?? {}) };
    if (svc.spec?.clusterIP === 'None') labels[HeadlessLabel] = '';
    return labels;
  }

  private async syncEndpoints(svc: Service, pods: Pod[]): Promise<void> {
    const subsets = desiredSubsets(svc, pods);
    const labels = this.labelsFor(svc);
    const cur = this.listers.endpoints.get(svc.metadata.namespace ?? '', svc.metadata.name!);
    if (cur && jsonEqual(cur.subsets ?? [], subsets) && jsonEqual(cur.metadata.labels ?? {}, labels)) return;
    if (!cur) {
      const ep: Endpoints = { apiVersion: 'v1', kind: 'Endpoints', metadata: { name: svc.metadata.name, namespace: svc.metadata.namespace, labels }, subsets };
      try {
        await this.ctx.client.create('endpoints', ep);
      } catch (e) {
        // The cache lags: read the stored one and update it instead.
        if (!isAlreadyExists(e)) throw e;
        const stored = await this.ctx.client.get<Endpoints>('endpoints', svc.metadata.namespace!, svc.metadata.name!);
        await this.ctx.client.update('endpoints', { ...stored, subsets, metadata: { ...stored.metadata, labels } });
      }
      return;
    }
    const next = deepCopy(cur);
    next.subsets = subsets;
    next.metadata.labels = labels;
    await this.ctx.client.update('endpoints', next);
  }

  private slicesOf(namespace: string, svcName: string): EndpointSlice[] {
    return this.listers.endpointslices
      .list(namespace)
      .filter((s) => s.metadata.labels?.[ServiceNameLabel] === svcName && s.metadata.labels?.[ManagedByLabel] === ManagedByValue);
  }

  private async syncSlices(svc: Service, pods: Pod[]): Promise<void> {
    const want = desiredSlices(svc, pods);
    const owner = {
      namespace: svc.metadata.namespace!,
      name: svc.metadata.name!,
      ownerReference: newControllerRef(svc, 'v1', 'Service'),
      labels: { ...this.labelsFor(svc), [ServiceNameLabel]: svc.metadata.name!, [ManagedByLabel]: ManagedByValue },
    };
    // A service with no endpoints still gets one (empty) slice, as Kubernetes keeps; it
    // reuses any slice left over rather than making a new one.
    const wanted: WantedSlice[] = want.length
      ? want.map((w) => ({ addressType: 'IPv4', ports: w.ports, endpoints: w.endpoints }))
      : [{ addressType: 'IPv4', ports: [], endpoints: [] }];
    const pair = (unused: EndpointSlice[], w: WantedSlice) => {
      const i = unused.findIndex((s) => jsonEqual(portsOf(s), w.ports));
      return i >= 0 || want.length ? i : unused.length ? 0 : -1;
    };
    await writeSlices(this.ctx.client, owner, wanted, this.slicesOf(owner.namespace, owner.name), pair);
  }
}

function portsOf(s: EndpointSlice) {
  return s.ports ?? [];
}
