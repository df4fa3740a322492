// Delete (graceful for pods, finalizers and propagation policies, preconditions, the unsafe
// delete of an undecodable value) and deleteCollection.
import { apiVersionOf, type DeleteOptions, type KubeList, type KubeObject, type ResourceInfo } from '@k8ts/api';
import { ApiError, type ListOptions } from '@k8ts/client';
import type { DeleteResult, WriteOpts } from './types.js';
import { MAX_RETRIES, type RegistryCore } from './core.js';
import { CorruptObjectError } from '../storage/codec.js';
import { objectKey } from '../storage/keys.js';
import * as errs from './errors.js';
import { meta } from './meta.js';
import { clone, deepEqual } from './object-utils.js';
import { nowTime } from './time.js';
import { readyToDelete } from './strategy.js';
import { podGracePeriod } from './pods.js';
import { list as listObjects } from './read.js';

export async function deleteObject(reg: RegistryCore, resource: string, namespace: string, name: string, opts: DeleteOptions & WriteOpts = {}): Promise<DeleteResult> {
  const info = reg.resourceInfo(resource);
  const ns = reg.scope(info, namespace);
  const key = objectKey(resource, ns, name);
  for (let attempt = 0; attempt <= MAX_RETRIES; attempt++) {
    const cur = await readForDelete(reg, key, opts);
    if (cur === 'removed') return { object: removedObject(info, ns, name), finished: true };
    if (!cur) throw errs.notFound(resource, name);
    checkPreconditions(resource, name, cur, opts);
    if (!reg.admission.empty) await reg.admission.validate({ operation: 'DELETE', resource, subresource: '', namespace: ns, name, oldObject: cur, user: opts.user, dryRun: !!opts.dryRun });
    const result = await tryDelete(reg, info, key, cur, opts);
    if (result) return result;
  }
  throw errs.conflict(resource, name);
}

/**
 * The object to delete; for a value no read can decode, the 500 of the read (naming the
 * option), or, with DeleteOptions.ignoreStoreReadErrorWithClusterBreakingPotential, its
 * removal without finalizers, preconditions or hooks, as kube-apiserver's unsafe delete.
 */
export async function readForDelete(reg: RegistryCore, key: string, opts: DeleteOptions & WriteOpts): Promise<KubeObject | undefined | 'removed'> {
  try {
    return await reg.store.get(key);
  } catch (err) {
    if (!(err instanceof CorruptObjectError) || (opts as UnsafeDelete).ignoreStoreReadErrorWithClusterBreakingPotential !== true) throw err;
    if (opts.dryRun) return 'removed';
    const r = await reg.store.deleteCorrupt(key);
    // Not deleted: the value changed meanwhile and may decode now; take the normal path.
    return r.deleted ? 'removed' : reg.store.get(key);
  }
}

export async function tryDelete(reg: RegistryCore, info: ResourceInfo, key: string, cur: KubeObject, opts: DeleteOptions & WriteOpts): Promise<DeleteResult | undefined> {
  const curRv = cur.metadata.resourceVersion!;
  const next = clone(cur);
  const m = meta(next);
  // Finalizers for the garbage collector's propagation policies.
  const policy = opts.propagationPolicy ?? (opts.orphanDependents === true ? 'Orphan' : undefined);
  const finalizers = [...(m.finalizers ?? [])];
  if (policy === 'Foreground' && !finalizers.includes('foregroundDeletion')) finalizers.push('foregroundDeletion');
  if (policy === 'Orphan' && !finalizers.includes('orphan')) finalizers.push('orphan');
  if (finalizers.length) m.finalizers = finalizers;

  if (info.resource === 'namespaces') {
    if (!m.deletionTimestamp) {
      m.deletionTimestamp = nowTime();
      m.deletionGracePeriodSeconds = 0;
      next.status = { ...(next.status ?? {}), phase: 'Terminating' };
    }
  } else if (info.resource === 'pods') {
    const grace = podGracePeriod(cur, opts.gracePeriodSeconds ?? undefined);
    const curGrace = cur.metadata.deletionGracePeriodSeconds;
    // A second delete may only shorten the grace period.
    if (!(m.deletionTimestamp && curGrace !== undefined && curGrace <= grace)) {
      m.deletionTimestamp = nowTime(grace);
      m.deletionGracePeriodSeconds = grace;
    }
  } else if (m.finalizers?.length && !m.deletionTimestamp) {
    m.deletionTimestamp = nowTime();
    m.deletionGracePeriodSeconds = 0;
  }

  if (!m.deletionTimestamp) m.deletionTimestamp = nowTime();
  if (m.deletionGracePeriodSeconds === undefined) m.deletionGracePeriodSeconds = 0;
  if (readyToDelete(next)) {
    if (opts.dryRun) return { object: cur, finished: true };
    const r = await reg.store.delete(key, cur, curRv);
    if (!r.ok) return undefined;
    reg.noteNamespace(info, r.object, true);
    await reg.afterDelete(info, r.object);
    return { object: r.object, finished: true };
  }
  if (deepEqual(next, cur)) return { object: cur, finished: false };
  if (opts.dryRun) return { object: next, finished: false };
  const r = await reg.store.update(key, next, curRv);
  if (r.ok) reg.noteNamespace(info, r.object);
  return r.ok ? { object: r.object, finished: false } : undefined;
}

export async function deleteCollection(reg: RegistryCore, resource: string, namespace: string, listOpts: ListOptions, opts: DeleteOptions & WriteOpts = {}): Promise<KubeList> {
  const list = await listObjects(reg, resource, { ...listOpts, namespace });
  const items: KubeObject[] = [];
  for (const it of list.items) {
    try {
      items.push((await deleteObject(reg, resource, it.metadata.namespace ?? '', it.metadata.name!, opts)).object);
    } catch (err) {
      if (!(err instanceof ApiError && err.code === 404)) throw err;
    }
  }
  return { ...list, items };
}

type UnsafeDelete = { ignoreStoreReadErrorWithClusterBreakingPotential?: boolean };

/** What a delete of an undecodable value answers with: all its key tells. */
function removedObject(info: ResourceInfo, namespace: string, name: string): KubeObject {
  return { apiVersion: apiVersionOf(info), kind: info.kind, metadata: namespace ? { name, namespace } : { name } };
}

function checkPreconditions(resource: string, name: string, cur: KubeObject, opts: DeleteOptions): void {
  const p = opts.preconditions;
  if (!p) return;
  if (p.uid && p.uid !== cur.metadata.uid) {
    throw errs.conflict(resource, name, `Precondition failed: UID in precondition: ${p.uid}, UID in object meta: ${cur.metadata.uid}`);
  }
  if (p.resourceVersion && p.resourceVersion !== cur.metadata.resourceVersion) {
    throw errs.conflict(resource, name, `Precondition failed: ResourceVersion in precondition: ${p.resourceVersion}, ResourceVersion in object meta: ${cur.metadata.resourceVersion}`);
  }
}
