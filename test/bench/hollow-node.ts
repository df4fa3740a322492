// A hollow node (kubemark's): a Node object with room for 110 pods and no agent behind it, for
// the benchmarks that load the control plane with many nodes.
import type { KubeObject } from '@k8ts/api';

/** `hollow-NNNN` in one of three zones; Ready, with a heartbeat when `heartbeat` is set. */
export function hollowNode(i: number, heartbeat = false): KubeObject {
  const name = `hollow-${String(i).padStart(4, '0')}`;
  const alloc = { cpu: '4', memory: '16Gi', pods: '110' };
  const ready = { type: 'Ready', status: 'True', reason: 'KubeletReady', ...(heartbeat ? { lastHeartbeatTime: new Date().toISOString() } : {}) };
  return {
    apiVersion: 'v1',
    kind: 'Node',
    metadata: { name, labels: { 'kubernetes.io/hostname': name, 'topology.kubernetes.io/zone': `zone-${i % 3}` } },
    spec: {},
    status: { capacity: alloc, allocatable: alloc, conditions: [ready] },
  };
}
