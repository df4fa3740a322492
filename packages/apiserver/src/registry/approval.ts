// certificatesigningrequests/approval (Kubernetes' csrApprovalStrategy): a write that
// changes nothing but status.conditions, where Approved or Denied are added. Who may do it
// (the `approve` verb on signers/<signerName>) is admission's and authorization's business.
import type { KubeObject, ResourceInfo } from '@k8ts/api';
import type { WriteOpts } from './types.js';
import type { AdmissionRequest } from './admission.js';
import type { RegistryCore } from './core.js';
import { clone } from './object-utils.js';
import { validate } from './api-calls.js';
import { nowTime } from './time.js';
import * as errs from './errors.js';

export function isApproval(resource: string, sub: string): boolean {
  return sub === 'approval' && resource === 'certificatesigningrequests';
}

type Review = (reg: RegistryCore, info: ResourceInfo, cur: KubeObject, next: KubeObject, sub: string, opts: WriteOpts) => AdmissionRequest | undefined;

export async function buildApproval(reg: RegistryCore, info: ResourceInfo, cur: KubeObject, input: KubeObject, opts: WriteOpts, review: Review): Promise<KubeObject> {
  const conditions = (input as { status?: { conditions?: unknown } }).status?.conditions;
  if (conditions !== undefined && conditions !== null && !Array.isArray(conditions)) {
    throw errs.invalid(info.kind, cur.metadata.name!, [{ field: 'status.conditions', type: 'FieldValueInvalid', message: 'Invalid value: must be a list' }], info.group);
  }
  const next = clone(cur);
  const now = nowTime();
  const before = new Map<string, any>(((cur.status?.conditions ?? []) as any[]).map((c) => [c?.type, c]));
  const list = ((conditions ?? []) as any[]).map((c) => {
    if (!c || typeof c !== 'object') return c;
    const out = { ...c };
    // As the strategy does: times the client left out are set, kept when the status did not change.
    const old = before.get(c.type);
    if (!out.lastUpdateTime) out.lastUpdateTime = now;
    if (!out.lastTransitionTime) out.lastTransitionTime = old && old.status === c.status ? (old.lastTransitionTime ?? now) : now;
    return out;
  });
  next.status = { ...(cur.status ?? {}), conditions: list };
  if (list.length === 0) delete next.status.conditions;
  const r = review(reg, info, cur, next, 'approval', opts);
  if (r) await reg.admission.admit(r);
  validate(info.resource, next, cur, 'approval');
  if (r) await reg.admission.validate(r);
  return next;
}
