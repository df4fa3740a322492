// Prefers nodes with more of their cpu and memory left after placing the pod (the
// NodeResourcesFit score with the LeastAllocated strategy; pods without requests count as
// 100m / 200Mi so they still spread).
import type { ScorePlugin } from '../framework/interfaces.js';
import { MAX_NODE_SCORE } from '../framework/interfaces.js';

function leastRequested(requested: number, capacity: number): number {
  if (capacity === 0 || requested > capacity) return 0;
  return Math.floor(((capacity - requested) * MAX_NODE_SCORE) / capacity);
}

export const LeastAllocated: ScorePlugin = {
  name: 'NodeResourcesLeastAllocated',
  weight: 1,
  score(_state, pod, nodeInfo) {
    const cpu = leastRequested(nodeInfo.nonZeroRequested.cpuMillis + pod.nonZeroRequests.cpuMillis, nodeInfo.allocatable.cpuMillis);
    const mem = leastRequested(nodeInfo.nonZeroRequested.memoryBytes + pod.nonZeroRequests.memoryBytes, nodeInfo.allocatable.memoryBytes);
    return Math.floor((cpu + mem) / 2);
  },
};
