// pods/ephemeralcontainers (Kubernetes' podEphemeralContainersStrategy): a write that changes
// nothing of the pod but spec.ephemeralContainers, which may only grow (the rules live in
// @k8ts/api: validatePodEphemeralContainersUpdate). kubectl debug GETs the pod, adds its
// container and sends a strategic merge patch here; the agent of the pod's node starts it.
import type { KubeObject, ResourceInfo } from '@k8ts/api';
import type { WriteOpts } from './types.js';
import type { AdmissionRequest } from './admission.js';
import type { RegistryCore } from './core.js';
import { clone } from './object-utils.js';
import { applyDefaults, validate } from './api-calls.js';
import * as errs from './errors.js';

export const EPHEMERAL_CONTAINERS = 'ephemeralcontainers';

export function isEphemeralContainers(resource: string, sub: string): boolean {
  return sub === EPHEMERAL_CONTAINERS && resource === 'pods';
}

type Review = (reg: RegistryCore, info: ResourceInfo, cur: KubeObject, next: KubeObject, sub: string, opts: WriteOpts) => AdmissionRequest | undefined;

export async function buildEphemeralContainers(reg: RegistryCore, info: ResourceInfo, cur: KubeObject, input: KubeObject, opts: WriteOpts, review: Review): Promise<KubeObject> {
  const spec = (input as { spec?: unknown }).spec;
  if (spec !== undefined && spec !== null && (typeof spec !== 'object' || Array.isArray(spec))) {
    throw errs.invalid(info.kind, cur.metadata.name!, [{ field: 'spec', type: 'FieldValueInvalid', message: 'Invalid value: must be an object' }]);
  }
  const list = (spec as { ephemeralContainers?: unknown } | undefined)?.ephemeralContainers;
  if (list !== undefined && list !== null && !Array.isArray(list)) {
    throw errs.invalid(info.kind, cur.metadata.name!, [{ field: 'spec.ephemeralContainers', type: 'FieldValueInvalid', message: 'Invalid value: must be a list' }]);
  }
  // Everything but the ephemeral containers stays as stored (dropNonEphemeralContainerUpdates).
  const next = clone(cur);
  next.spec = { ...(next.spec ?? {}), ephemeralContainers: clone((list ?? []) as unknown[]) };
  if (!(next.spec.ephemeralContainers as unknown[]).length) delete next.spec.ephemeralContainers;
  applyDefaults(info.resource, next);
  const r = review(reg, info, cur, next, EPHEMERAL_CONTAINERS, opts);
  if (r) await reg.admission.admit(r);
  validate(info.resource, next, cur, EPHEMERAL_CONTAINERS);
  if (r) await reg.admission.validate(r);
  return next;
}
