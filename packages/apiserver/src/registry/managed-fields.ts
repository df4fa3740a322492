// The registry's side of managedFields: who the field manager of a write is, which part of
// the object its endpoint writes, and the calls into @k8ts/api's managedfields with their
// errors turned into metav1.Status.
import {
  apiVersionOf,
  applyServerSide,
  fieldManagerProblem,
  managerFromUserAgent,
  recordUpdate,
  type KubeObject,
  type Part,
  type ResourceInfo,
} from '@k8ts/api';
import { ApiError } from '@k8ts/api';
import { statusError } from './errors.js';
import { hasStatusSubresource } from './strategy.js';
import { nowTime } from './time.js';
import type { PatchOpts, WriteOpts } from './types.js';

/** Objects whose managedFields server-side apply already set: the write records no Update for them. */
const appliedObjects = new WeakSet<object>();

export function isApplied(obj: object): boolean {
  return appliedObjects.has(obj);
}

/** 422 for a fieldManager parameter upstream refuses (too long, unprintable). */
export function checkFieldManager(manager: string | undefined, options: 'CreateOptions' | 'UpdateOptions' | 'PatchOptions'): void {
  if (manager === undefined || manager === '') return;
  const problem = fieldManagerProblem(manager);
  if (problem) throw statusError(422, 'Invalid', `${options}.meta.k8s.io "" is invalid: ${problem}`);
}

/** Upstream's ValidatePatchOptions: a valid fieldManager, and `force` only with apply. */
export function checkPatchOptions(isApply: boolean, opts: PatchOpts): void {
  checkFieldManager(opts.fieldManager, 'PatchOptions');
  if (opts.force && !isApply) throw statusError(422, 'Invalid', 'PatchOptions.meta.k8s.io "" is invalid: force: Forbidden: may not be specified for non-apply patch');
}

/**
 * The manager of a write: the fieldManager parameter, else the User-Agent's prefix (as
 * upstream), else, for the cluster's own gRPC callers that send neither, the user's name.
 */
export function managerOf(opts: WriteOpts & { fieldManager?: string }): string {
  if (opts.fieldManager) return opts.fieldManager;
  const fromAgent = managerFromUserAgent(opts.userAgent);
  if (fromAgent) return fromAgent;
  const user = opts.user?.name ?? '';
  if (user.startsWith('system:node:')) return 'kubelet';
  return user.replace(/^system:(serviceaccount:)?/, '').slice(0, 128);
}

/** The part of the object a write through `subresource` owns fields in. */
export function partOf(info: ResourceInfo, subresource: string, creating = false): Part {
  if (subresource === 'status') return 'status';
  if (subresource) return 'all';
  // Nodes may carry status on create, as their strategy allows.
  if (creating && info.resource === 'nodes') return 'all';
  return hasStatusSubresource(info) ? 'main' : 'all';
}

/** Records the writer's Update entry on `next` (over `live`; absent: a create). */
export function recordWrite(info: ResourceInfo, live: KubeObject | undefined, next: KubeObject, subresource: string, opts: WriteOpts & { fieldManager?: string }): void {
  try {
    recordUpdate(live, next, {
      apiVersion: apiVersionOf(info),
      kind: info.kind,
      manager: managerOf(opts),
      subresource: subresource === 'status' || subresource === 'finalize' ? subresource : '',
      part: partOf(info, subresource, !live),
      now: nowTime(),
    });
  } catch (err) {
    // An object the field set cannot be read from (a list-map item without its key) keeps
    // the managers it had, as upstream's UpdateNoErrors does.
    if (live?.metadata?.managedFields) next.metadata.managedFields = live.metadata.managedFields;
    else delete next.metadata.managedFields;
    void err;
  }
}

/** For an object server-side apply made: the managers it computed (kept across the strategy's copy). */
export function appliedManagers(input: KubeObject): { list: unknown } | undefined {
  return appliedObjects.has(input) ? { list: input.metadata?.managedFields } : undefined;
}

/** The managedFields of an update's `next`: the apply's own, or the writer's Update entry recorded. */
export function settleManagedFields(info: ResourceInfo, cur: KubeObject, next: KubeObject, subresource: string, opts: WriteOpts, applied: { list: unknown } | undefined): void {
  if (!applied) recordWrite(info, cur, next, subresource, opts);
  else if (applied.list) next.metadata.managedFields = applied.list as KubeObject['metadata']['managedFields'];
  else delete next.metadata.managedFields;
}

/** The object after server-side apply of `patch` over `live` (absent: apply creates). */
export function applyPatchServerSide(info: ResourceInfo, live: KubeObject | undefined, patch: string, opts: PatchOpts): KubeObject {
  const sub = opts.subresource ?? '';
  if (!opts.fieldManager) throw statusError(400, 'BadRequest', 'PatchOptions.meta.k8s.io "" is invalid: fieldManager: Required value: is required for apply patch');
  let out: unknown;
  try {
    out = applyServerSide(live ?? {}, patch, info.resource, {
      manager: opts.fieldManager,
      force: !!opts.force,
      subresource: sub === 'status' ? 'status' : '',
      part: partOf(info, sub, !live),
      now: nowTime(),
    });
  } catch (err) {
    // A configuration of the wrong shape (metadata a boolean, …) is the request's fault, not
    // the server's: only the api's own errors keep their Status.
    if (err instanceof ApiError) throw err;
    throw statusError(400, 'BadRequest', `failed to apply: ${(err as Error).message}`);
  }
  appliedObjects.add(out as object);
  return out as KubeObject;
}
