// A node whose Ready condition is not True takes no new pods, unless the pod tolerates the
// taint the node lifecycle controller puts on such nodes (node.kubernetes.io/not-ready for
// False or missing, node.kubernetes.io/unreachable for Unknown), as DaemonSet pods do.
import type { FilterPlugin } from '../framework/interfaces.js';
import { Code, constStatus, SUCCESS } from '../framework/status.js';
import { tolerationsTolerateTaint } from '@k8ts/api';

export const ERR_REASON_NOT_READY = 'node(s) were not ready';
const REJECT = constStatus(Code.Unschedulable, ERR_REASON_NOT_READY);
const NOT_READY = { key: 'node.kubernetes.io/not-ready', effect: 'NoSchedule' };
const UNREACHABLE = { key: 'node.kubernetes.io/unreachable', effect: 'NoSchedule' };

export const NodeReady: FilterPlugin = {
  name: 'NodeReady',
  events: ['NodeAdd', 'NodeUpdate'],
  filter(_state, pod, nodeInfo) {
    if (nodeInfo.ready === 'True') return SUCCESS;
    const implied = nodeInfo.ready === 'Unknown' ? UNREACHABLE : NOT_READY;
    return tolerationsTolerateTaint(pod.pod.spec?.tolerations, implied) ? SUCCESS : REJECT;
  },
};
