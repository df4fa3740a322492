// LimitRanger (plugin/pkg/admission/limitranger): on a pod's create, containers without
// requests or limits get the defaults of their namespace's LimitRanges (`defaultRequest`,
// `default`), noted in the kubernetes.io/limit-ranger annotation; then the pod is refused
// when a container, or the pod as a whole, is outside `min`, `max` or `maxLimitRequestRatio`.
import { forbidden, formatQuotaAmount, parseQuantity, podQOSClass, podResourceList, type KubeObject, type ResourceAmounts } from '@k8ts/api';
import type { AdmissionPlugin, AdmissionRequest } from '../registry/admission.js';

const ANNOTATION = 'kubernetes.io/limit-ranger';

export interface LimitRangeSource {
  listOrLookup(namespace: string): Promise<KubeObject[]>;
}

export function createLimitRanger(limitranges: LimitRangeSource): AdmissionPlugin {
  return {
    name: 'LimitRanger',
    async admit(req) {
      if (!applies(req)) return;
      const ranges = await limitranges.listOrLookup(req.namespace);
      if (!ranges.length) return;
      setDefaults(req.object!, ranges);
    },
    async validate(req) {
      if (!applies(req)) return;
      const ranges = await limitranges.listOrLookup(req.namespace);
      if (!ranges.length) return;
      const problems = podLimitProblems(req.object!, ranges);
      if (problems.length) throw forbidden('pods', req.name, problems.length === 1 ? problems[0]! : `[${problems.join(', ')}]`);
    },
  };
}

function applies(req: AdmissionRequest): boolean {
  return req.operation === 'CREATE' && req.resource === 'pods' && req.subresource === '' && !!req.user && !!req.object;
}

type List = Record<string, string>;

/** defaultContainerResourceRequirements: what the Container items default, later items over earlier. */
function containerDefaults(ranges: KubeObject[]): { requests: List; limits: List } {
  const requests: List = {};
  const limits: List = {};
  for (const lr of sorted(ranges)) {
    for (const item of lr.spec?.limits ?? []) {
      if (item?.type !== 'Container') continue;
      Object.assign(requests, item.defaultRequest ?? {});
      Object.assign(limits, item.default ?? {});
    }
  }
  return { requests, limits };
}

/** mergePodResourceRequirements: fills what each container left unset. */
export function setDefaults(pod: KubeObject, ranges: KubeObject[]): void {
  const d = containerDefaults(ranges);
  if (!Object.keys(d.requests).length && !Object.keys(d.limits).length) return;
  const notes: string[] = [];
  const merge = (c: any, prefix: string) => {
    if (!c || typeof c !== 'object') return;
    const res = (c.resources ??= {});
    const setLimits: string[] = [];
    const setRequests: string[] = [];
    for (const [k, v] of Object.entries(d.limits)) {
      if (res.limits?.[k] === undefined) {
        (res.limits ??= {})[k] = v;
        setLimits.push(k);
      }
    }
    for (const [k, v] of Object.entries(d.requests)) {
      if (res.requests?.[k] === undefined) {
        (res.requests ??= {})[k] = v;
        setRequests.push(k);
      }
    }
    if (setRequests.length) notes.push(`${setRequests.sort().join(', ')} request for ${prefix} ${c.name}`);
    if (setLimits.length) notes.push(`${setLimits.sort().join(', ')} limit for ${prefix} ${c.name}`);
  };
  for (const c of pod.spec?.containers ?? []) merge(c, 'container');
  for (const c of pod.spec?.initContainers ?? []) merge(c, 'init container');
  if (!notes.length) return;
  pod.metadata.annotations = { ...(pod.metadata.annotations ?? {}), [ANNOTATION]: `LimitRanger plugin set: ${notes.join('; ')}` };
  // The QoS class was set from the resources as sent; PrepareForCreate runs after admission upstream.
  if (pod.status) pod.status.qosClass = podQOSClass(pod);
}

/** PodValidateLimitFunc: every breach, in upstream's words. */
export function podLimitProblems(pod: KubeObject, ranges: KubeObject[]): string[] {
  const errs: string[] = [];
  for (const lr of sorted(ranges)) {
    for (const item of lr.spec?.limits ?? []) {
      if (item?.type === 'Container') {
        for (const c of [...(pod.spec?.containers ?? []), ...(pod.spec?.initContainers ?? [])]) {
          check('Container', item, quantities(c?.resources?.requests), quantities(c?.resources?.limits), errs);
        }
      } else if (item?.type === 'Pod') {
        check('Pod', item, amounts(podResourceList(pod, 'requests')), amounts(podResourceList(pod, 'limits')), errs);
      }
    }
  }
  return [...new Set(errs)];
}

interface Q {
  text: string;
  value: number;
}

function quantities(list: unknown): Record<string, Q> {
  const out: Record<string, Q> = {};
  for (const [k, v] of Object.entries((list as Record<string, unknown>) ?? {})) {
    try {
      out[k] = { text: String(v), value: parseQuantity(v as string) };
    } catch {
      // validation refuses these
    }
  }
  return out;
}

function amounts(list: ResourceAmounts): Record<string, Q> {
  return Object.fromEntries(Object.entries(list).map(([k, v]) => [k, { text: formatQuotaAmount(k, v), value: v }]));
}

function check(type: string, item: any, req: Record<string, Q>, lim: Record<string, Q>, errs: string[]): void {
  const enforced = (list: unknown) => Object.entries(quantities(list)).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  for (const [k, e] of enforced(item.min)) {
    const r = req[k];
    const l = lim[k];
    if (!r) errs.push(`minimum ${k} usage per ${type} is ${e.text}.  No request is specified`);
    else if (r.value < e.value) errs.push(`minimum ${k} usage per ${type} is ${e.text}, but request is ${r.text}`);
    else if (l && l.value < e.value) errs.push(`minimum ${k} usage per ${type} is ${e.text}, but limit is ${l.text}`);
  }
  for (const [k, e] of enforced(item.max)) {
    const r = req[k];
    const l = lim[k];
    if (!l) errs.push(`maximum ${k} usage per ${type} is ${e.text}.  No limit is specified`);
    else if (l.value > e.value) errs.push(`maximum ${k} usage per ${type} is ${e.text}, but limit is ${l.text}`);
    else if (r && r.value > e.value) errs.push(`maximum ${k} usage per ${type} is ${e.text}, but request is ${r.text}`);
  }
  for (const [k, e] of enforced(item.maxLimitRequestRatio)) {
    const r = req[k];
    const l = lim[k];
    if (!r || r.value === 0) errs.push(`${k} max limit to request ratio per ${type} is ${e.text}, but no request is specified or request is 0`);
    else if (!l || l.value === 0) errs.push(`${k} max limit to request ratio per ${type} is ${e.text}, but no limit is specified or limit is 0`);
    else if (l.value / r.value > e.value) errs.push(`${k} max limit to request ratio per ${type} is ${e.text}, but provided ratio is ${(l.value / r.value).toFixed(6)}`);
  }
}

function sorted(ranges: KubeObject[]): KubeObject[] {
  return [...ranges].sort((a, b) => ((a.metadata.name ?? '') < (b.metadata.name ?? '') ? -1 : 1));
}
