// Node lease renewal (Nodes.RenewLease, on its own or on the Exchange stream). Every node
// writes its Lease every few seconds and nothing else writes it, so the apiserver remembers
// the Lease it last wrote for each node and renews from that: one etcd transaction per
// renewal instead of a read, a read and a transaction (1000 nodes renewing every 10 s kept
// etcd + apiserver at ≈ 40 % of a core). A remembered Lease that someone else changed
// meanwhile (another apiserver, kubectl) only loses the compare-and-swap; the failed
// transaction returns the current Lease and the renewal retries on it.
import { ApiError } from '@k8ts/client';
import { NodeLeaseNamespace as LEASE_NS, type KubeObject } from '@k8ts/api';
import type { Registry, RequestUser } from '../registry/types.js';
import { unavailable } from '../registry/errors.js';
import { nowMicroTime } from '../registry/time.js';

/** Nodes remembered at most; beyond it the least recently renewed is forgotten (and read again when it renews). */
const MAX_REMEMBERED = 20_000;

export class NodeLeases {
  private readonly last = new Map<string, KubeObject>();

  constructor(private readonly registry: Registry) {}

  /**
   * Writes the node's Lease: holder = node, renewTime = now (MicroTime); creates it when
   * missing. With `user`, admission (NodeRestriction: a node renews only its own) sees the write.
   */
  async renew(nodeName: string, durationSeconds: number, user?: RequestUser): Promise<string> {
    const r = this.registry;
    for (let attempt = 0; attempt < 5; attempt++) {
      const renewTime = nowMicroTime();
      try {
        const hint = this.last.get(nodeName);
        const lease = await r.guaranteedUpdate(
          'leases',
          LEASE_NS,
          nodeName,
          (cur) => {
            cur.spec = { ...(cur.spec ?? {}), holderIdentity: nodeName, leaseDurationSeconds: durationSeconds, renewTime };
            return cur;
          },
          { hint, user },
        );
        this.remember(nodeName, lease);
        return renewTime;
      } catch (err) {
        if (!(err instanceof ApiError)) throw err;
        if (err.code === 409) continue;
        if (err.code !== 404) throw err;
        this.last.delete(nodeName);
      }
      try {
        this.remember(nodeName, await r.create('leases', LEASE_NS, await this.freshLease(nodeName, durationSeconds, renewTime), { user }));
        return renewTime;
      } catch (err) {
        // Created meanwhile by a renewal that raced this one: renew that.
        if (err instanceof ApiError && err.code === 409) continue;
        throw err;
      }
    }
    throw unavailable(`could not renew the lease of node ${nodeName}: too many conflicts`);
  }

  private remember(nodeName: string, lease: KubeObject): void {
    this.last.delete(nodeName);
    this.last.set(nodeName, lease);
    if (this.last.size > MAX_REMEMBERED) this.last.delete(this.last.keys().next().value!);
  }

  private async freshLease(nodeName: string, durationSeconds: number, renewTime: string): Promise<KubeObject> {
    const fresh: KubeObject = {
      apiVersion: 'coordination.k8s.io/v1',
      kind: 'Lease',
      metadata: { name: nodeName, namespace: LEASE_NS },
      spec: { holderIdentity: nodeName, leaseDurationSeconds: durationSeconds, renewTime },
    };
    // The kubelet makes its Node the owner, so the lease goes with the node.
    try {
      const node = await this.registry.get('nodes', '', nodeName);
      const uid = node.metadata.uid;
      if (uid) fresh.metadata.ownerReferences = [{ apiVersion: 'v1', kind: 'Node', name: nodeName, uid }];
    } catch {
      // not registered yet: the lease stands alone
    }
    return fresh;
  }
}

const perRegistry = new WeakMap<Registry, NodeLeases>();

/** The NodeLeases of a registry: one memory per apiserver, whichever service renews. */
export function nodeLeasesOf(registry: Registry): NodeLeases {
  let l = perRegistry.get(registry);
  if (!l) perRegistry.set(registry, (l = new NodeLeases(registry)));
  return l;
}
