// Node and pod builders for unit tests and benchmarks.
import type { Node, Pod, Taint, Toleration, Affinity, TopologySpreadConstraint, OwnerReference } from '@k8ts/api';
import { NodeInfo } from '../framework/node-info.js';
import { newPodInfo, type PodInfo } from '../framework/pod-info.js';

export interface NodeSpecLite {
  cpu?: string;
  memory?: string;
  pods?: string;
  labels?: Record<string, string>;
  taints?: Taint[];
  ready?: 'True' | 'False' | 'Unknown' | null;
  unschedulable?: boolean;
}

export function makeNode(name: string, o: NodeSpecLite = {}): Node {
  const alloc = { cpu: o.cpu ?? '4', memory: o.memory ?? '8Gi', pods: o.pods ?? '110' };
  return {
    apiVersion: 'v1',
    kind: 'Node',
    metadata: { name, labels: { 'kubernetes.io/hostname': name, ...(o.labels ?? {}) } },
    spec: { taints: o.taints, unschedulable: o.unschedulable },
    status: {
      capacity: alloc,
      allocatable: alloc,
      conditions: o.ready === null ? [] : [{ type: 'Ready', status: o.ready ?? 'True', reason: 'KubeletReady' }],
    },
  };
}

export interface PodSpecLite {
  namespace?: string;
  cpu?: string;
  memory?: string;
  labels?: Record<string, string>;
  nodeName?: string;
  nodeSelector?: Record<string, string>;
  tolerations?: Toleration[];
  affinity?: Affinity;
  hostPort?: number;
  topologySpreadConstraints?: TopologySpreadConstraint[];
  owner?: string;
  initCpu?: string;
  schedulerName?: string;
  priority?: number;
  creationTimestamp?: string;
}

export function makePod(name: string, o: PodSpecLite = {}): Pod {
  const requests: Record<string, string> = {};
  if (o.cpu) requests.cpu = o.cpu;
  if (o.memory) requests.memory = o.memory;
  const ownerReferences: OwnerReference[] | undefined = o.owner
    ? [{ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: o.owner, uid: `uid-${o.owner}`, controller: true }]
    : undefined;
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name,
      namespace: o.namespace ?? 'default',
      uid: `uid-${name}`,
      labels: o.labels,
      ownerReferences,
      creationTimestamp: o.creationTimestamp,
    },
    spec: {
      schedulerName: o.schedulerName ?? 'default-scheduler',
      nodeName: o.nodeName,
      nodeSelector: o.nodeSelector,
      tolerations: o.tolerations,
      affinity: o.affinity,
      priority: o.priority,
      topologySpreadConstraints: o.topologySpreadConstraints,
      initContainers: o.initCpu ? [{ name: 'init', image: 'busybox', resources: { requests: { cpu: o.initCpu } } }] : undefined,
      containers: [
        {
          name: 'c',
          image: 'busybox',
          resources: Object.keys(requests).length ? { requests } : undefined,
          ports: o.hostPort ? [{ containerPort: 80, hostPort: o.hostPort }] : undefined,
        },
      ],
    },
    status: { phase: 'Pending' },
  };
}

export function nodeInfo(node: Node, ...pods: Pod[]): NodeInfo {
  const ni = new NodeInfo(node);
  for (const p of pods) ni.addPod(newPodInfo({ ...p, spec: { ...p.spec!, nodeName: node.metadata!.name } }));
  return ni;
}

export function podInfo(pod: Pod): PodInfo {
  return newPodInfo(pod);
}
