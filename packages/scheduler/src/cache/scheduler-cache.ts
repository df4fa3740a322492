// The scheduler's picture of the cluster (internal/cache in kube-scheduler): nodes with the
// pods bound to them, plus pods the scheduler has *assumed* onto a node while their binding is
// in flight, so pods scheduled back to back see each other's requests before the watch
// confirms them. An assumption ends when the watch shows the pod bound (confirmed), when the
// bind fails (forgotten), or when the watch never confirms a finished bind (expired).
import { isPodTerminal, type Node, type Pod } from '@k8ts/api';
import { NodeInfo } from '../framework/node-info.js';
import { hasPodAffinity, newPodInfo, podKey, refreshPodInfo, type PodInfo } from '../framework/pod-info.js';
import type { Snapshot } from '../framework/snapshot.js';

interface PodState {
  info: PodInfo;
  node: string;
  assumed: boolean;
  /** Set when the bind call returned: the assumption expires at this time (ms) if unconfirmed. */
  deadline?: number;
}

export interface CacheOptions {
  /** How long a bound-but-unconfirmed assumption is kept. */
  assumedTtlMs?: number;
  now?: () => number;
}

export class SchedulerCache implements Snapshot {
  private readonly infos = new Map<string, NodeInfo>();
  private readonly podStates = new Map<string, PodState>();
  /** The keys of assumed pods, so expiry walks them alone (assumedPods upstream), not every pod known. */
  private readonly assumedKeys = new Set<string>();
  private nodeList: NodeInfo[] = [];
  private nodeListDirty = true;
  /** Bumped when a pod with (anti-)affinity comes or goes, or the node list changes. */
  private affinityGen = 0;
  private withAffinity: { gen: number; list: NodeInfo[] } = { gen: -1, list: [] };
  private withAntiAffinity: { gen: number; list: NodeInfo[] } = { gen: -1, list: [] };
  private readonly namespaces = new Map<string, Record<string, string>>();
  readonly namespaceLabels = (ns: string): Record<string, string> | undefined => this.namespaces.get(ns);
  private readonly ttl: number;
  private readonly now: () => number;

  constructor(opts: CacheOptions = {}) {
    this.ttl = opts.assumedTtlMs ?? 30_000;
    this.now = opts.now ?? Date.now;
  }

  // ---- Snapshot ----
  get nodes(): readonly NodeInfo[] {
    if (this.nodeListDirty) {
      this.nodeList = [...this.infos.values()].filter((n) => n.node !== undefined);
      this.nodeListDirty = false;
      this.affinityGen++;
    }
    return this.nodeList;
  }

  get(name: string): NodeInfo | undefined {
    const ni = this.infos.get(name);
    return ni?.node ? ni : undefined;
  }

  havePodsWithAffinity(): readonly NodeInfo[] {
    const nodes = this.nodes;
    if (this.withAffinity.gen !== this.affinityGen)
      this.withAffinity = { gen: this.affinityGen, list: nodes.filter((n) => n.podsWithAffinity.size > 0) };
    return this.withAffinity.list;
  }

  havePodsWithRequiredAntiAffinity(): readonly NodeInfo[] {
    const nodes = this.nodes;
    if (this.withAntiAffinity.gen !== this.affinityGen)
      this.withAntiAffinity = { gen: this.affinityGen, list: nodes.filter((n) => n.podsWithRequiredAntiAffinity.size > 0) };
    return this.withAntiAffinity.list;
  }

  // ---- namespaces (their labels, for namespaceSelector) ----
  setNamespace(name: string, labels: Record<string, string> | undefined): void {
    this.namespaces.set(name, labels ?? {});
  }

  removeNamespace(name: string): void {
    this.namespaces.delete(name);
  }

  // ---- nodes ----
  addNode(node: Node): void {
    const name = node.metadata?.name ?? '';
    let ni = this.infos.get(name);
    if (!ni) {
      ni = new NodeInfo(name);
      this.infos.set(name, ni);
    }
    if (!ni.node) this.nodeListDirty = true;
    ni.setNode(node);
  }

  updateNode(node: Node): void {
    this.addNode(node);
  }

  removeNode(name: string): void {
    const ni = this.infos.get(name);
    if (!ni) return;
    // Pods still bound to a deleted node keep a placeholder until they go too.
    if (ni.pods.size > 0) ni.clearNode();
    else this.infos.delete(name);
    this.nodeListDirty = true;
  }

  nodeCount(): number {
    return this.nodes.length;
  }

  // ---- pods ----
  private nodeInfoFor(name: string): NodeInfo {
    let ni = this.infos.get(name);
    if (!ni) {
      ni = new NodeInfo(name);
      this.infos.set(name, ni);
    }
    return ni;
  }

  private place(key: string, info: PodInfo, node: string, assumed: boolean): void {
    if (hasPodAffinity(info)) this.affinityGen++;
    this.nodeInfoFor(node).addPod(info);
    this.podStates.set(key, { info, node, assumed });
    if (assumed) this.assumedKeys.add(key);
  }

  private unplace(key: string): PodState | undefined {
    const st = this.podStates.get(key);
    if (!st) return undefined;
    this.podStates.delete(key);
    this.assumedKeys.delete(key);
    if (hasPodAffinity(st.info)) this.affinityGen++;
    const ni = this.infos.get(st.node);
    if (ni) {
      ni.removePod(key);
      if (!ni.node && ni.pods.size === 0) this.infos.delete(st.node);
    }
    return st;
  }

  /** A bound pod from the watch (add or update). Confirms an assumption if there is one. */
  addOrUpdatePod(pod: Pod): void {
    const node = pod.spec?.nodeName;
    const key = podKey(pod);
    if (!node) return;
    // Terminal pods hold no resources.
    if (isPodTerminal(pod)) {
      this.unplace(key);
      return;
    }
    const st = this.podStates.get(key);
    if (st && st.node === node && st.info.pod === pod) return;
    if (st) this.unplace(key);
    this.place(key, st ? refreshPodInfo(st.info, pod) : newPodInfo(pod), node, false);
  }

  removePod(pod: Pod | string): void {
    this.unplace(typeof pod === 'string' ? pod : podKey(pod));
  }

  /** Counts the pod on the node now, before its binding is confirmed. */
  assumePod(info: PodInfo, node: string): void {
    const existing = this.podStates.get(info.key);
    if (existing && !existing.assumed) throw new Error(`pod ${info.key} is already bound to ${existing.node}`);
    if (existing) this.unplace(info.key);
    this.place(info.key, info, node, true);
  }

  /** The bind call returned: start the expiry clock in case the watch never confirms it. */
  finishBinding(key: string): void {
    const st = this.podStates.get(key);
    if (st?.assumed) st.deadline = this.now() + this.ttl;
  }

  /** The bind failed: the pod no longer counts on that node. */
  forgetPod(key: string): void {
    const st = this.podStates.get(key);
    if (st?.assumed) this.unplace(key);
  }

  isAssumed(key: string): boolean {
    return this.podStates.get(key)?.assumed ?? false;
  }

  /** The node a pod counts on (bound or assumed). */
  nodeOf(key: string): string | undefined {
    return this.podStates.get(key)?.node;
  }

  /** Drops assumptions whose bind finished long ago without the watch confirming them. */
  cleanupExpired(): string[] {
    const now = this.now();
    const expired: string[] = [];
    for (const key of this.assumedKeys) {
      const st = this.podStates.get(key)!;
      if (st.deadline !== undefined && st.deadline <= now) {
        this.unplace(key);
        expired.push(key);
      }
    }
    return expired;
  }

  podCount(): number {
    return this.podStates.size;
  }
}
