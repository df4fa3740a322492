// nodeipam (kube-controller-manager's RangeAllocator): each Node gets spec.podCIDR/podCIDRs,
// a node-sized range of --cluster-cidr, once; it never changes, and it returns to the pool
// when the Node is deleted. A Node that arrives with a podCIDR keeps it: the range is marked
// used (two Nodes claiming one range both keep it, as upstream; one outside the cluster
// range is an error, retried with back-off). The pool lives in memory and is rebuilt from
// the Nodes when the controller starts (a new leader starts from its own cache). A Node whose
// range overlaps one an earlier Node holds is not routed by any host; it is told so in its
// NetworkUnavailable condition and an event (overlap-condition.ts).
import { ipv4CidrsOverlap, podCidrConflicts, rfc3339, type Node, type PodCidrConflict } from '@k8ts/api';
import { isNotFound } from '@k8ts/client';
import type { ControllerContext, Lister, Queue } from '../framework/types.js';
import { unwrap } from '../framework/tombstone.js';
import { CidrSet, parseIpv4Cidr } from './cidr-set.js';
import { NO_ROUTE, overlapMessage, wantedNetworkCondition, withCondition } from './overlap-condition.js';

export interface NodeIpamOptions {
  /** --allocate-node-cidrs: without it the controller does nothing, as upstream. */
  allocateNodeCidrs: boolean;
  clusterCidr?: string;
  /** --node-cidr-mask-size (24). */
  nodeCidrMaskSize: number;
  /** --service-cluster-ip-range: node ranges overlapping it are never handed out. */
  serviceCidr?: string;
}

/** Upstream's cidrUpdateRetries. */
const CIDR_UPDATE_RETRIES = 3;

/** The Go controller's checks of its flags, with its messages. */
export function newCidrSet(o: NodeIpamOptions): CidrSet {
  if (!o.clusterCidr?.trim()) throw new Error('Controller: Must specify --cluster-cidr if --allocate-node-cidrs is set');
  return new CidrSet(o.clusterCidr.trim(), o.nodeCidrMaskSize);
}

const podCidrsOf = (n: Node): string[] => {
  const s = n.spec ?? {};
  if (s.podCIDRs?.length) return s.podCIDRs;
  return s.podCIDR ? [s.podCIDR] : [];
};

export class NodeIpamController {
  static readonly controllerName = 'nodeipam';
  /** podCidrConflicts over the cache, until a Node's range or the set of Nodes changes. */
  private conflictsCache: Map<string, PodCidrConflict> | undefined;
  constructor(
    private readonly ctx: ControllerContext,
    private readonly listers: { nodes: Lister<Node> },
    private readonly queue: Queue,
    private readonly cidrs: CidrSet,
    serviceCidr?: string,
  ) {
    // filterOutServiceRange: only when the two ranges share addresses.
    if (serviceCidr && ipv4CidrsOverlap(parseIpv4Cidr(serviceCidr), cidrs.cluster)) cidrs.occupy(serviceCidr);
  }

  onNode = (obj: unknown) => {
    const n = unwrap<Node>(obj);
    this.conflictsCache = undefined;
    if (n?.metadata.name) this.queue.add(n.metadata.name);
  };
  updateNode = (old: Node, cur: Node) => {
    if (podCidrsOf(old)[0] !== podCidrsOf(cur)[0]) this.conflictsCache = undefined;
    if (cur.metadata.name) this.queue.add(cur.metadata.name);
  };
  /**
   * A deleted Node is gone from the cache, so its range is released here, from the last state
   * seen; the Nodes whose range overlapped the one it held are looked at again (one may hold it now).
   */
  deleteNode = (obj: unknown) => {
    const n = unwrap<Node>(obj);
    if (!n) return;
    this.release(n);
    // With the deleted Node put back: the informer's cache may already be without it.
    const withIt = [...this.listers.nodes.list().filter((x) => x.metadata.name !== n.metadata.name), n];
    for (const [name, c] of podCidrConflicts(withIt)) if (c.heldBy === n.metadata.name) this.queue.add(name);
    this.conflictsCache = undefined;
    this.queue.add(n.metadata.name!);
  };

  private conflicts(): Map<string, PodCidrConflict> {
    return (this.conflictsCache ??= podCidrConflicts(this.listers.nodes.list()));
  }

  /** Before the workers: every range already on a Node is taken. */
  start(): void {
    for (const n of this.listers.nodes.list()) {
      try {
        this.occupy(n);
      } catch (e) {
        // Upstream refuses to start then; here the other Nodes still get ranges, and this
        // Node's sync reports the same error (with back-off) until it is fixed.
        this.ctx.logger.error({ object: n.metadata.name, reason: 'CIDROutOfRange', err: (e as Error).message }, 'node podCIDR not in the cluster CIDR');
      }
    }
  }

  async sync(name: string): Promise<void> {
    const node = this.listers.nodes.get('', name);
    if (!node) return;
    if (node.metadata.deletionTimestamp) {
      this.release(node);
      return;
    }
    if (podCidrsOf(node).length > 0) {
      this.occupy(node);
      await this.reportOverlap(node);
      return;
    }
    let cidr: string;
    try {
      cidr = this.cidrs.allocateNext();
    } catch (e) {
      this.statusChange(node, 'CIDRNotAvailable');
      throw new Error(`failed to allocate cidr from cluster cidr at idx:0: ${(e as Error).message}`);
    }
    await this.assign(node, cidr);
  }

  private async assign(node: Node, cidr: string): Promise<void> {
    const name = node.metadata.name!;
    let last: unknown;
    for (let i = 0; i < CIDR_UPDATE_RETRIES; i++) {
      try {
        const cur = await this.ctx.client.get<Node>('nodes', '', name);
        // Set meanwhile (by us before a lost answer, or by someone else): keep what is there.
        if (podCidrsOf(cur).length > 0) {
          if (podCidrsOf(cur)[0] !== cidr) this.cidrs.release(cidr);
          this.occupy(cur);
          return;
        }
        await this.ctx.client.patch('nodes', '', name, 'application/strategic-merge-patch+json', { spec: { podCIDR: cidr, podCIDRs: [cidr] } });
        this.ctx.logger.info({ object: name, reason: 'PodCIDRSet', podCIDRs: [cidr] }, 'Set node PodCIDR');
        return;
      } catch (e) {
        last = e;
        if (isNotFound(e)) break;
      }
    }
    this.cidrs.release(cidr);
    if (isNotFound(last)) return;
    this.statusChange(node, 'CIDRAssignmentFailed');
    throw last instanceof Error ? last : new Error(String(last));
  }

  /** NetworkUnavailable on a Node whose range another holds, and back when it no longer is. */
  private async reportOverlap(node: Node): Promise<void> {
    const conflict = this.conflicts().get(node.metadata.name!);
    const cond = wantedNetworkCondition(node, conflict, rfc3339(Date.now()));
    if (!cond) return;
    await this.ctx.client.update<Node>('nodes', withCondition(node, cond), { subresource: 'status' });
    if (conflict) {
      this.ctx.recorder.event(node, 'Warning', 'PodCIDROverlap', overlapMessage(conflict));
      this.ctx.logger.warn({ object: node.metadata.name, reason: 'PodCIDROverlap', podCIDR: conflict.podCIDR, heldBy: conflict.heldBy }, 'node podCIDR overlaps another node\'s: not routed');
    } else {
      this.ctx.recorder.event(node, 'Normal', 'RouteCreated', `podCIDR ${podCidrsOf(node)[0]} is routed`);
      this.ctx.logger.info({ object: node.metadata.name, reason: 'RouteCreated', was: NO_ROUTE }, 'node podCIDR no longer overlaps: routed');
    }
  }

  private occupy(node: Node): void {
    // Dual-stack would put an IPv6 range at index 1; k8ts allocates IPv4 only.
    const [first] = podCidrsOf(node);
    if (first) this.cidrs.occupy(first);
  }

  private release(node: Node): void {
    const [first] = podCidrsOf(node);
    if (!first) return;
    try {
      this.cidrs.release(first);
      this.ctx.logger.info({ object: node.metadata.name, reason: 'PodCIDRReleased', podCIDR: first }, 'released node PodCIDR');
    } catch (e) {
      this.ctx.logger.error({ object: node.metadata.name, reason: 'CIDRReleaseFailed', err: (e as Error).message }, 'error while processing CIDR Release');
    }
  }

  /** controllerutil.RecordNodeStatusChange. */
  private statusChange(node: Node, status: string): void {
    this.ctx.recorder.event(node, 'Warning', status, `Node ${node.metadata.name} status is now: ${status}`);
  }
}
