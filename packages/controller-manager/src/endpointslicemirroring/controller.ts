// EndpointSliceMirroring: Endpoints a user writes for a Service without a selector are
// mirrored into EndpointSlices, so consumers that read only slices (cluster DNS, the proxy)
// see them. Endpoints of selector Services are the endpoints controller's, and left alone.
import type { EndpointSlice, Endpoints, Service } from '@k8ts/api';
import { deepCopy, objectKey, splitObjectKey } from '@k8ts/api';
import { isNotFound } from '@k8ts/client';
import type { ControllerContext, Lister, Queue } from '../framework/types.js';
import { unwrap } from '../framework/tombstone.js';
import { newControllerRef, semanticEqual } from '../util/objects.js';
import { ManagedByLabel, ServiceNameLabel } from '../endpoints/controller.js';
import { mirroredSlices, sliceKey, type MirrorSlice } from './desired.js';

export const MirroringManagedBy = 'endpointslicemirroring-controller.k8s.io';
export const SkipMirrorLabel = 'endpointslice.kubernetes.io/skip-mirror';
const LeaderElectionAnnotation = 'control-plane.alpha.kubernetes.io/leader';
/** Annotations of the Endpoints that say nothing about the slices. */
const UncopiedAnnotations = new Set(['endpoints.kubernetes.io/last-change-trigger-time', 'kubectl.kubernetes.io/last-applied-configuration']);

export interface MirroringListers {
  services: Lister<Service>;
  endpoints: Lister<Endpoints>;
  endpointslices: Lister<EndpointSlice>;
}

const hasSelector = (svc: Service) => !!svc.spec?.selector && Object.keys(svc.spec.selector).length > 0;
const mirroredBy = (s: EndpointSlice | undefined) => s?.metadata.labels?.[ManagedByLabel] === MirroringManagedBy;

export class EndpointSliceMirroringController {
  static readonly controllerName = 'endpointslicemirroring';
  constructor(
    private readonly ctx: ControllerContext,
    private readonly listers: MirroringListers,
    private readonly queue: Queue,
  ) {}

  onEndpoints = (obj: unknown) => {
    const ep = unwrap<Endpoints>(obj);
    if (ep) this.queue.add(objectKey(ep));
  };
  updateEndpoints = (_o: Endpoints, cur: Endpoints) => this.onEndpoints(cur);
  /** Endpoints and Service share namespace and name. */
  onService = (obj: unknown) => {
    const svc = unwrap<Service>(obj);
    if (svc) this.queue.add(objectKey(svc));
  };
  updateService = (_o: Service, cur: Service) => this.onService(cur);
  onSlice = (obj: unknown) => {
    const s = unwrap<EndpointSlice>(obj);
    const svc = s?.metadata.labels?.[ServiceNameLabel];
    if (s && svc && mirroredBy(s)) this.queue.add(`${s.metadata.namespace}/${svc}`);
  };
  /** A slice whose managed-by label a user changed is checked either way. */
  updateSlice = (old: EndpointSlice, cur: EndpointSlice) => {
    if (mirroredBy(cur)) this.onSlice(cur);
    else if (mirroredBy(old)) this.onSlice(old);
  };

  private shouldMirror(ep: Endpoints): boolean {
    return ep.metadata.labels?.[SkipMirrorLabel] !== 'true' && !(LeaderElectionAnnotation in (ep.metadata.annotations ?? {}));
  }

  async sync(key: string): Promise<void> {
    const { namespace, name } = splitObjectKey(key);
    const existing = this.listers.endpointslices.list(namespace).filter((s) => mirroredBy(s) && s.metadata.labels?.[ServiceNameLabel] === name);
    const ep = this.listers.endpoints.get(namespace, name);
    const svc = this.listers.services.get(namespace, name);
    if (!ep || !this.shouldMirror(ep) || !svc || hasSelector(svc)) {
      await this.deleteAll(namespace, existing);
      return;
    }
    if (ep.metadata.deletionTimestamp) return;
    await this.reconcile(ep, existing);
  }

  private async deleteAll(namespace: string, slices: EndpointSlice[]) {
    for (const s of slices) {
      try {
        await this.ctx.client.delete('endpointslices', namespace, s.metadata.name!);
        this.ctx.logger.info({ object: `${namespace}/${s.metadata.name}`, reason: 'MirroredSliceDeleted' }, 'deleted mirrored EndpointSlice');
      } catch (e) {
        if (!isNotFound(e)) throw e;
      }
    }
  }

  private metaFor(ep: Endpoints) {
    const labels = { ...(ep.metadata.labels ?? {}), [ServiceNameLabel]: ep.metadata.name!, [ManagedByLabel]: MirroringManagedBy };
    const annotations = Object.fromEntries(Object.entries(ep.metadata.annotations ?? {}).filter(([k]) => !UncopiedAnnotations.has(k)));
    return { labels, annotations };
  }

  private async reconcile(ep: Endpoints, existing: EndpointSlice[]) {
    const ns = ep.metadata.namespace!;
    const { labels, annotations } = this.metaFor(ep);
    const unused = [...existing];
    for (const want of mirroredSlices(ep)) {
      const i = unused.findIndex((s) => sliceKey(s.addressType, (s.ports ?? []) as MirrorSlice['ports']) === want.key);
      const cur = i >= 0 ? unused.splice(i, 1)[0] : undefined;
      if (cur) {
        const same =
          semanticEqual(cur.endpoints, want.endpoints) &&
          semanticEqual(cur.ports, want.ports) &&
          semanticEqual(cur.metadata.labels, labels) &&
          semanticEqual(cur.metadata.annotations, annotations);
        if (same) continue;
        const next = deepCopy(cur);
        next.endpoints = want.endpoints as EndpointSlice['endpoints'];
        next.ports = want.ports;
        next.metadata.labels = labels;
        next.metadata.annotations = annotations;
        await this.ctx.client.update('endpointslices', next);
        continue;
      }
      await this.ctx.client.create('endpointslices', {
        apiVersion: 'discovery.k8s.io/v1',
        kind: 'EndpointSlice',
        metadata: {
          generateName: `${ep.metadata.name}-`,
          namespace: ns,
          labels,
          ...(Object.keys(annotations).length ? { annotations } : {}),
          ownerReferences: [newControllerRef(ep, 'v1', 'Endpoints')],
        },
        addressType: want.addressType,
        endpoints: want.endpoints,
        ports: want.ports,
      } as unknown as EndpointSlice);
      this.ctx.logger.info({ object: `${ns}/${ep.metadata.name}`, reason: 'MirroredSliceCreated' }, 'mirrored Endpoints into an EndpointSlice');
    }
    await this.deleteAll(ns, unused);
  }
}
