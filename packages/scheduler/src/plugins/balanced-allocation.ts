// Prefers nodes where cpu and memory would be used in similar proportions after placing the
// pod (NodeResourcesBalancedAllocation): score = (1 - std deviation of the fractions) * 100.
import type { ScorePlugin } from '../framework/interfaces.js';
import { MAX_NODE_SCORE } from '../framework/interfaces.js';

export const BalancedAllocation: ScorePlugin = {
  name: 'NodeResourcesBalancedAllocation',
  weight: 1,
  score(_state, pod, nodeInfo) {
    const a = nodeInfo.allocatable;
    if (a.cpuMillis === 0 || a.memoryBytes === 0) return 0;
    const cpu = Math.min(1, (nodeInfo.requested.cpuMillis + pod.requests.cpuMillis) / a.cpuMillis);
    const mem = Math.min(1, (nodeInfo.requested.memoryBytes + pod.requests.memoryBytes) / a.memoryBytes);
    // Standard deviation of two values is half their distance.
    const std = Math.abs(cpu - mem) / 2;
    return Math.floor((1 - std) * MAX_NODE_SCORE);
  },
};
