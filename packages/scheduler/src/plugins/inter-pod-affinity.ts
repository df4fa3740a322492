// Pod affinity and anti-affinity between pods, over any node label as topology key.
// Filter (required terms): the pod's affinity needs a matching pod in the node's domain (or
// it is the first of its group); its anti-affinity forbids one; existing pods' anti-affinity
// forbids the pod from their domains. Score (preferred terms, both directions).
import type { FilterPlugin, PreFilterPlugin, PreScorePlugin, ScorePlugin } from '../framework/interfaces.js';
import { MAX_NODE_SCORE } from '../framework/interfaces.js';
import type { NodeInfo } from '../framework/node-info.js';
import { podMatchesTerm, type NamespaceLabels, type PodInfo } from '../framework/pod-info.js';
import { Code, constStatus, SKIP, SUCCESS } from '../framework/status.js';
import { TopologyCounts } from './helpers/topology.js';

export const ERR_REASON_AFFINITY = "node(s) didn't match pod affinity rules";
export const ERR_REASON_ANTI_AFFINITY = "node(s) didn't match pod anti-affinity rules";
export const ERR_REASON_EXISTING_ANTI_AFFINITY = "node(s) didn't satisfy existing pods anti-affinity rules";
const REJECT_AFFINITY = constStatus(Code.UnschedulableAndUnresolvable, ERR_REASON_AFFINITY);
const REJECT_ANTI = constStatus(Code.Unschedulable, ERR_REASON_ANTI_AFFINITY);
const REJECT_EXISTING = constStatus(Code.Unschedulable, ERR_REASON_EXISTING_ANTI_AFFINITY);
const PRE_FILTER_KEY = 'PreFilterInterPodAffinity';
const PRE_SCORE_KEY = 'PreScoreInterPodAffinity';
/** Weight of an existing pod's required affinity term when scoring the other direction. */
const HARD_POD_AFFINITY_WEIGHT = 1;

interface FilterState {
  nsLabels: NamespaceLabels | undefined;
  existingAntiAffinity: TopologyCounts;
  affinity: TopologyCounts;
  antiAffinity: TopologyCounts;
}

function matchesAll(target: PodInfo, terms: PodInfo['requiredAffinityTerms'], ns: NamespaceLabels | undefined): boolean {
  if (terms.length === 0) return false;
  for (const t of terms) if (!podMatchesTerm(target, t, ns)) return false;
  return true;
}

function preFilter(pod: PodInfo, nodes: readonly NodeInfo[], withAntiAffinity: readonly NodeInfo[], ns: NamespaceLabels | undefined): FilterState {
  const existingAntiAffinity = new TopologyCounts();
  for (const ni of withAntiAffinity) {
    for (const ep of ni.podsWithRequiredAntiAffinity.values()) {
      for (const term of ep.requiredAntiAffinityTerms) {
        const v = ni.labels[term.topologyKey];
        if (v !== undefined && podMatchesTerm(pod, term, ns)) existingAntiAffinity.add(term.topologyKey, v, 1);
      }
    }
  }
  const affinity = new TopologyCounts();
  const antiAffinity = new TopologyCounts();
  const aff = pod.requiredAffinityTerms;
  const anti = pod.requiredAntiAffinityTerms;
  if (aff.length || anti.length) {
    for (const ni of nodes) {
      if (ni.pods.size === 0) continue;
      for (const ep of ni.pods.values()) {
        if (aff.length && matchesAll(ep, aff, ns)) {
          for (const t of aff) {
            const v = ni.labels[t.topologyKey];
            if (v !== undefined) affinity.add(t.topologyKey, v, 1);
          }
        }
        for (const t of anti) {
          const v = ni.labels[t.topologyKey];
          if (v !== undefined && podMatchesTerm(ep, t, ns)) antiAffinity.add(t.topologyKey, v, 1);
        }
      }
    }
  }
  return { nsLabels: ns, existingAntiAffinity, affinity, antiAffinity };
}

function satisfiesAffinity(s: FilterState, pod: PodInfo, ni: NodeInfo): boolean {
  let podsExist = true;
  for (const t of pod.requiredAffinityTerms) {
    const v = ni.labels[t.topologyKey];
    if (v === undefined) return false; // every topology key must be on the node
    if (s.affinity.get(t.topologyKey, v) <= 0) podsExist = false;
  }
  // The first pod of a group with affinity to itself must not wait forever.
  if (!podsExist) return s.affinity.size === 0 && matchesAll(pod, pod.requiredAffinityTerms, s.nsLabels);
  return true;
}

function satisfiesAntiAffinity(s: FilterState, pod: PodInfo, ni: NodeInfo): boolean {
  if (s.antiAffinity.size === 0) return true;
  for (const t of pod.requiredAntiAffinityTerms) {
    const v = ni.labels[t.topologyKey];
    if (v !== undefined && s.antiAffinity.get(t.topologyKey, v) > 0) return false;
  }
  return true;
}

/** topology key → value → score contributed by pods in that domain. */
type ScoreMap = Map<string, Map<string, number>>;

function addScore(m: ScoreMap, tk: string, v: string | undefined, w: number): void {
  if (v === undefined || w === 0) return;
  let inner = m.get(tk);
  if (!inner) m.set(tk, (inner = new Map()));
  inner.set(v, (inner.get(v) ?? 0) + w);
}

function processExistingPod(m: ScoreMap, pod: PodInfo, ep: PodInfo, ni: NodeInfo, ns: NamespaceLabels | undefined): void {
  for (const t of pod.preferredAffinityTerms) if (podMatchesTerm(ep, t, ns)) addScore(m, t.topologyKey, ni.labels[t.topologyKey], t.weight);
  for (const t of pod.preferredAntiAffinityTerms) if (podMatchesTerm(ep, t, ns)) addScore(m, t.topologyKey, ni.labels[t.topologyKey], -t.weight);
  for (const t of ep.requiredAffinityTerms) if (podMatchesTerm(pod, t, ns)) addScore(m, t.topologyKey, ni.labels[t.topologyKey], HARD_POD_AFFINITY_WEIGHT);
  for (const t of ep.preferredAffinityTerms) if (podMatchesTerm(pod, t, ns)) addScore(m, t.topologyKey, ni.labels[t.topologyKey], t.weight);
  for (const t of ep.preferredAntiAffinityTerms) if (podMatchesTerm(pod, t, ns)) addScore(m, t.topologyKey, ni.labels[t.topologyKey], -t.weight);
}

export const InterPodAffinity: PreFilterPlugin & FilterPlugin & PreScorePlugin & ScorePlugin = {
  name: 'InterPodAffinity',
  weight: 2,
  preFilter(state, pod, snapshot) {
    const s = preFilter(pod, snapshot.nodes, snapshot.havePodsWithRequiredAntiAffinity(), snapshot.namespaceLabels);
    if (s.existingAntiAffinity.size === 0 && pod.requiredAffinityTerms.length === 0 && pod.requiredAntiAffinityTerms.length === 0) return SKIP;
    state.write(PRE_FILTER_KEY, s);
    return SUCCESS;
  },
  filter(state, pod, ni) {
    const s = state.read<FilterState>(PRE_FILTER_KEY);
    if (!s) return SUCCESS;
    if (!satisfiesAffinity(s, pod, ni)) return REJECT_AFFINITY;
    if (!satisfiesAntiAffinity(s, pod, ni)) return REJECT_ANTI;
    if (s.existingAntiAffinity.size > 0 && s.existingAntiAffinity.anyPositiveIn(ni.labels)) return REJECT_EXISTING;
    return SUCCESS;
  },
  preScore(state, pod, _feasible, snapshot) {
    const hasPreferred = pod.preferredAffinityTerms.length > 0 || pod.preferredAntiAffinityTerms.length > 0;
    const nodes = hasPreferred ? snapshot.nodes : snapshot.havePodsWithAffinity();
    if (nodes.length === 0) return SKIP;
    const m: ScoreMap = new Map();
    for (const ni of nodes) {
      const pods = hasPreferred ? ni.pods : ni.podsWithAffinity;
      for (const ep of pods.values()) processExistingPod(m, pod, ep, ni, snapshot.namespaceLabels);
    }
    if (m.size === 0) return SKIP;
    state.write(PRE_SCORE_KEY, m);
    return SUCCESS;
  },
  score(state, _pod, ni) {
    const m = state.read<ScoreMap>(PRE_SCORE_KEY);
    if (!m) return 0;
    let s = 0;
    for (const [tk, values] of m) {
      const v = ni.labels[tk];
      if (v !== undefined) s += values.get(v) ?? 0;
    }
    return s;
  },
  normalize(_state, _pod, scores) {
    let min = Infinity;
    let max = -Infinity;
    for (const s of scores) {
      if (s < min) min = s;
      if (s > max) max = s;
    }
    const diff = max - min;
    for (let i = 0; i < scores.length; i++) scores[i] = diff > 0 ? Math.floor((MAX_NODE_SCORE * (scores[i]! - min)) / diff) : 0;
  },
};
