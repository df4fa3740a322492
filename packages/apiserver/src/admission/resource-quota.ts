// ResourceQuota (plugin/pkg/admission/resourcequota): a create is charged to every quota of
// its namespace that tracks what it costs (quotaUsageOf: object counts, pods' compute). Over
// any hard limit it is refused, 403 in upstream's words, and nothing changes; otherwise the
// charge is written into the quotas' status.used, by compare-and-swap, before the object is
// stored, so concurrent creates cannot both take the last unit. The resourcequota controller
// later recounts what is really stored (a refused or failed create's charge is given back).
import {
  ApiError,
  conflict,
  forbidden,
  isNotFound,
  parseResourceList,
  podQuotaConstraintError,
  prettyResourceList,
  quotaMatchingResources,
  quotaScopesMatch,
  quotaUsageOf,
  formatResourceList,
  type KubeObject,
  type ResourceAmounts,
} from '@k8ts/api';
import type { AdmissionPlugin, AdmissionRequest } from '../registry/admission.js';
import type { Registry } from '../registry/types.js';

/** Compare-and-swap rounds against other writers of the same quotas before giving up. */
const MAX_ATTEMPTS = 8;

export interface QuotaSource {
  list(namespace: string): KubeObject[];
  observe(obj: KubeObject): void;
}

export function createResourceQuotaAdmission(registry: Pick<Registry, 'get' | 'update'>, quotas: QuotaSource): AdmissionPlugin {
  return {
    name: 'ResourceQuota',
    async validate(req) {
      if (!applies(req)) return;
      let pending = quotas.list(req.namespace);
      if (!pending.length) return;
      const usage = quotaUsageOf(req.resource, req.object!);
      for (let attempt = 0; ; attempt++) {
        const charges = evaluate(req, pending, usage);
        if (!charges.length || req.dryRun) return;
        const stale = await charge(registry, quotas, charges);
        if (!stale.length) return;
        if (attempt + 1 >= MAX_ATTEMPTS) throw conflict('resourcequotas', stale[0]!);
        // Another create took units meanwhile: evaluate those quotas again as stored now.
        // A quota deleted meanwhile is skipped: it limits nothing any more.
        const fresh = await Promise.all(stale.map((name) => registry.get('resourcequotas', req.namespace, name).catch((e: unknown) => (isNotFound(e) ? undefined : Promise.reject(e)))));
        pending = fresh.filter((q): q is KubeObject => !!q);
      }
    },
  };
}

function applies(req: AdmissionRequest): boolean {
  return req.operation === 'CREATE' && req.subresource === '' && !!req.user && !!req.object && !!req.namespace;
}

interface Charge {
  quota: KubeObject;
  used: ResourceAmounts;
}

/** The quotas the object is charged to, with their new usage; throws the refusal. */
export function evaluate(req: Pick<AdmissionRequest, 'resource' | 'name' | 'object'>, quotas: KubeObject[], usage: ResourceAmounts): Charge[] {
  const charges: Charge[] = [];
  for (const quota of [...quotas].sort((a, b) => ((a.metadata.name ?? '') < (b.metadata.name ?? '') ? -1 : 1))) {
    if (quota.metadata.deletionTimestamp) continue;
    if (!quotaScopesMatch(quota, req.resource, req.object!)) continue;
    // What the controller last enforced (status.hard), as upstream: until it has, a quota charges nothing.
    const statusHard = (quota.status?.hard ?? {}) as Record<string, unknown>;
    const restricted = quotaMatchingResources(req.resource, Object.keys(statusHard));
    const name = quota.metadata.name!;
    if (req.resource === 'pods') {
      const missing = podQuotaConstraintError(req.object!, restricted);
      if (missing) throw forbidden(req.resource, req.name, `failed quota: ${name}: ${missing}`);
    }
    if (!restricted.length) continue;
    const usedList = (quota.status?.used ?? {}) as Record<string, unknown>;
    if (restricted.some((k) => !(k in usedList))) {
      throw forbidden(req.resource, req.name, `status unknown for quota: ${name}, resources: ${[...restricted].sort().join(',')}`);
    }
    const hard = parseResourceList(statusHard);
    const used = parseResourceList(usedList);
    const requested = restricted.filter((k) => k in usage);
    if (!requested.length) continue;
    const next: ResourceAmounts = {};
    const exceeded: string[] = [];
    for (const k of requested) {
      next[k] = (used[k] ?? 0) + usage[k]!;
      // Quantities compare exactly upstream; floats need a margin for sums like 0.1 + 0.2.
      if (next[k]! > (hard[k] ?? 0) + 1e-9) exceeded.push(k);
    }
    if (exceeded.length) {
      const pick = (l: ResourceAmounts) => Object.fromEntries(exceeded.map((k) => [k, l[k] ?? 0]));
      throw forbidden(
        req.resource,
        req.name,
        `exceeded quota: ${name}, requested: ${prettyResourceList(pick(usage))}, used: ${prettyResourceList(pick(used))}, limited: ${prettyResourceList(pick(hard))}`,
      );
    }
    charges.push({ quota, used: next });
  }
  return charges;
}

/** Writes each charge; the names of quotas whose stored state moved on (409). */
async function charge(registry: Pick<Registry, 'update'>, quotas: QuotaSource, charges: Charge[]): Promise<string[]> {
  const stale: string[] = [];
  for (const { quota, used } of charges) {
    const next = structuredClone(quota);
    next.status = { ...(next.status ?? {}), used: { ...(next.status?.used ?? {}), ...formatResourceList(used) } };
    try {
      quotas.observe(await registry.update('resourcequotas', quota.metadata.namespace!, quota.metadata.name!, next, { subresource: 'status' }));
    } catch (err) {
      if (err instanceof ApiError && err.code === 409) stale.push(quota.metadata.name!);
      else if (!isNotFound(err)) throw err;
    }
  }
  return stale;
}
