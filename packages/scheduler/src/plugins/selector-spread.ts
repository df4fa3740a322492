// Spreads the pods of one controller (same namespace, same controlling owner) over nodes and,
// when nodes carry topology.kubernetes.io/zone, over zones: fewer siblings on a node is better.
// So a 3-replica Deployment on 3 equal nodes lands one pod per node.
import type { PreScorePlugin, ScorePlugin } from '../framework/interfaces.js';
import { MAX_NODE_SCORE } from '../framework/interfaces.js';
import type { NodeInfo } from '../framework/node-info.js';
import type { PodInfo } from '../framework/pod-info.js';
import { SKIP, SUCCESS } from '../framework/status.js';

const ZONE = 'topology.kubernetes.io/zone';
const ZONE_WEIGHTING = 2 / 3;
const STATE_KEY = 'PreScoreSelectorSpread';

function siblings(ni: NodeInfo, pod: PodInfo): number {
  let n = 0;
  for (const p of ni.pods.values()) if (p.controllerUid === pod.controllerUid && p.namespace === pod.namespace && !p.terminating && p.key !== pod.key) n++;
  return n;
}

export const SelectorSpread: PreScorePlugin & ScorePlugin = {
  name: 'SelectorSpread',
  weight: 2,
  events: [],
  preScore(state, pod) {
    if (!pod.controllerUid) return SKIP;
    state.write(STATE_KEY, true);
    return SUCCESS;
  },
  score(_state, pod, ni) {
    return siblings(ni, pod);
  },
  normalize(_state, _pod, scores, nodes) {
    let maxByNode = 0;
    const byZone = new Map<string, number>();
    scores.forEach((s, i) => {
      if (s > maxByNode) maxByNode = s;
      const z = nodes[i]!.labels[ZONE];
      if (z !== undefined) byZone.set(z, (byZone.get(z) ?? 0) + s);
    });
    let maxByZone = 0;
    for (const v of byZone.values()) if (v > maxByZone) maxByZone = v;
    const haveZones = byZone.size > 0;
    for (let i = 0; i < scores.length; i++) {
      let f = maxByNode > 0 ? (MAX_NODE_SCORE * (maxByNode - scores[i]!)) / maxByNode : MAX_NODE_SCORE;
      const z = nodes[i]!.labels[ZONE];
      if (haveZones && z !== undefined) {
        const zs = maxByZone > 0 ? (MAX_NODE_SCORE * (maxByZone - byZone.get(z)!)) / maxByZone : MAX_NODE_SCORE;
        f = f * (1 - ZONE_WEIGHTING) + ZONE_WEIGHTING * zs;
      }
      scores[i] = Math.floor(f);
    }
  },
};
