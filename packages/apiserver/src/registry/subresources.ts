// Subresources other than a plain status PUT: status and scale reads, pods/binding,
// pods/eviction (eviction.ts), the scale PUT and namespaces/finalize.
import type { KubeObject, ResourceInfo } from '@k8ts/api';
import type { WriteOpts } from './types.js';
import type { RegistryCore } from './core.js';
import { objectKey } from '../storage/keys.js';
import * as errs from './errors.js';
import { clone } from './object-utils.js';
import { hasStatusSubresource } from './strategy.js';
import { scaleOf, writeReplicas } from './scale.js';
import { decodeSubresourceWrite } from './decode.js';
import { get } from './read.js';
import { update, tryUpdate } from './update.js';
import { evictPod } from './eviction.js';

export async function getSubresource(reg: RegistryCore, resource: string, namespace: string, name: string, subresource: string): Promise<KubeObject> {
  const info = reg.resourceInfo(resource);
  if (subresource === 'status' && hasStatusSubresource(info)) return get(reg, resource, namespace, name);
  if (subresource === 'scale' && info.subresources.includes('scale')) return scaleOf(await get(reg, resource, namespace, name), info);
  throw errs.notFound(`${resource}/${subresource}`, name);
}

export async function createSubresource(reg: RegistryCore, resource: string, namespace: string, name: string, subresource: string, body: KubeObject, opts: WriteOpts = {}): Promise<KubeObject> {
  const info = reg.resourceInfo(resource);
  const ns = reg.scope(info, namespace);
  const creator = reg.subresourceCreators.get(`${resource}/${subresource}`);
  if (creator) {
    const admit = async (object: KubeObject) => {
      if (reg.admission.empty) return;
      const review = { operation: 'CREATE' as const, resource, subresource, namespace: ns, name, object, user: opts.user, dryRun: !!opts.dryRun };
      await reg.admission.admit(review);
      await reg.admission.validate(review);
    };
    return creator(ns, name, body, opts, admit);
  }
  if (resource === 'pods') decodeSubresourceWrite(info, subresource, body, opts);
  if (resource === 'pods' && subresource === 'binding') return reg.binder.bind(ns, name, body, opts);
  if (resource === 'pods' && subresource === 'eviction') {
    if (!reg.admission.empty) await reg.admission.validate({ operation: 'CREATE', resource, subresource, namespace: ns, name, object: body, user: opts.user, dryRun: !!opts.dryRun });
    return evictPod(reg, ns, name, body, opts);
  }
  if (subresource === 'scale' && info.subresources.includes('scale')) return putScale(reg, info, ns, name, body, opts);
  if (subresource === 'status' || (subresource === 'finalize' && resource === 'namespaces')) {
    return update(reg, resource, ns, name, body, { ...opts, subresource });
  }
  throw errs.notFound(`${resource}/${subresource}`, name);
}

/** PUT of a Scale: a resourceVersion in the body is a precondition; without one, lost races are retried. */
export async function putScale(reg: RegistryCore, info: ResourceInfo, ns: string, name: string, body: KubeObject, opts: WriteOpts): Promise<KubeObject> {
  const replicas = checkedReplicas(name, body);
  const key = objectKey(info.resource, ns, name);
  const wantRv = body?.metadata?.resourceVersion;
  // Retried until it lands, as GuaranteedUpdate does: every lost race is another writer's progress.
  for (;;) {
    const cur = await reg.store.get(key);
    if (!cur) throw errs.notFound(info.resource, name);
    if (wantRv && wantRv !== cur.metadata.resourceVersion) throw errs.conflict(info.resource, name);
    const result = await tryScale(reg, info, key, cur, replicas, opts);
    if (result) return result;
    if (wantRv) throw errs.conflict(info.resource, name);
  }
}

/** One compare-and-swap of spec.replicas against `cur`; undefined when `cur` is no longer current. */
export async function tryScale(reg: RegistryCore, info: ResourceInfo, key: string, cur: KubeObject, replicas: number, opts: WriteOpts): Promise<KubeObject | undefined> {
  const next = clone(cur);
  writeReplicas(next, info, replicas);
  const result = await tryUpdate(reg, info, key, cur, next, '', opts);
  return result ? scaleOf(result, info) : undefined;
}

/** spec.replicas of a Scale body (absent: 0), or 422 as Kubernetes words it. */
export function checkedReplicas(name: string, body: KubeObject): number {
  const spec = (body as KubeObject | undefined)?.spec;
  if (spec !== undefined && spec !== null && (typeof spec !== 'object' || Array.isArray(spec))) {
    throw errs.invalid('Scale', name, [{ field: 'spec', message: `Invalid value: ${JSON.stringify(spec)}: must be an object` }], 'autoscaling');
  }
  const replicas = spec?.replicas;
  if (replicas !== undefined && (!Number.isSafeInteger(replicas) || replicas < 0 || replicas > 2147483647)) {
    throw errs.invalid('Scale', name, [{ field: 'spec.replicas', message: `Invalid value: ${JSON.stringify(replicas)}: must be greater than or equal to 0` }], 'autoscaling');
  }
  return replicas ?? 0;
}
