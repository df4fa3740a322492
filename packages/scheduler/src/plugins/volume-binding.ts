// VolumeBinding (kube-scheduler's plugin of that name): a pod's claims decide where it can run.
// PreFilter: every claim must exist and not be being deleted; an unbound claim of an
// Immediate class must be bound first. Filter: a bound claim's volume must admit the node
// (its node affinity: local volumes keep the pod with its data); an unbound claim of a
// WaitForFirstConsumer class needs an Available volume there, or a class that provisions.
// PreBind: reserves the chosen static volume (claimRef), or asks for provisioning on the
// chosen node (the claim's volume.kubernetes.io/selected-node), then waits until every claim
// is bound before the pod is bound.
import {
  ANN_BIND_COMPLETED,
  ANN_BOUND_BY_CONTROLLER,
  ANN_SELECTED_NODE,
  NO_PROVISIONER,
  claimStorageClass,
  findMatchingVolume,
  podClaimNames,
  volumeFitsNode,
  type KubeObject,
} from '@k8ts/api';
import type { Client } from '@k8ts/client';
import type { VolumeCache } from '../cache/volume-cache.js';
import type { CycleState } from '../framework/cycle-state.js';
import type { FilterPlugin, PreBindPlugin, PreFilterPlugin } from '../framework/interfaces.js';
import type { NodeInfo } from '../framework/node-info.js';
import type { PodInfo } from '../framework/pod-info.js';
import { Code, SKIP, SUCCESS, constStatus, errorStatus, unresolvable, type Status } from '../framework/status.js';
import type { ClusterEvent } from '../framework/events.js';

export const ERR_REASON_NODE_CONFLICT = 'node(s) had volume node affinity conflict';
export const ERR_REASON_BIND_CONFLICT = "node(s) didn't find available persistent volumes to bind";
export const ERR_REASON_PV_NOT_EXIST = 'node(s) unavailable due to one or more pvc(s) bound to non-existent pv(s)';
export const ERR_UNBOUND_IMMEDIATE = 'pod has unbound immediate PersistentVolumeClaims';
const NODE_CONFLICT = constStatus(Code.UnschedulableAndUnresolvable, ERR_REASON_NODE_CONFLICT);
const BIND_CONFLICT = constStatus(Code.UnschedulableAndUnresolvable, ERR_REASON_BIND_CONFLICT);
const PV_NOT_EXIST = constStatus(Code.UnschedulableAndUnresolvable, ERR_REASON_PV_NOT_EXIST);
const STATE_KEY = 'VolumeBinding';
/** kube-scheduler's default bindTimeoutSeconds. */
export const DEFAULT_BIND_TIMEOUT_MS = 600_000;

interface PodVolumes {
  bound: { claim: KubeObject; volume: KubeObject | undefined }[];
  /** Unbound claims of WaitForFirstConsumer classes. */
  delayed: KubeObject[];
}

interface Decision {
  /** Static volumes chosen for delayed claims (claim key → volume). */
  static: Map<string, KubeObject>;
  /** Delayed claims to provision on the node. */
  provision: KubeObject[];
}

const claimId = (c: KubeObject) => `${c.metadata.namespace}/${c.metadata.name}`;

export interface VolumeBindingOptions {
  bindTimeoutMs?: number;
  /** How often PreBind looks at the cache while it waits for the claims to be bound. */
  pollMs?: number;
  /** The chosen node's labels (the scheduler's cache), to match static volumes at PreBind. */
  nodeLabels?: (node: string) => Record<string, string> | undefined;
}

export class VolumeBinding implements PreFilterPlugin, FilterPlugin, PreBindPlugin {
  readonly name = 'VolumeBinding';
  readonly events: readonly ClusterEvent[] = ['NodeAdd', 'NodeUpdate', 'PersistentVolumeClaimAdd', 'PersistentVolumeClaimUpdate', 'PersistentVolumeAdd', 'PersistentVolumeUpdate', 'StorageClassAdd'];

  constructor(
    private readonly cache: VolumeCache,
    private readonly client: Client | undefined,
    private readonly opts: VolumeBindingOptions = {},
  ) {}

  preFilter(state: CycleState, pod: PodInfo): Status {
    const names = podClaimNames(pod.pod);
    if (names.length === 0) return SKIP;
    const ns = pod.pod.metadata?.namespace ?? 'default';
    const out: PodVolumes = { bound: [], delayed: [] };
    for (const name of names) {
      const claim = this.cache.claim(ns, name);
      if (!claim) return unresolvable(`persistentvolumeclaim "${name}" not found`);
      if (claim.metadata.deletionTimestamp) return unresolvable(`persistentvolumeclaim "${name}" is being deleted`);
      if (claim.spec?.volumeName) {
        out.bound.push({ claim, volume: this.cache.volume(claim.spec.volumeName) });
        continue;
      }
      const sc = this.cache.storageClass(claimStorageClass(claim));
      if (sc?.volumeBindingMode !== 'WaitForFirstConsumer') return unresolvable(ERR_UNBOUND_IMMEDIATE);
      out.delayed.push(claim);
    }
    state.write(STATE_KEY, out);
    return SUCCESS;
  }

  filter(state: CycleState, _pod: PodInfo, nodeInfo: NodeInfo): Status {
    const vols = state.read<PodVolumes>(STATE_KEY);
    if (!vols) return SUCCESS;
    for (const { volume } of vols.bound) {
      if (!volume) return PV_NOT_EXIST;
      if (!volumeFitsNode(volume, nodeInfo)) return NODE_CONFLICT;
    }
    return vols.delayed.length && !this.decide(vols.delayed, nodeInfo) ? BIND_CONFLICT : SUCCESS;
  }

  /** For each delayed claim on this node: a free static volume, else provisioning; undefined when neither. */
  private decide(delayed: readonly KubeObject[], node: { name: string; labels: Record<string, string> }): Decision | undefined {
    const taken = new Set<string>();
    const d: Decision = { static: new Map(), provision: [] };
    const free = [...this.cache.allVolumes()].filter((v) => !v.spec?.claimRef);
    for (const claim of delayed) {
      const pv = findMatchingVolume(claim, free.filter((v) => !taken.has(v.metadata.name!)), node);
      if (pv) {
        taken.add(pv.metadata.name!);
        d.static.set(claimId(claim), pv);
        continue;
      }
      const sc = this.cache.storageClass(claimStorageClass(claim));
      if (!sc?.provisioner || sc.provisioner === NO_PROVISIONER || !allowedOnNode(sc, node)) return undefined;
      d.provision.push(claim);
    }
    return d;
  }

  async preBind(state: CycleState, pod: PodInfo, node: string, signal: AbortSignal): Promise<Status> {
    const vols = state.read<PodVolumes>(STATE_KEY);
    if (!vols?.delayed.length) return SUCCESS;
    if (!this.client) return errorStatus('no API client to bind volumes with');
    const labels = { name: node, labels: this.opts.nodeLabels?.(node) ?? { 'kubernetes.io/hostname': node } };
    const current = vols.delayed.map((c) => this.cache.claim(c.metadata.namespace!, c.metadata.name!) ?? c);
    const d = this.decide(current, labels);
    if (!d) return errorStatus(`volumes of pod ${pod.pod.metadata?.namespace}/${pod.pod.metadata?.name} can no longer be bound on node ${node}`);
    for (const [, pv] of d.static) {
      const claim = current.find((c) => d.static.get(claimId(c)) === pv)!;
      const claimRef = { kind: 'PersistentVolumeClaim', apiVersion: 'v1', namespace: claim.metadata.namespace, name: claim.metadata.name, uid: claim.metadata.uid };
      await this.client.patch('persistentvolumes', '', pv.metadata.name!, 'application/merge-patch+json', { metadata: { annotations: { [ANN_BOUND_BY_CONTROLLER]: 'yes' } }, spec: { claimRef } });
    }
    for (const claim of d.provision) {
      if (claim.metadata.annotations?.[ANN_SELECTED_NODE] === node) continue;
      await this.client.patch('persistentvolumeclaims', claim.metadata.namespace!, claim.metadata.name!, 'application/merge-patch+json', { metadata: { annotations: { [ANN_SELECTED_NODE]: node } } });
    }
    return this.waitForBound(current, d, signal);
  }

  /** checkBindings: every claim bound (volumeName and bind-completed), or a reason to give up. */
  private async waitForBound(claims: readonly KubeObject[], d: Decision, signal: AbortSignal): Promise<Status> {
    const deadline = Date.now() + (this.opts.bindTimeoutMs ?? DEFAULT_BIND_TIMEOUT_MS);
    const poll = this.opts.pollMs ?? 50;
    // The cache may not show our own annotation yet: only its removal after it was seen counts.
    const selected = new Set<string>();
    for (;;) {
      let pending = 0;
      for (const c of claims) {
        const cur = this.cache.claim(c.metadata.namespace!, c.metadata.name!);
        if (!cur || cur.metadata.uid !== c.metadata.uid) return errorStatus(`PVC ${claimId(c)} was deleted while binding`);
        if (cur.spec?.volumeName && cur.metadata.annotations?.[ANN_BIND_COMPLETED] === 'yes') continue;
        if (d.provision.includes(c)) {
          if (cur.metadata.annotations?.[ANN_SELECTED_NODE]) selected.add(claimId(c));
          else if (selected.has(claimId(c))) return errorStatus(`selectedNode annotation reset for PVC "${c.metadata.name}"`);
        }
        pending++;
      }
      if (pending === 0) return SUCCESS;
      if (signal.aborted) return errorStatus('scheduler stopping');
      if (Date.now() > deadline) return errorStatus('binding volumes: context deadline exceeded');
      await new Promise((r) => setTimeout(r, poll));
    }
  }
}

/** A class's allowedTopologies (ORed terms of label values) must admit the node. */
function allowedOnNode(sc: KubeObject, node: { labels: Record<string, string> }): boolean {
  const terms: any[] = (sc as any).allowedTopologies ?? [];
  if (!terms.length) return true;
  return terms.some((t) => (t.matchLabelExpressions ?? []).every((e: any) => (e.values ?? []).includes(node.labels[e.key])));
}
