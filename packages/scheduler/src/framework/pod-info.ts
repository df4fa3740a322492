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

export function newPodInfo(pod: Pod): PodInfo {
  let parseError: string | undefined;
  const note = (what: string, e: unknown) => {
    parseError ??= `${what}: ${(e as Error).message}`;
  };
  let requests: Resources = ZERO;
  let nonZeroRequests: Resources = ZERO;
  try {
    requests = podRequests(pod);
    nonZeroRequests = podRequests(pod, { nonZero: true });
  } catch (e) {
    note('invalid resource requests', e);
  }
  const aff = pod.spec?.affinity;
  const parse = <T, R>(list: T[] | undefined, f: (t: T) => R, what: string): R[] => {
    const out: R[] = [];
    for (const t of list ?? []) {
      try {
        out.push(f(t));
      } catch (e) {
        note(what, e);
      }
    }
    return out;
  };
  const requiredAffinityTerms = parse(aff?.podAffinity?.requiredDuringSchedulingIgnoredDuringExecution, (t) => toTerm(pod, t), 'invalid pod affinity term');
  const requiredAntiAffinityTerms = parse(aff?.podAntiAffinity?.requiredDuringSchedulingIgnoredDuringExecution, (t) => toTerm(pod, t), 'invalid pod anti-affinity term');
  const preferredAffinityTerms = parse(aff?.podAffinity?.preferredDuringSchedulingIgnoredDuringExecution, (t) => toWeighted(pod, t), 'invalid pod affinity term');
  const preferredAntiAffinityTerms = parse(aff?.podAntiAffinity?.preferredDuringSchedulingIgnoredDuringExecution, (t) => toWeighted(pod, t), 'invalid pod anti-affinity term');
  let hostPorts: HostPort[] = [];
  try {
    hostPorts = podHostPorts(pod);
  } catch (e) {
    note('invalid ports', e);
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
    parseError,
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
