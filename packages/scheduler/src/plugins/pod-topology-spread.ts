// topologySpreadConstraints. Filter (DoNotSchedule): placing the pod must not make its
// domain's count of matching pods exceed the smallest domain's by more than maxSkew. Score
// (ScheduleAnyway): fewer matching pods in the node's domains is better.
import type { Pod, TopologySpreadConstraint } from '@k8ts/api';
import { labelSelectorFromObject, matcherOf, newRequirement, type LabelSelectorMatcher } from '@k8ts/api';
import type { FilterPlugin, PreFilterPlugin, PreScorePlugin, ScorePlugin } from '../framework/interfaces.js';
import { MAX_NODE_SCORE } from '../framework/interfaces.js';
import type { NodeInfo } from '../framework/node-info.js';
import type { PodInfo } from '../framework/pod-info.js';
import { Code, constStatus, errorStatus, SKIP, SUCCESS } from '../framework/status.js';
import { findUntoleratedTaint, requiredNodeMatcher, type NodeMatcher } from '@k8ts/api';
import { TopologyCounts } from './helpers/topology.js';

export const ERR_REASON_CONSTRAINTS = "node(s) didn't match pod topology spread constraints";
export const ERR_REASON_MISSING_LABEL = `${ERR_REASON_CONSTRAINTS} (missing required label)`;
const REJECT_SKEW = constStatus(Code.Unschedulable, ERR_REASON_CONSTRAINTS);
const REJECT_LABEL = constStatus(Code.UnschedulableAndUnresolvable, ERR_REASON_MISSING_LABEL);
const PRE_FILTER_KEY = 'PreFilterPodTopologySpread';
const PRE_SCORE_KEY = 'PreScorePodTopologySpread';
const HOSTNAME = 'kubernetes.io/hostname';

interface Constraint {
  maxSkew: number;
  topologyKey: string;
  selector: LabelSelectorMatcher;
  minDomains: number;
  honorAffinity: boolean;
  honorTaints: boolean;
}

function parseConstraints(pod: Pod, when: string): Constraint[] {
  const out: Constraint[] = [];
  (pod.spec?.topologySpreadConstraints ?? []).forEach((c: TopologySpreadConstraint, i) => {
    const path = `spec.topologySpreadConstraints[${i}]`;
    if (!['DoNotSchedule', 'ScheduleAnyway'].includes(c.whenUnsatisfiable))
      throw new Error(`${path}.whenUnsatisfiable: Unsupported value: ${JSON.stringify(c.whenUnsatisfiable)}: supported values: "DoNotSchedule", "ScheduleAnyway"`);
    if (c.whenUnsatisfiable !== when) return;
    if (!(c.maxSkew >= 1)) throw new Error(`${path}.maxSkew: Invalid value: ${c.maxSkew}: must be greater than zero`);
    if (!c.topologyKey) throw new Error(`${path}.topologyKey: Required value: can not be empty`);
    let selector = labelSelectorFromObject(c.labelSelector);
    // matchLabelKeys: the pod's own values for these keys narrow the selector (per revision).
    const extra = (c.matchLabelKeys ?? [])
      .filter((k) => pod.metadata?.labels?.[k] !== undefined)
      .map((k) => newRequirement(k, 'in', [pod.metadata!.labels![k]!]));
    if (extra.length && c.labelSelector) selector = matcherOf([...selector.requirements, ...extra]);
    out.push({
      maxSkew: c.maxSkew,
      topologyKey: c.topologyKey,
      selector,
      minDomains: c.minDomains ?? 1,
      honorAffinity: (c.nodeAffinityPolicy ?? 'Honor') === 'Honor',
      honorTaints: c.nodeTaintsPolicy === 'Honor',
    });
  });
  return out;
}

function countMatching(ni: NodeInfo, c: Constraint, namespace: string): number {
  let n = 0;
  for (const p of ni.pods.values()) if (!p.terminating && p.namespace === namespace && c.selector.matches(p.labels)) n++;
  return n;
}

function hasAllKeys(ni: NodeInfo, cs: readonly Constraint[]): boolean {
  for (const c of cs) if (ni.labels[c.topologyKey] === undefined) return false;
  return true;
}

function included(c: Constraint, pod: PodInfo, ni: NodeInfo, affinity: NodeMatcher | undefined): boolean {
  if (c.honorAffinity && affinity && !affinity(ni)) return false;
  if (c.honorTaints && findUntoleratedTaint(ni.taints, pod.pod.spec?.tolerations)) return false;
  return true;
}

function safeNodeMatcher(pod: Pod): NodeMatcher | undefined {
  try {
    return requiredNodeMatcher(pod);
  } catch {
    return undefined; // NodeAffinity reports bad input; spreading ignores it
  }
}

interface FilterState {
  constraints: Constraint[];
  counts: TopologyCounts;
  /** Per constraint: smallest count over its domains, and how many domains there are. */
  min: number[];
  domains: number[];
}

interface ScoreState {
  constraints: Constraint[];
  counts: TopologyCounts;
  weights: number[];
  ignored: Set<string>;
}

export const PodTopologySpread: PreFilterPlugin & FilterPlugin & PreScorePlugin & ScorePlugin = {
  name: 'PodTopologySpread',
  weight: 2,
  preFilter(state, pod, snapshot) {
    let constraints: Constraint[];
    try {
      constraints = parseConstraints(pod.pod, 'DoNotSchedule');
    } catch (e) {
      return errorStatus((e as Error).message);
    }
    if (constraints.length === 0) return SKIP;
    const affinity = safeNodeMatcher(pod.pod);
    const counts = new TopologyCounts();
    const domainSets = constraints.map(() => new Map<string, number>());
    for (const ni of snapshot.nodes) {
      if (!hasAllKeys(ni, constraints)) continue;
      constraints.forEach((c, i) => {
        if (!included(c, pod, ni, affinity)) return;
        const v = ni.labels[c.topologyKey]!;
        const n = countMatching(ni, c, pod.namespace);
        counts.add(c.topologyKey, v, n);
        const d = domainSets[i]!;
        d.set(v, (d.get(v) ?? 0) + n);
      });
    }
    const min = domainSets.map((d, i) => (d.size < constraints[i]!.minDomains ? 0 : d.size ? Math.min(...d.values()) : 0));
    state.write(PRE_FILTER_KEY, { constraints, counts, min, domains: domainSets.map((d) => d.size) } satisfies FilterState);
    return SUCCESS;
  },
  filter(state, pod, ni) {
    const s = state.read<FilterState>(PRE_FILTER_KEY);
    if (!s) return SUCCESS;
    for (let i = 0; i < s.constraints.length; i++) {
      const c = s.constraints[i]!;
      const v = ni.labels[c.topologyKey];
      if (v === undefined) return REJECT_LABEL;
      const self = c.selector.matches(pod.labels) ? 1 : 0;
      const skew = s.counts.get(c.topologyKey, v) + self - s.min[i]!;
      if (skew > c.maxSkew) return REJECT_SKEW;
    }
    return SUCCESS;
  },
  preScore(state, pod, feasible, snapshot) {
    let constraints: Constraint[];
    try {
      constraints = parseConstraints(pod.pod, 'ScheduleAnyway');
    } catch (e) {
      return errorStatus((e as Error).message);
    }
    if (constraints.length === 0) return SKIP;
    const affinity = safeNodeMatcher(pod.pod);
    const ignored = new Set<string>();
    const seen = new Set<string>();
    const sizes = constraints.map(() => 0);
    for (const ni of feasible) {
      if (!hasAllKeys(ni, constraints)) {
        ignored.add(ni.name);
        continue;
      }
      constraints.forEach((c, i) => {
        if (c.topologyKey === HOSTNAME) return;
        const k = `${i}\u0000${ni.labels[c.topologyKey]}`;
        if (!seen.has(k)) {
          seen.add(k);
          sizes[i]!++;
        }
      });
    }
    const counts = new TopologyCounts();
    for (const ni of snapshot.nodes) {
      if (!hasAllKeys(ni, constraints)) continue;
      constraints.forEach((c, i) => {
        if (c.topologyKey === HOSTNAME || !included(c, pod, ni, affinity)) return;
        const v = ni.labels[c.topologyKey]!;
        if (!seen.has(`${i}\u0000${v}`)) return;
        counts.add(c.topologyKey, v, countMatching(ni, c, pod.namespace));
      });
    }
    const weights = sizes.map((n, i) => (constraints[i]!.topologyKey === HOSTNAME ? Math.log(feasible.length - ignored.size + 2) : Math.log(n + 2)));
    state.write(PRE_SCORE_KEY, { constraints, counts, weights, ignored } satisfies ScoreState);
    return SUCCESS;
  },
  score(state, pod, ni) {
    const s = state.read<ScoreState>(PRE_SCORE_KEY);
    if (!s || s.ignored.has(ni.name)) return 0;
    let score = 0;
    s.constraints.forEach((c, i) => {
      const v = ni.labels[c.topologyKey];
      if (v === undefined) return;
      const cnt = c.topologyKey === HOSTNAME ? countMatching(ni, c, pod.namespace) : s.counts.get(c.topologyKey, v);
      score += cnt * s.weights[i]! + (c.maxSkew - 1);
    });
    return Math.round(score);
  },
  normalize(state, _pod, scores, nodes) {
    const s = state.read<ScoreState>(PRE_SCORE_KEY);
    if (!s) return;
    let min = Infinity;
    let max = 0;
    scores.forEach((v, i) => {
      if (s.ignored.has(nodes[i]!.name)) return;
      if (v < min) min = v;
      if (v > max) max = v;
    });
    for (let i = 0; i < scores.length; i++) {
      if (s.ignored.has(nodes[i]!.name)) scores[i] = 0;
      else if (max === 0) scores[i] = MAX_NODE_SCORE;
      else scores[i] = Math.floor((MAX_NODE_SCORE * (max + min - scores[i]!)) / max);
    }
  },
};
