// spec.nodeSelector and node affinity. Filter: the required part (nodeSelector AND required
// terms). Score: the sum of the weights of the preferred terms a node matches.
import type { FilterPlugin, PreFilterPlugin, PreScorePlugin, ScorePlugin } from '../framework/interfaces.js';
import { MAX_NODE_SCORE } from '../framework/interfaces.js';
import { Code, constStatus, errorStatus, SKIP, SUCCESS } from '../framework/status.js';
import { compileNodeSelectorTerm, requiredNodeMatcher, type NodeMatcher } from '@k8ts/api';
import { defaultNormalizeScore } from './helpers/normalize.js';

export const ERR_REASON_NODE_AFFINITY = "node(s) didn't match Pod's node affinity/selector";
const REJECT = constStatus(Code.UnschedulableAndUnresolvable, ERR_REASON_NODE_AFFINITY);
const PRE_FILTER_KEY = 'PreFilterNodeAffinity';
const PRE_SCORE_KEY = 'PreScoreNodeAffinity';

interface Preferred {
  weight: number;
  match: NodeMatcher;
}

export const NodeAffinity: PreFilterPlugin & FilterPlugin & PreScorePlugin & ScorePlugin = {
  name: 'NodeAffinity',
  weight: 2,
  events: ['NodeAdd', 'NodeUpdate'],
  preFilter(state, pod) {
    let m: NodeMatcher | undefined;
    try {
      m = requiredNodeMatcher(pod.pod);
    } catch (e) {
      return errorStatus((e as Error).message);
    }
    if (!m) return SKIP;
    state.write(PRE_FILTER_KEY, m);
    return SUCCESS;
  },
  filter(state, pod, nodeInfo) {
    let m = state.read<NodeMatcher>(PRE_FILTER_KEY);
    if (!m) {
      // Called without PreFilter (a simulation): compile now.
      m = requiredNodeMatcher(pod.pod);
      if (!m) return SUCCESS;
    }
    return m(nodeInfo) ? SUCCESS : REJECT;
  },
  preScore(state, pod) {
    const terms = pod.pod.spec?.affinity?.nodeAffinity?.preferredDuringSchedulingIgnoredDuringExecution ?? [];
    if (terms.length === 0) return SKIP;
    const compiled: Preferred[] = [];
    try {
      terms.forEach((t, i) => {
        if (t.weight) compiled.push({ weight: t.weight, match: compileNodeSelectorTerm(t.preference, `spec.affinity.nodeAffinity.preferredDuringSchedulingIgnoredDuringExecution[${i}].preference`) });
      });
    } catch (e) {
      return errorStatus((e as Error).message);
    }
    state.write(PRE_SCORE_KEY, compiled);
    return SUCCESS;
  },
  score(state, _pod, nodeInfo) {
    let s = 0;
    for (const p of state.read<Preferred[]>(PRE_SCORE_KEY) ?? []) if (p.match(nodeInfo)) s += p.weight;
    return s;
  },
  normalize(_state, _pod, scores) {
    defaultNormalizeScore(MAX_NODE_SCORE, false, scores);
  },
};
