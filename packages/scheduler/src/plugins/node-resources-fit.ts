// Does the node have room: pod count, cpu and memory against allocatable minus what the pods
// bound or assumed to it request. Every shortfall is a reason ("Insufficient cpu", ...).
import type { FilterPlugin } from '../framework/interfaces.js';
import { Code, SUCCESS, type Status } from '../framework/status.js';

export const ERR_TOO_MANY_PODS = 'Too many pods';
export const insufficient = (resource: string) => `Insufficient ${resource}`;

const memo = new Map<string, Status>();
function statusOf(reasons: string[]): Status {
  const k = reasons.join('\n');
  let s = memo.get(k);
  if (!s) memo.set(k, (s = Object.freeze({ code: Code.Unschedulable, reasons: Object.freeze(reasons) as readonly string[] })));
  return s;
}

export const NodeResourcesFit: FilterPlugin = {
  name: 'NodeResourcesFit',
  events: ['NodeAdd', 'NodeUpdate', 'AssignedPodDelete'],
  filter(_state, pod, nodeInfo) {
    let reasons: string[] | undefined;
    if (nodeInfo.pods.size + 1 > nodeInfo.allocatable.pods) (reasons ??= []).push(ERR_TOO_MANY_PODS);
    const req = pod.requests;
    if (req.cpuMillis > 0 && req.cpuMillis > nodeInfo.allocatable.cpuMillis - nodeInfo.requested.cpuMillis) (reasons ??= []).push(insufficient('cpu'));
    if (req.memoryBytes > 0 && req.memoryBytes > nodeInfo.allocatable.memoryBytes - nodeInfo.requested.memoryBytes)
      (reasons ??= []).push(insufficient('memory'));
    return reasons ? statusOf(reasons) : SUCCESS;
  },
};
