// One node as the scheduler sees it (framework.NodeInfo): the Node object, the pods bound or
// assumed to it, and running sums kept up to date as pods come and go, so a Filter is O(1).
import type { Node, Taint } from '@k8ts/api';
import { cpuMillis, nodeReadyCondition, quantityValue } from '@k8ts/api';
import { HostPortSet } from './host-ports.js';
import { hasPodAffinity, type PodInfo, type Resources } from './pod-info.js';

export interface Allocatable extends Resources {
  pods: number;
}

function readAllocatable(node: Node): Allocatable {
  const a = (node.status?.allocatable ?? node.status?.capacity ?? {}) as Record<string, string>;
  const safe = (f: () => number) => {
    try {
      return f();
    } catch {
      return 0; // a node advertising a bad quantity offers nothing of that resource
    }
  };
  return {
    cpuMillis: safe(() => cpuMillis(a.cpu)),
    memoryBytes: safe(() => quantityValue(a.memory)),
    pods: safe(() => quantityValue(a.pods)),
  };
}

export type ReadyState = 'True' | 'False' | 'Unknown' | 'Missing';

export class NodeInfo {
  node: Node | undefined;
  name: string;
  labels: Record<string, string> = {};
  taints: readonly Taint[] = [];
  allocatable: Allocatable = { cpuMillis: 0, memoryBytes: 0, pods: 0 };
  ready: ReadyState = 'Missing';
  unschedulable = false;

  readonly pods = new Map<string, PodInfo>();
  /** Pods with any pod (anti-)affinity term: InterPodAffinity looks only at these. */
  readonly podsWithAffinity = new Map<string, PodInfo>();
  /** Pods with required anti-affinity: every incoming pod must respect these. */
  readonly podsWithRequiredAntiAffinity = new Map<string, PodInfo>();
  requested: Resources = { cpuMillis: 0, memoryBytes: 0 };
  nonZeroRequested: Resources = { cpuMillis: 0, memoryBytes: 0 };
  readonly usedPorts = new HostPortSet();
  /** Bumped on every change. */
  generation = 0;

  constructor(nameOrNode: string | Node) {
    if (typeof nameOrNode === 'string') this.name = nameOrNode;
    else {
      this.name = nameOrNode.metadata?.name ?? '';
      this.setNode(nameOrNode);
    }
  }

  setNode(node: Node): void {
    this.node = node;
    this.name = node.metadata?.name ?? this.name;
    this.labels = node.metadata?.labels ?? {};
    this.taints = node.spec?.taints ?? [];
    this.unschedulable = Boolean(node.spec?.unschedulable);
    this.allocatable = readAllocatable(node);
    const ready = nodeReadyCondition(node);
    this.ready = ready ? ((['True', 'False'].includes(ready.status) ? ready.status : 'Unknown') as ReadyState) : 'Missing';
    this.generation++;
  }

  clearNode(): void {
    this.node = undefined;
    this.generation++;
  }

  addPod(pi: PodInfo): void {
    const old = this.pods.get(pi.key);
    if (old) this.removePod(old.key);
    this.pods.set(pi.key, pi);
    if (hasPodAffinity(pi)) this.podsWithAffinity.set(pi.key, pi);
    if (pi.requiredAntiAffinityTerms.length) this.podsWithRequiredAntiAffinity.set(pi.key, pi);
    this.requested.cpuMillis += pi.requests.cpuMillis;
    this.requested.memoryBytes += pi.requests.memoryBytes;
    this.nonZeroRequested.cpuMillis += pi.nonZeroRequests.cpuMillis;
    this.nonZeroRequested.memoryBytes += pi.nonZeroRequests.memoryBytes;
    for (const p of pi.hostPorts) this.usedPorts.add(p);
    this.generation++;
  }

  removePod(key: string): PodInfo | undefined {
    const pi = this.pods.get(key);
    if (!pi) return undefined;
    this.pods.delete(key);
    this.podsWithAffinity.delete(key);
    this.podsWithRequiredAntiAffinity.delete(key);
    this.requested.cpuMillis -= pi.requests.cpuMillis;
    this.requested.memoryBytes -= pi.requests.memoryBytes;
    this.nonZeroRequested.cpuMillis -= pi.nonZeroRequests.cpuMillis;
    this.nonZeroRequested.memoryBytes -= pi.nonZeroRequests.memoryBytes;
    for (const p of pi.hostPorts) this.usedPorts.remove(p);
    this.generation++;
    return pi;
  }
}
