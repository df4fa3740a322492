// Cordoned nodes (spec.unschedulable) take only pods tolerating node.kubernetes.io/unschedulable.
import type { FilterPlugin } from '../framework/interfaces.js';
import { Code, constStatus, SUCCESS } from '../framework/status.js';
import { tolerationsTolerateTaint } from '@k8ts/api';

export const ERR_REASON_UNSCHEDULABLE = 'node(s) were unschedulable';
const REJECT = constStatus(Code.UnschedulableAndUnresolvable, ERR_REASON_UNSCHEDULABLE);
const UNSCHEDULABLE_TAINT = { key: 'node.kubernetes.io/unschedulable', effect: 'NoSchedule' };

export const NodeUnschedulable: FilterPlugin = {
  name: 'NodeUnschedulable',
  events: ['NodeAdd', 'NodeUpdate'],
  filter(_state, pod, nodeInfo) {
    if (!nodeInfo.unschedulable) return SUCCESS;
    return tolerationsTolerateTaint(pod.pod.spec?.tolerations, UNSCHEDULABLE_TAINT) ? SUCCESS : REJECT;
  },
};
