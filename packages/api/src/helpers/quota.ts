// Resource quota accounting (k8s.io/kubernetes/pkg/quota/v1/evaluator/core): what an object
// costs a namespace's ResourceQuotas. The ResourceQuota admission plugin charges it at create
// and the resourcequota controller sums it over what is stored, so both read these rules.
import type { KubeObject } from '../types.js';
import { findResource } from '../resources.js';
import { formatQuantity, parseQuantity } from '../quantity.js';
import { podQOSClass } from '../defaults/pod.js';

/** Resource names to amounts (cores for CPU, bytes for memory, counts for objects). */
export type ResourceAmounts = Record<string, number>;

/** The legacy object-count names that predate `count/<resource>`. */
const LEGACY_COUNTS: Record<string, string> = {
  pods: 'pods',
  services: 'services',
  replicationcontrollers: 'replicationcontrollers',
  resourcequotas: 'resourcequotas',
  secrets: 'secrets',
  configmaps: 'configmaps',
  persistentvolumeclaims: 'persistentvolumeclaims',
};

/** helper.IsStandardQuotaResourceName. */
export const STANDARD_QUOTA_RESOURCES = new Set([
  'pods', 'services', 'replicationcontrollers', 'resourcequotas', 'secrets', 'configmaps', 'persistentvolumeclaims',
  'services.nodeports', 'services.loadbalancers',
  'cpu', 'memory', 'ephemeral-storage', 'requests.cpu', 'requests.memory', 'requests.storage', 'requests.ephemeral-storage',
  'limits.cpu', 'limits.memory', 'limits.ephemeral-storage',
]);

/** Names whose values must be whole numbers (object counts). */
export function isIntegerQuotaResource(name: string): boolean {
  return name in LEGACY_COUNTS || name.startsWith('count/') || name === 'services.nodeports' || name === 'services.loadbalancers';
}

export const QUOTA_SCOPES = ['Terminating', 'NotTerminating', 'BestEffort', 'NotBestEffort', 'PriorityClass', 'CrossNamespacePodAffinity'] as const;

/** `count/<resource>.<group>` (core: `count/<resource>`). */
export function objectCountName(resource: string): string {
  const group = findResource(resource)?.group ?? '';
  return group ? `count/${resource}.${group}` : `count/${resource}`;
}

/** QuotaV1Pod: pods at the end of their life stop costing compute and `pods`. */
export function podCountsForQuota(pod: KubeObject, nowMs = Date.now()): boolean {
  const phase = pod.status?.phase;
  if (phase === 'Succeeded' || phase === 'Failed') return false;
  const del = pod.metadata?.deletionTimestamp;
  if (del) {
    const grace = (pod.metadata?.deletionGracePeriodSeconds as number | undefined) ?? 0;
    if (Date.parse(del) + grace * 1000 < nowMs) return false;
  }
  return true;
}

function quantity(q: unknown): number {
  try {
    return parseQuantity(q as string);
  } catch {
    return 0;
  }
}

function containerList(c: any, kind: 'requests' | 'limits'): ResourceAmounts {
  const out: ResourceAmounts = {};
  for (const [k, v] of Object.entries(c?.resources?.[kind] ?? {})) out[k] = quantity(v);
  return out;
}

function addInto(a: ResourceAmounts, b: ResourceAmounts): ResourceAmounts {
  const out = { ...a };
  for (const [k, v] of Object.entries(b)) out[k] = (out[k] ?? 0) + v;
  return out;
}

function maxInto(a: ResourceAmounts, b: ResourceAmounts): ResourceAmounts {
  const out = { ...a };
  for (const [k, v] of Object.entries(b)) out[k] = Math.max(out[k] ?? 0, v);
  return out;
}

/** resourcehelper.PodRequests / PodLimits over every resource name: app containers summed, init containers' peak if larger, overhead added. */
export function podResourceList(pod: KubeObject, kind: 'requests' | 'limits'): ResourceAmounts {
  let apps: ResourceAmounts = {};
  for (const c of pod.spec?.containers ?? []) apps = addInto(apps, containerList(c, kind));
  let sidecars: ResourceAmounts = {};
  let initMax: ResourceAmounts = {};
  for (const c of pod.spec?.initContainers ?? []) {
    const r = containerList(c, kind);
    if (c?.restartPolicy === 'Always') {
      sidecars = addInto(sidecars, r);
      initMax = maxInto(initMax, sidecars);
    } else initMax = maxInto(initMax, addInto(r, sidecars));
  }
  let total = maxInto(addInto(apps, sidecars), initMax);
  const overhead = pod.spec?.overhead;
  if (overhead && typeof overhead === 'object') total = addInto(total, Object.fromEntries(Object.entries(overhead).map(([k, v]) => [k, quantity(v)])));
  return total;
}

const COMPUTE = ['cpu', 'memory', 'ephemeral-storage'];

/** podComputeUsageHelper: requests as `requests.X` (and plain `cpu`/`memory`), limits as `limits.X`. */
function computeUsage(requests: ResourceAmounts, limits: ResourceAmounts): ResourceAmounts {
  const out: ResourceAmounts = {};
  for (const r of COMPUTE) {
    if (r in requests) {
      out[r] = requests[r]!;
      out[`requests.${r}`] = requests[r]!;
    }
    if (r in limits) out[`limits.${r}`] = limits[r]!;
  }
  for (const [k, v] of Object.entries(requests)) {
    if (k.startsWith('hugepages-')) {
      out[k] = v;
      out[`requests.${k}`] = v;
    } else if (!COMPUTE.includes(k) && k.includes('/')) out[`requests.${k}`] = v;
  }
  return out;
}

/** What one pod costs: `count/pods` always; `pods` and compute while it counts (podCountsForQuota). */
export function podQuotaUsage(pod: KubeObject, nowMs = Date.now()): ResourceAmounts {
  const usage: ResourceAmounts = { 'count/pods': 1 };
  if (!podCountsForQuota(pod, nowMs)) return usage;
  return { ...usage, pods: 1, ...computeUsage(podResourceList(pod, 'requests'), podResourceList(pod, 'limits')) };
}

/** What a stored object of `resource` costs its namespace's quotas. */
export function quotaUsageOf(resource: string, obj: KubeObject, nowMs = Date.now()): ResourceAmounts {
  if (resource === 'pods') return podQuotaUsage(obj, nowMs);
  const usage: ResourceAmounts = { [objectCountName(resource)]: 1 };
  const legacy = LEGACY_COUNTS[resource];
  if (legacy) usage[legacy] = 1;
  if (resource === 'services') {
    const type = obj.spec?.type;
    if (type === 'LoadBalancer') usage['services.loadbalancers'] = 1;
    if (type === 'NodePort' || type === 'LoadBalancer') usage['services.nodeports'] = (obj.spec?.ports ?? []).length;
    else usage['services.nodeports'] = 0;
    if (type !== 'LoadBalancer') usage['services.loadbalancers'] = 0;
  }
  return usage;
}

const POD_TRACKED = /^(pods|count\/pods|cpu|memory|ephemeral-storage|(requests|limits)\..+|hugepages-.+)$/;

/** evaluator.MatchingResources: which of a quota's resource names objects of `resource` can cost. */
export function quotaMatchingResources(resource: string, names: Iterable<string>): string[] {
  const all = [...names];
  if (resource === 'pods') return all.filter((n) => POD_TRACKED.test(n));
  return all.filter((n) => n === objectCountName(resource) || n === LEGACY_COUNTS[resource] || (resource === 'services' && (n === 'services.nodeports' || n === 'services.loadbalancers')));
}

/** Whether a quota's scopes select the object (scopes only ever select pods). */
export function quotaScopesMatch(quota: KubeObject, resource: string, obj: KubeObject): boolean {
  const scopes: string[] = [...(quota.spec?.scopes ?? [])];
  for (const s of quota.spec?.scopeSelector?.matchExpressions ?? []) if (s?.operator === 'Exists') scopes.push(s.scopeName);
  if (!scopes.length) return true;
  if (resource !== 'pods') return false;
  return scopes.every((s) => {
    switch (s) {
      case 'Terminating':
        return obj.spec?.activeDeadlineSeconds !== undefined && obj.spec?.activeDeadlineSeconds !== null;
      case 'NotTerminating':
        return obj.spec?.activeDeadlineSeconds === undefined || obj.spec?.activeDeadlineSeconds === null;
      case 'BestEffort':
        return podQOSClass(obj) === 'BestEffort';
      case 'NotBestEffort':
        return podQOSClass(obj) !== 'BestEffort';
      default:
        return false;
    }
  });
}

const MUST_SPECIFY = new Set(['requests.cpu', 'requests.memory', 'limits.cpu', 'limits.memory', 'cpu', 'memory']);

/**
 * podEvaluator.Constraints: a quota that tracks cpu or memory needs every container to state
 * it ("must specify limits.cpu for: web; requests.memory for: web,side"), or undefined.
 */
export function podQuotaConstraintError(pod: KubeObject, quotaResources: Iterable<string>): string | undefined {
  const required = [...quotaResources].filter((r) => MUST_SPECIFY.has(r));
  if (!required.length) return undefined;
  const missing = new Map<string, Set<string>>();
  for (const c of [...(pod.spec?.containers ?? []), ...(pod.spec?.initContainers ?? [])]) {
    const have = computeUsage(containerList(c, 'requests'), containerList(c, 'limits'));
    for (const r of required) if (!(r in have)) (missing.get(r) ?? missing.set(r, new Set()).get(r)!).add(String(c?.name ?? ''));
  }
  if (!missing.size) return undefined;
  const parts = [...missing.keys()].sort().map((r) => `${r} for: ${[...missing.get(r)!].sort().join(',')}`);
  return `must specify ${parts.join('; ')}`;
}

/** Quantity text for an amount of `name`, as Quantity.String prints a sum. */
export function formatQuotaAmount(name: string, value: number): string {
  if (name.endsWith('cpu')) return formatQuantity(value, 'cpu');
  if (Number.isInteger(value) && value % 1024 === 0 && value !== 0 && /memory|storage|hugepages/.test(name)) return formatQuantity(value, 'binary');
  return formatQuantity(value, 'decimal');
}

/** A ResourceList's text as the quota messages print it: `a=1,b=2`, sorted by name. */
export function prettyResourceList(list: ResourceAmounts): string {
  return Object.keys(list)
    .sort()
    .map((k) => `${k}=${formatQuotaAmount(k, list[k]!)}`)
    .join(',');
}

/** Parses a quota's ResourceList (spec.hard, status.used); unparseable entries are left out. */
export function parseResourceList(list: unknown): ResourceAmounts {
  const out: ResourceAmounts = {};
  if (!list || typeof list !== 'object') return out;
  for (const [k, v] of Object.entries(list)) {
    try {
      out[k] = parseQuantity(v as string);
    } catch {
      // validation keeps these out of storage
    }
  }
  return out;
}

/** The ResourceList form of amounts (quantity strings). */
export function formatResourceList(list: ResourceAmounts): Record<string, string> {
  return Object.fromEntries(Object.keys(list).sort().map((k) => [k, formatQuotaAmount(k, list[k]!)]));
}
