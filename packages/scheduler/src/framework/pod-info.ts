// What the scheduler needs from a pod, computed once per pod version: requests, host ports,
// parsed (anti-)affinity terms. Existing pods on nodes and the pod being scheduled share it.
import type { Pod, PodAffinity, PodAffinityTerm } from '@k8ts/api';
import { labelSelectorFromObject, podRequests, podHostPorts, controllerRef, type LabelSelectorMatcher } from '@k8ts/api';

type WeightedPodAffinityTerm = NonNullable<PodAffinity['preferredDuringSchedulingIgnoredDuringExecution']>[number];

export interface Resources {
  cpuMillis: number;
  memoryBytes: number;
}

export interface HostPort {
  protocol: string;
  hostIP: string;
  hostPort: number;
}

/** A namespace's labels, for terms with a namespaceSelector. */
export type NamespaceLabels = (namespace: string) => Record<string, string> | undefined;

export interface AffinityTerm {
  /** null: every namespace (an empty namespaceSelector). */
  namespaces: ReadonlySet<string> | null;
  /** Namespaces whose labels match are covered too (a non-empty namespaceSelector). */
  namespaceSelector: LabelSelectorMatcher | null;
  selector: LabelSelectorMatcher;
  topologyKey: string;
}

export interface WeightedAffinityTerm extends AffinityTerm {
  weight: number;
}

export interface PodInfo {
  readonly key: string;
  readonly pod: Pod;
  readonly namespace: string;
  readonly labels: Record<string, string>;
  /** Requests as NodeResourcesFit counts them (init containers included the Kubernetes way). */
  readonly requests: Resources;
  /** Requests with the scheduler's defaults for containers that name none (100m, 200Mi): for scoring. */
  readonly nonZeroRequests: Resources;
  readonly hostPorts: readonly HostPort[];
  readonly requiredAffinityTerms: readonly AffinityTerm[];
  readonly requiredAntiAffinityTerms: readonly AffinityTerm[];
  readonly preferredAffinityTerms: readonly WeightedAffinityTerm[];
  readonly preferredAntiAffinityTerms: readonly WeightedAffinityTerm[];
  readonly terminating: boolean;
  readonly controllerUid: string | undefined;
  /** Bad input found while reading the pod (a bad quantity, a bad selector). */
  readonly parseError: string | undefined;
}

export function podKey(pod: Pod): string {
  return `${pod.metadata?.namespace ?? 'default'}/${pod.metadata?.name ?? ''}`;
}

function termNamespaces(pod: Pod, term: PodAffinityTerm): ReadonlySet<string> | null {
  const listed = term.namespaces ?? [];
  const nsSel = term.namespaceSelector;
  // An empty namespaceSelector ({}) selects every namespace.
  if (nsSel && !nsSel.matchLabels && !(nsSel.matchExpressions?.length)) return null;
  if (listed.length === 0 && !nsSel) return new Set([pod.metadata?.namespace ?? 'default']);
  return new Set(listed);
}

function toTerm(pod: Pod, term: PodAffinityTerm): AffinityTerm {
  const namespaces = termNamespaces(pod, term);
  return {
    namespaces,
    namespaceSelector: namespaces !== null && term.namespaceSelector ? labelSelectorFromObject(term.namespaceSelector) : null,
    selector: labelSelectorFromObject(term.labelSelector),
    topologyKey: term.topologyKey,
  };
}

function toWeighted(pod: Pod, w: WeightedPodAffinityTerm): WeightedAffinityTerm {
  return { ...toTerm(pod, w.podAffinityTerm), weight: w.weight };
}

const ZERO: Resources = Object.freeze({ cpuMillis: 0, memoryBytes: 0 });

/** The first problem found while reading a pod, kept as its parseError. */
interface Problems {
  first?: string;
}

function note(problems: Problems, what: string, e: unknown): void {
  problems.first ??= `${what}: ${(e as Error).message}`;
}

// Module-level functions, not closures per call: tsx keeps function names (esbuild keepNames),
// which costs every closure a defineProperty, and this runs for every pod the scheduler sees.
function parseTerms<T, R>(pod: Pod, list: T[] | undefined, f: (pod: Pod, t: T) => R, what: string, problems: Problems): R[] {
  const out: R[] = [];
  if (!list) return out;
  for (const t of list) {
    try {
      out.push(f(pod, t));
    } catch (e) {
      note(problems, what, e);
    }
  }
  return out;
}

export function newPodInfo(pod: Pod): PodInfo {
  const problems: Problems = {};
  let requests: Resources = ZERO;
  let nonZeroRequests: Resources = ZERO;
  try {
    requests = podRequests(pod);
    nonZeroRequests = podRequests(pod, { nonZero: true });
  } catch (e) {
    note(problems, 'invalid resource requests', e);
  }
  const aff = pod.spec?.affinity;
  const requiredAffinityTerms = parseTerms(pod, aff?.podAffinity?.requiredDuringSchedulingIgnoredDuringExecution, toTerm, 'invalid pod affinity term', problems);
  const requiredAntiAffinityTerms = parseTerms(pod, aff?.podAntiAffinity?.requiredDuringSchedulingIgnoredDuringExecution, toTerm, 'invalid pod anti-affinity term', problems);
  const preferredAffinityTerms = parseTerms(pod, aff?.podAffinity?.preferredDuringSchedulingIgnoredDuringExecution, toWeighted, 'invalid pod affinity term', problems);
  const preferredAntiAffinityTerms = parseTerms(pod, aff?.podAntiAffinity?.preferredDuringSchedulingIgnoredDuringExecution, toWeighted, 'invalid pod anti-affinity term', problems);
  let hostPorts: HostPort[] = [];
  try {
    hostPorts = podHostPorts(pod);
  } catch (e) {
    note(problems, 'invalid ports', e);
  }
  return {
    key: podKey(pod),
    pod,
    namespace: pod.metadata?.namespace ?? 'default',
    labels: pod.metadata?.labels ?? {},
    requests,
    nonZeroRequests,
    hostPorts,
    requiredAffinityTerms,
    requiredAntiAffinityTerms,
    preferredAffinityTerms,
    preferredAntiAffinityTerms,
    terminating: Boolean(pod.metadata?.deletionTimestamp),
    controllerUid: controllerRef(pod as any)?.uid,
    parseError: problems.first,
  };
}

/**
 * The PodInfo of a newer version of the same pod. What the apiserver keeps immutable in a pod's
 * spec (requests, host ports, affinity) is reused from `prev`; what may change (labels,
 * deletion, owner) is read again. Spares the scheduler a parse per bound pod: the bind it
 * sees come back through the watch is the pod it scheduled, with spec.nodeName set.
 */
export function refreshPodInfo(prev: PodInfo, pod: Pod): PodInfo {
  if (prev.pod === pod) return prev;
  if (!prev.pod.metadata?.uid || prev.pod.metadata.uid !== pod.metadata?.uid) return newPodInfo(pod);
  return {
    ...prev,
    pod,
    labels: pod.metadata?.labels ?? {},
    terminating: Boolean(pod.metadata?.deletionTimestamp),
    controllerUid: controllerRef(pod as any)?.uid,
  };
}

export function hasPodAffinity(pi: PodInfo): boolean {
  return (
    pi.requiredAffinityTerms.length > 0 ||
    pi.requiredAntiAffinityTerms.length > 0 ||
    pi.preferredAffinityTerms.length > 0 ||
    pi.preferredAntiAffinityTerms.length > 0
  );
}

/** Does `target` fall under the term (its namespace is covered and its labels match)? */
export function podMatchesTerm(target: PodInfo, term: AffinityTerm, nsLabels?: NamespaceLabels): boolean {
  if (term.namespaces !== null && !term.namespaces.has(target.namespace)) {
    if (!term.namespaceSelector || !nsLabels) return false;
    const labels = nsLabels(target.namespace);
    if (!labels || !term.namespaceSelector.matches(labels)) return false;
  }
  return term.selector.matches(target.labels);
}
