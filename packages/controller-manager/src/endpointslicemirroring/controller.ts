// EndpointSliceMirroring: Endpoints a user writes for a Service without a selector are
// mirrored into EndpointSlices, so consumers that read only slices (cluster DNS, the proxy)
// see them. Endpoints of selector Services are the endpoints controller's, and left alone.
import type { EndpointSlice, Endpoints, Service } from '@k8ts/api';
import { objectKey, splitObjectKey } from '@k8ts/api';
import type { ControllerContext, Lister, Queue } from '../framework/types.js';
import { unwrap } from '../framework/tombstone.js';
import { newControllerRef } from '../util/objects.js';
import { deleteSlices, writeSlices, type SliceWrite } from '../endpointslice/write-slices.js';
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
    this.logWrites(namespace, await deleteSlices(this.ctx.client, namespace, slices));
  }

  private logWrites(namespace: string, writes: SliceWrite[]) {
    for (const w of writes) {
      const [reason, msg] = w.op === 'created' ? ['MirroredSliceCreated', 'mirrored Endpoints into an EndpointSlice'] : w.op === 'updated' ? ['MirroredSliceUpdated', 'updated a mirrored EndpointSlice'] : ['MirroredSliceDeleted', 'deleted mirrored EndpointSlice'];
      this.ctx.logger.info({ object: `${namespace}/${w.name}`, reason }, msg);
    }
  }

  private metaFor(ep: Endpoints) {
    const labels = { ...(ep.metadata.labels ?? {}), [ServiceNameLabel]: ep.metadata.name!, [ManagedByLabel]: MirroringManagedBy };
    const annotations = Object.fromEntries(Object.entries(ep.metadata.annotations ?? {}).filter(([k]) => !UncopiedAnnotations.has(k)));
    return { labels, annotations };
  }

  private async reconcile(ep: Endpoints, existing: EndpointSlice[]) {
    const ns = ep.metadata.namespace!;
    const owner = { namespace: ns, name: ep.metadata.name!, ownerReference: newControllerRef(ep, 'v1', 'Endpoints'), ...this.metaFor(ep) };
    const pair = (unused: EndpointSlice[], w: MirrorSlice) => unused.findIndex((s) => sliceKey(s.addressType, (s.ports ?? []) as MirrorSlice['ports']) === w.key);
    this.logWrites(ns, await writeSlices(this.ctx.client, owner, mirroredSlices(ep), existing, pair));
  }
}
