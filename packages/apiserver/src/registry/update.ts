// Update (PUT of the object, its status or a namespace's finalize) and GuaranteedUpdate, both
// over one compare-and-swap step that keeps server-owned fields and writes nothing for a no-op.
import { apiVersionOf, type KubeObject, type ResourceInfo } from '@k8ts/api';
import type { WriteOpts } from './types.js';
import type { AdmissionRequest } from './admission.js';
import { MAX_RETRIES, type RegistryCore } from './core.js';
import { objectKey } from '../storage/keys.js';
import { isStale } from '../storage/codec.js';
import * as errs from './errors.js';
import { meta } from './meta.js';
import { clone, deepEqual } from './object-utils.js';
import { hasStatusSubresource, readyToDelete } from './strategy.js';
import { applyDefaults, validate } from './api-calls.js';
import { decodeWrite } from './decode.js';
import { appliedManagers, checkFieldManager, settleManagedFields } from './managed-fields.js';
import { checkKind } from './create.js';
import { putScale } from './subresources.js';
import { buildApproval, isApproval } from './approval.js';
import { buildEphemeralContainers, isEphemeralContainers } from './ephemeral-containers.js';

export async function update(reg: RegistryCore, resource: string, namespace: string, name: string, obj: KubeObject, opts: WriteOpts & { subresource?: string } = {}): Promise<KubeObject> {
  const info = reg.resourceInfo(resource);
  const ns = reg.scope(info, namespace);
  const sub = opts.subresource ?? '';
  checkFieldManager(opts.fieldManager, 'UpdateOptions');
  if (sub === 'scale') return putScale(reg, info, ns, name, obj, opts);
  if (sub !== '' && sub !== 'status' && !(sub === 'finalize' && resource === 'namespaces') && !isApproval(resource, sub) && !isEphemeralContainers(resource, sub)) {
    throw errs.methodNotAllowed(`the server does not allow this method on the requested resource: ${resource}/${sub}`);
  }
  if (!sub || sub === 'status') {
    if (!hasStatusSubresource(info) && sub === 'status') throw errs.notFound(`${resource}/status`, name);
  }
  if (!obj || typeof obj !== 'object') throw errs.badRequest('the request body must be an object');
  decodeWrite(info, obj, opts);
  if (obj.metadata?.name && obj.metadata.name !== name) {
    throw errs.badRequest(`the name of the object (${obj.metadata.name}) does not match the name on the URL (${name})`);
  }
  if (info.namespaced && obj.metadata?.namespace && obj.metadata.namespace !== ns) {
    throw errs.badRequest('the namespace of the provided object does not match the namespace sent on the request');
  }
  checkKind(info, obj);
  const key = objectKey(resource, ns, name);
  const wantRv = obj.metadata?.resourceVersion;
  for (let attempt = 0; ; attempt++) {
    const cur = await reg.store.get(key);
    if (!cur) throw errs.notFound(resource, name);
    if (wantRv && wantRv !== cur.metadata.resourceVersion) throw errs.conflict(resource, name);
    const input = attempt === 0 ? obj : clone(obj);
    const result = await tryUpdate(reg, info, key, cur, input, sub, opts);
    if (result) return result;
    if (wantRv || attempt >= MAX_RETRIES) throw errs.conflict(resource, name);
  }
}

/** One compare-and-swap attempt of an update; undefined when `cur` is no longer current. */
export async function tryUpdate(reg: RegistryCore, info: ResourceInfo, key: string, cur: KubeObject, input: KubeObject, sub: string, opts: WriteOpts): Promise<KubeObject | undefined> {
  const r = await casUpdate(reg, info, key, cur, input, sub, opts);
  return r.ok ? r.object : undefined;
}

/**
 * One compare-and-swap attempt; on a lost race, what etcd holds now (the failed
 * transaction reads it). `noop` says nothing was written because nothing changed.
 */
export async function casUpdate(reg: RegistryCore, info: ResourceInfo, key: string, cur: KubeObject, input: KubeObject, sub: string, opts: WriteOpts): Promise<{ ok: true; object: KubeObject; noop?: boolean } | { ok: false; current?: KubeObject }> {
  const applied = appliedManagers(input);
  const next = await buildUpdate(reg, info, cur, input, sub, opts);
  settleManagedFields(info, cur, next, sub, opts, applied);
  const curRv = cur.metadata.resourceVersion!;
  meta(next).resourceVersion = curRv;
  // no-op updates write nothing, as in Kubernetes, unless what etcd holds is under an old key
  if (deepEqual(next, cur) && !isStale(cur)) return { ok: true, object: cur, noop: true };
  if (readyToDelete(next)) {
    if (opts.dryRun) return { ok: true, object: next };
    const r = await reg.store.delete(key, next, curRv);
    if (!r.ok) return r;
    reg.noteNamespace(info, r.object, true);
    await reg.afterDelete(info, r.object);
    return r;
  }
  if (opts.dryRun) return { ok: true, object: next };
  const r = await reg.store.update(key, next, curRv);
  if (r.ok) reg.noteNamespace(info, r.object);
  return r;
}

/**
 * Kubernetes' GuaranteedUpdate: `mutate` gets a copy of the current object and returns the
 * object to write (validated, defaulted and hooked as any update). It starts from `hint`, a
 * state the caller remembers (the apiserver's cached origState in Kubernetes), so a caller
 * that writes the same object again and again costs etcd one transaction, not a read and a
 * transaction; a stale hint only loses the compare-and-swap, whose failed transaction reads
 * the current state to retry on.
 */
export async function guaranteedUpdate(reg: RegistryCore, resource: string, namespace: string, name: string, mutate: (cur: KubeObject) => KubeObject, opts: WriteOpts & { hint?: KubeObject } = {}): Promise<KubeObject> {
  const info = reg.resourceInfo(resource);
  const ns = reg.scope(info, namespace);
  const key = objectKey(resource, ns, name);
  let cur = opts.hint;
  let fresh = !cur;
  if (!cur) cur = await reg.store.get(key);
  for (let attempt = 0; ; attempt++) {
    if (!cur) throw errs.notFound(resource, name);
    const r = await casUpdate(reg, info, key, cur, mutate(clone(cur)), '', opts);
    if (r.ok && !(r.noop && !fresh)) return r.object;
    if (attempt >= MAX_RETRIES) throw errs.conflict(resource, name);
    // A no-op against a remembered state proves nothing: read what etcd holds.
    cur = r.ok ? await reg.store.get(key) : r.current;
    fresh = true;
  }
}

export async function buildUpdate(reg: RegistryCore, info: ResourceInfo, cur: KubeObject, input: KubeObject, sub: string, opts: WriteOpts = {}): Promise<KubeObject> {
  if (sub === 'status') {
    const next = clone(cur);
    if (input.status === undefined) delete next.status;
    else next.status = input.status;
    const review = updateReview(reg, info, cur, next, sub, opts);
    if (review) await reg.admission.admit(review);
    validate(info.resource, next, cur, 'status');
    if (review) await reg.admission.validate(review);
    return next;
  }
  if (isApproval(info.resource, sub)) return buildApproval(reg, info, cur, input, opts, updateReview);
  if (isEphemeralContainers(info.resource, sub)) return buildEphemeralContainers(reg, info, cur, input, opts, updateReview);
  if (sub === 'finalize') {
    const next = clone(cur);
    next.spec = { ...(next.spec ?? {}), finalizers: input.spec?.finalizers ?? [] };
    return next;
  }
  const next = input;
  const m = meta(next);
  const c = cur.metadata;
  next.apiVersion = apiVersionOf(info);
  next.kind = info.kind;
  m.name = c.name;
  if (info.namespaced) m.namespace = c.namespace;
  else delete m.namespace;
  m.uid = c.uid;
  m.creationTimestamp = c.creationTimestamp;
  m.generation = c.generation;
  setOrDelete(m, 'deletionTimestamp', c.deletionTimestamp);
  setOrDelete(m, 'deletionGracePeriodSeconds', c.deletionGracePeriodSeconds);
  delete m.selfLink;
  if (hasStatusSubresource(info)) {
    if (cur.status === undefined) delete next.status;
    else next.status = clone(cur.status);
  }
  if (info.resource === 'namespaces') next.spec = { ...(next.spec ?? {}), finalizers: cur.spec?.finalizers ?? [] };
  applyDefaults(info.resource, next);
  if (c.deletionTimestamp) {
    const had = new Set(c.finalizers ?? []);
    const added = (m.finalizers ?? []).filter((f) => !had.has(f));
    if (added.length) {
      throw errs.invalid(info.kind, c.name!, [{ field: 'metadata.finalizers', message: `Forbidden: no new finalizers can be added if the object is being deleted, found new finalizers ${JSON.stringify(added)}`, type: 'FieldValueForbidden' }], info.group || undefined);
    }
  }
  const review = updateReview(reg, info, cur, next, sub, opts);
  if (review) await reg.admission.admit(review);
  if (!deepEqual(next.spec, cur.spec)) m.generation = (c.generation ?? 1) + 1;
  validate(info.resource, next, cur);
  if (review) await reg.admission.validate(review);
  for (const h of reg.hooksOf(info.resource)) await h.beforeUpdate?.(next, cur);
  return next;
}

/** The admission review of an update, or undefined when no plugin is registered. */
export function updateReview(reg: RegistryCore, info: ResourceInfo, cur: KubeObject, next: KubeObject, sub: string, opts: WriteOpts): AdmissionRequest | undefined {
  if (reg.admission.empty) return undefined;
  return { operation: 'UPDATE', resource: info.resource, subresource: sub, namespace: cur.metadata.namespace ?? '', name: cur.metadata.name ?? '', object: next, oldObject: cur, user: opts.user, dryRun: !!opts.dryRun, warnings: opts.warnings };
}

function setOrDelete(m: Record<string, unknown>, k: string, v: unknown): void {
  if (v === undefined) delete m[k];
  else m[k] = v;
}
