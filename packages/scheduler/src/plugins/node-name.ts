// spec.nodeName names the only node a pod may run on.
import type { FilterPlugin } from '../framework/interfaces.js';
import { Code, constStatus, SUCCESS } from '../framework/status.js';

export const ERR_REASON_NODE_NAME = "node(s) didn't match the requested node name";
const REJECT = constStatus(Code.UnschedulableAndUnresolvable, ERR_REASON_NODE_NAME);

export const NodeName: FilterPlugin = {
  name: 'NodeName',
  events: ['NodeAdd'],
  filter(_state, pod, nodeInfo) {
    const want = pod.pod.spec?.nodeName;
    return !want || want === nodeInfo.name ? SUCCESS : REJECT;
  },
};
