// The Node authorizer's graph (Kubernetes' plugin/pkg/auth/authorizer/node/graph.go), kept
// as counts instead of vertices and edges: for every secret, configmap, claim and service
// account, how many pods bound to each node reference it. "Is there a path from this object
// to node N" is then one or two map reads, whatever the number of pods, which keeps the
// decision synchronous and cheap on every request. PersistentVolumes (rare) are looked up
// through their claim.
import type { KubeObject } from '@k8ts/api';
import { podRefs, pvSecretRefs } from './pod-refs.js';

export type VertexType = 'secret' | 'configmap' | 'pvc' | 'serviceaccount' | 'pod' | 'pv';

interface PodEntry {
  node: string;
  uid: string;
  secrets: string[];
  configMaps: string[];
  claims: string[];
  serviceAccount: string;
}

interface PvEntry {
  claim: string; // namespace/name of spec.claimRef, or ""
  secrets: string[];
}

/** key → node → number of that node's pods referencing it. */
type Reach = Map<string, Map<string, number>>;

function bump(reach: Reach, key: string, node: string, delta: number): void {
  let byNode = reach.get(key);
  if (!byNode) {
    if (delta < 0) return;
    reach.set(key, (byNode = new Map()));
  }
  const n = (byNode.get(node) ?? 0) + delta;
  if (n > 0) byNode.set(node, n);
  else {
    byNode.delete(node);
    if (byNode.size === 0) reach.delete(key);
  }
}

const nsKey = (ns: string, name: string) => `${ns}/${name}`;

export class NodeGraph {
  private readonly pods = new Map<string, PodEntry>();
  private readonly secrets: Reach = new Map();
  private readonly configMaps: Reach = new Map();
  private readonly claims: Reach = new Map();
  private readonly serviceAccounts: Reach = new Map();
  /** Pods per node: a node with none is unknown to the graph. */
  private readonly nodes = new Map<string, number>();
  private readonly pvs = new Map<string, PvEntry>();
  /** secret namespace/name → the PVs that name it. */
  private readonly pvSecrets = new Map<string, Set<string>>();

  get podCount(): number {
    return this.pods.size;
  }

  /** A pod added or changed (graph_populator's updatePod): only pods bound to a node count. */
  setPod(pod: KubeObject): void {
    const ns = pod.metadata?.namespace ?? '';
    const name = pod.metadata?.name ?? '';
    if (!name) return;
    const key = nsKey(ns, name);
    const node = typeof pod.spec?.nodeName === 'string' ? pod.spec.nodeName : '';
    const uid = pod.metadata?.uid ?? '';
    const old = this.pods.get(key);
    // A pod's references are immutable: only a new node or a new pod changes its edges.
    if (old && old.node === node && old.uid === uid) return;
    if (old) this.unlink(key, old);
    if (!node) return;
    const refs = podRefs(pod);
    const entry: PodEntry = {
      node,
      uid,
      secrets: [...refs.secrets].map((s) => nsKey(ns, s)),
      configMaps: [...refs.configMaps].map((c) => nsKey(ns, c)),
      claims: [...refs.claims].map((c) => nsKey(ns, c)),
      serviceAccount: refs.serviceAccount ? nsKey(ns, refs.serviceAccount) : '',
    };
    this.link(key, entry);
  }

  deletePod(namespace: string, name: string): void {
    const key = nsKey(namespace, name);
    const old = this.pods.get(key);
    if (old) this.unlink(key, old);
  }

  /** Keeps only the pods in `keep` (namespace/name): after a relist, what was deleted meanwhile goes. */
  retainPods(keep: Set<string>): void {
    for (const [key, entry] of [...this.pods]) if (!keep.has(key)) this.unlink(key, entry);
  }

  setPV(pv: KubeObject): void {
    const name = pv.metadata?.name ?? '';
    if (!name) return;
    this.deletePV(name);
    const ref = pv.spec?.claimRef;
    const claim = ref && typeof ref.name === 'string' && typeof ref.namespace === 'string' && ref.name ? nsKey(ref.namespace, ref.name) : '';
    const secrets = pvSecretRefs(pv);
    this.pvs.set(name, { claim, secrets });
    for (const s of secrets) {
      let set = this.pvSecrets.get(s);
      if (!set) this.pvSecrets.set(s, (set = new Set()));
      set.add(name);
    }
  }

  deletePV(name: string): void {
    const old = this.pvs.get(name);
    if (!old) return;
    this.pvs.delete(name);
    for (const s of old.secrets) {
      const set = this.pvSecrets.get(s);
      set?.delete(name);
      if (set?.size === 0) this.pvSecrets.delete(s);
    }
  }

  retainPVs(keep: Set<string>): void {
    for (const name of [...this.pvs.keys()]) if (!keep.has(name)) this.deletePV(name);
  }

  hasNode(node: string): boolean {
    return this.nodes.has(node);
  }

  /** Whether a path leads from the object to the node (node_authorizer.go's hasPathFrom). */
  hasPathFrom(node: string, type: VertexType, namespace: string, name: string): boolean {
    if (!this.nodes.has(node)) return false;
    const key = nsKey(namespace, name);
    switch (type) {
      case 'pod':
        return this.pods.get(key)?.node === node;
      case 'secret':
        return reaches(this.secrets, key, node) || [...(this.pvSecrets.get(key) ?? [])].some((pv) => this.pvReaches(pv, node));
      case 'configmap':
        return reaches(this.configMaps, key, node);
      case 'pvc':
        return reaches(this.claims, key, node);
      case 'serviceaccount':
        return reaches(this.serviceAccounts, key, node);
      case 'pv':
        return this.pvReaches(name, node);
    }
  }

  private pvReaches(pv: string, node: string): boolean {
    const claim = this.pvs.get(pv)?.claim;
    return !!claim && reaches(this.claims, claim, node);
  }

  private link(key: string, e: PodEntry): void {
    this.pods.set(key, e);
    this.nodes.set(e.node, (this.nodes.get(e.node) ?? 0) + 1);
    for (const s of e.secrets) bump(this.secrets, s, e.node, 1);
    for (const c of e.configMaps) bump(this.configMaps, c, e.node, 1);
    for (const c of e.claims) bump(this.claims, c, e.node, 1);
    if (e.serviceAccount) bump(this.serviceAccounts, e.serviceAccount, e.node, 1);
  }

  private unlink(key: string, e: PodEntry): void {
    this.pods.delete(key);
    const n = (this.nodes.get(e.node) ?? 1) - 1;
    if (n > 0) this.nodes.set(e.node, n);
    else this.nodes.delete(e.node);
    for (const s of e.secrets) bump(this.secrets, s, e.node, -1);
    for (const c of e.configMaps) bump(this.configMaps, c, e.node, -1);
    for (const c of e.claims) bump(this.claims, c, e.node, -1);
    if (e.serviceAccount) bump(this.serviceAccounts, e.serviceAccount, e.node, -1);
  }
}

function reaches(reach: Reach, key: string, node: string): boolean {
  return (reach.get(key)?.get(node) ?? 0) > 0;
}
