// Taints against tolerations. Filter: NoSchedule and NoExecute taints keep out pods that do not
// tolerate them. Score: fewer untolerated PreferNoSchedule taints is better.
import type { Toleration } from '@k8ts/api';
import type { FilterPlugin, PreScorePlugin, ScorePlugin } from '../framework/interfaces.js';
import { MAX_NODE_SCORE } from '../framework/interfaces.js';
import { Code, constStatus, SKIP, SUCCESS } from '../framework/status.js';
import { defaultNormalizeScore } from './helpers/normalize.js';
import { findUntoleratedTaint, tolerationsTolerateTaint } from '@k8ts/api';

// Kubernetes stopped naming the taint's key and value in pod status (they may be sensitive).
export const ERR_REASON_UNTOLERATED = 'node(s) had untolerated taint(s)';
const REJECT = constStatus(Code.UnschedulableAndUnresolvable, ERR_REASON_UNTOLERATED);
const STATE_KEY = 'PreScoreTaintToleration';

export const TaintToleration: FilterPlugin & PreScorePlugin & ScorePlugin = {
  name: 'TaintToleration',
  weight: 3,
  events: ['NodeAdd', 'NodeUpdate'],
  filter(_state, pod, nodeInfo) {
    if (nodeInfo.taints.length === 0) return SUCCESS;
    return findUntoleratedTaint(nodeInfo.taints, pod.pod.spec?.tolerations) ? REJECT : SUCCESS;
  },
  preScore(state, pod, feasible) {
    if (!feasible.some((n) => n.taints.length > 0)) return SKIP;
    const tols = (pod.pod.spec?.tolerations ?? []).filter((t) => !t.effect || t.effect === 'PreferNoSchedule');
    state.write(STATE_KEY, tols);
    return SUCCESS;
  },
  score(state, _pod, nodeInfo) {
    const tols = state.read<Toleration[]>(STATE_KEY) ?? [];
    let n = 0;
    for (const t of nodeInfo.taints) if (t.effect === 'PreferNoSchedule' && !tolerationsTolerateTaint(tols, t)) n++;
    return n;
  },
  normalize(_state, _pod, scores) {
    defaultNormalizeScore(MAX_NODE_SCORE, true, scores);
  },
};
