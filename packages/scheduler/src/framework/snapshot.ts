// The view of the cluster one scheduling cycle works on: every node with the pods bound and
// assumed to it. The cache hands out its live NodeInfos: a cycle runs synchronously from
// PreFilter to Assume, so nothing can change under it.
import { NodeInfo } from './node-info.js';
import type { NamespaceLabels } from './pod-info.js';

export interface Snapshot {
  readonly nodes: readonly NodeInfo[];
  get(name: string): NodeInfo | undefined;
  /** Nodes holding at least one pod with a pod (anti-)affinity term. */
  havePodsWithAffinity(): readonly NodeInfo[];
  /** Nodes holding at least one pod with a required anti-affinity term. */
  havePodsWithRequiredAntiAffinity(): readonly NodeInfo[];
  /** Namespace labels, for pod affinity terms with a namespaceSelector. */
  readonly namespaceLabels?: NamespaceLabels;
}

/** A fixed snapshot over a list of NodeInfos (for tests and one-off simulations). */
export function snapshotOf(nodes: NodeInfo[], namespaces: Record<string, Record<string, string>> = {}): Snapshot {
  const byName = new Map(nodes.map((n) => [n.name, n]));
  return {
    namespaceLabels: (ns) => namespaces[ns],
    nodes,
    get: (name) => byName.get(name),
    havePodsWithAffinity: () => nodes.filter((n) => n.podsWithAffinity.size > 0),
    havePodsWithRequiredAntiAffinity: () => nodes.filter((n) => n.podsWithRequiredAntiAffinity.size > 0),
  };
}
