// hostPort conflicts: a node can give a protocol/port on an address to one pod only.
import type { FilterPlugin, PreFilterPlugin } from '../framework/interfaces.js';
import { Code, constStatus, SKIP, SUCCESS } from '../framework/status.js';

export const ERR_REASON_PORTS = "node(s) didn't have free ports for the requested pod ports";
const REJECT = constStatus(Code.Unschedulable, ERR_REASON_PORTS);

export const NodePorts: PreFilterPlugin & FilterPlugin = {
  name: 'NodePorts',
  events: ['NodeAdd', 'AssignedPodDelete'],
  preFilter(_state, pod) {
    return pod.hostPorts.length === 0 ? SKIP : SUCCESS;
  },
  filter(_state, pod, nodeInfo) {
    if (nodeInfo.usedPorts.size === 0) return SUCCESS;
    for (const p of pod.hostPorts) if (nodeInfo.usedPorts.conflicts(p)) return REJECT;
    return SUCCESS;
  },
};
