// Patch: JSON, merge, strategic-merge and server-side apply (which may create), of the object,
// its status or its scale, re-applied to the newer state when a compare-and-swap is lost.
import type { KubeObject } from '@k8ts/api';
import { ApiError, type PatchType } from '@k8ts/client';
import type { PatchOpts } from './types.js';
import { MAX_RETRIES, type RegistryCore } from './core.js';
import { objectKey } from '../storage/keys.js';
import * as errs from './errors.js';
import { meta } from './meta.js';
import { scaleOf } from './scale.js';
import { applyPatch } from './api-calls.js';
import { decodeWrite } from './decode.js';
import { applyPatchServerSide, checkPatchOptions } from './managed-fields.js';
import { create } from './create.js';
import { tryUpdate } from './update.js';
import { checkedReplicas, tryScale } from './subresources.js';
import { isEphemeralContainers } from './ephemeral-containers.js';

const APPLY: PatchType = 'application/apply-patch+yaml';

export async function patchObject(reg: RegistryCore, resource: string, namespace: string, name: string, patchType: PatchType, patch: string, opts: PatchOpts = {}): Promise<{ object: KubeObject; created: boolean }> {
  const info = reg.resourceInfo(resource);
  const ns = reg.scope(info, namespace);
  const sub = opts.subresource ?? '';
  checkPatchOptions(patchType === APPLY, opts);
  // Only status, scale and pods/ephemeralcontainers are patchable subresources: a PATCH of
  // pods/binding or serviceaccounts/token must not become a write of the object itself.
  if (sub !== '' && sub !== 'status' && sub !== 'scale' && !isEphemeralContainers(resource, sub)) {
    throw errs.methodNotAllowed(`the server does not allow this method on the requested resource: ${resource}/${sub}`);
  }
  const key = objectKey(resource, ns, name);
  for (let attempt = 0; ; attempt++) {
    const cur = await reg.store.get(key);
    if (!cur) {
      if (patchType !== APPLY || sub) throw errs.notFound(resource, name);
      const obj = applyPatchServerSide(info, undefined, patch, opts);
      meta(obj).name = name;
      try {
        return { object: await create(reg, resource, ns, obj, opts), created: true };
      } catch (err) {
        if (err instanceof ApiError && err.reason === 'AlreadyExists' && attempt < MAX_RETRIES) continue;
        throw err;
      }
    }
    if (sub === 'scale') {
      // The patched Scale carries the current resourceVersion unless the patch set one,
      // so only a resourceVersion from the patch can differ from the state it was applied
      // to; a lost compare-and-swap re-applies the patch to the newer state.
      const patched = applyPatch('scale', scaleOf(cur, info), patchType, patch);
      const pinned = patched.metadata?.resourceVersion;
      if (pinned && pinned !== cur.metadata.resourceVersion) throw errs.conflict(info.resource, name);
      const result = await tryScale(reg, info, key, cur, checkedReplicas(name, patched), opts);
      if (result) return { object: result, created: false };
      continue; // as GuaranteedUpdate: every lost race is another writer's progress
    }
    const curRv = cur.metadata.resourceVersion!;
    const found = { duplicates: [] as string[] };
    const raw = patchType === APPLY ? applyPatchServerSide(info, cur, patch, opts) : applyPatch(resource, cur, patchType, patch, found);
    const patched = decodeWrite(info, raw, opts, found.duplicates);
    const pinned = patched.metadata?.resourceVersion;
    // A resourceVersion in the patch itself is a precondition; otherwise retry conflicts.
    if (pinned && pinned !== curRv) throw errs.conflict(resource, name);
    if (patched.metadata?.name && patched.metadata.name !== name) {
      throw errs.badRequest(`the name of the object (${patched.metadata.name}) does not match the name on the URL (${name})`);
    }
    const result = await tryUpdate(reg, info, key, cur, patched, sub, opts);
    if (result) return { object: result, created: false };
    if (attempt >= MAX_RETRIES) throw errs.conflict(resource, name);
  }
}
