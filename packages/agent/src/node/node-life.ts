// Node life: register the Node, renew its Lease about every second, and keep the Ready
// condition true while Docker answers and false (with the reason) while it does not.
import { microTime, NodeLeaseNamespace, rfc3339, type Lease, type Node } from '@k8ts/api';
import { ApiError, isAlreadyExists, isConflict, isNotFound, type Client, type Logger } from '@k8ts/client';
import { nodeAnnotations, nodeLabels, nodeObject, nodeStatus, type NodeFacts } from './node-object.js';

export interface NodeLifeOptions {
  client: Client;
  facts: NodeFacts;
  /** Resolves when Docker answers, rejects with the reason otherwise. */
  pingRuntime: () => Promise<void>;
  log: Logger;
  leaseDurationSeconds?: number;
  renewMs?: number;
  heartbeatMs?: number; // how often the Ready condition's heartbeat is written
  /** Optional faster path: the Nodes.RenewLease gRPC call. */
  renewLease?: (nodeName: string, durationSeconds: number) => Promise<unknown>;
}

// An apiserver that is not up yet (compose starts everything at once, `k8ts up` restarts it)
// is waited for as a kubelet does; a request the apiserver refuses (bad token, invalid
// node) will not pass on a retry and ends the start.
// A conflict is someone else's write in between (nodeipam setting spec.podCIDR just after the create): try again.
const refused = (e: unknown) => e instanceof ApiError && e.code >= 400 && e.code < 500 && e.code !== 429 && e.code !== 408 && e.code !== 409;

export class NodeLife {
  runtimeError: string | undefined;
  /** Set while the pod network is not made (its range not yet allocated): the node is NotReady, as a kubelet whose network plugin is not ready. */
  networkError: string | undefined;
  registered = false;
  lastRenew = 0;
  private timers: NodeJS.Timeout[] = [];
  private stopped = false;
  private lastHeartbeat = 0;
  private writtenError: string | undefined | null = null; // null: nothing written yet

  constructor(readonly o: NodeLifeOptions) {}

  get name(): string {
    return this.o.facts.name;
  }

  /** Why the node is not Ready, as its Ready condition says; undefined when it is. */
  private get notReady(): string | undefined {
    return this.runtimeError ?? this.networkError;
  }

  async start(): Promise<void> {
    await this.checkRuntime();
    await this.registerUntilDone();
    await this.renew().catch((e) => this.o.log.warn({ err: (e as Error).message }, 'lease renewal failed'));
    this.loop(() => this.renew(), this.o.renewMs ?? 1000, 'lease renewal failed');
    this.loop(() => this.heartbeat(), 1000, 'node status update failed');
  }

  stop(): void {
    this.stopped = true;
    for (const t of this.timers) clearTimeout(t);
  }

  private loop(fn: () => Promise<void>, every: number, what: string): void {
    const tick = async () => {
      if (this.stopped) return;
      try {
        await fn();
      } catch (e) {
        this.o.log.warn({ err: (e as Error).message }, what);
      }
      if (!this.stopped) this.timers.push(setTimeout(() => void tick(), every));
    };
    this.timers.push(setTimeout(() => void tick(), every));
  }

  private async checkRuntime(): Promise<void> {
    try {
      await this.o.pingRuntime();
      if (this.runtimeError) this.o.log.info('container runtime is back');
      this.runtimeError = undefined;
    } catch (e) {
      const msg = (e as Error).message || String(e);
      if (!this.runtimeError) this.o.log.warn({ reason: 'KubeletNotReady', err: msg }, 'container runtime is down');
      this.runtimeError = `docker: ${msg}`;
    }
  }

  private async registerUntilDone(): Promise<void> {
    // Capped low: until the apiserver answers the node is not Ready and `k8ts up` waits on it;
    // a failed attempt while the channel is down fails at once and costs nothing.
    for (let delay = 200; ; delay = Math.min(delay * 2, 500)) {
      try {
        return await this.register();
      } catch (e) {
        if (this.stopped || refused(e)) throw e;
        this.o.log.warn({ reason: 'RegisterRetry', err: (e as Error).message }, 'unable to register node with the apiserver; retrying');
        await new Promise((r) => setTimeout(r, delay));
      }
    }
  }

  /** Creates the Node, or takes over an existing one (labels merged, status replaced). */
  async register(): Promise<void> {
    const f = this.o.facts;
    const now = rfc3339();
    try {
      await this.o.client.create('nodes', nodeObject(f, this.notReady, now));
      this.o.log.info('node registered');
    } catch (e) {
      if (!isAlreadyExists(e)) throw e;
      for (let i = 0; ; i++) {
        const cur = await this.o.client.get<Node>('nodes', '', f.name);
        const next = { ...cur, metadata: { ...cur.metadata, labels: { ...(cur.metadata?.labels ?? {}), ...nodeLabels(f) }, annotations: { ...(cur.metadata?.annotations ?? {}), ...nodeAnnotations(f) } } };
        try {
          await this.o.client.update('nodes', next);
          break;
        } catch (err) {
          if (!isConflict(err) || i > 5) throw err;
        }
      }
      this.o.log.info('node already registered; taking it over');
    }
    await this.writeStatus();
    this.registered = true;
  }

  private async writeStatus(): Promise<void> {
    const f = this.o.facts;
    const cur = await this.o.client.get<Node>('nodes', '', f.name).catch((e) => {
      if (isNotFound(e)) return undefined;
      throw e;
    });
    if (!cur) {
      // Deleted under us (kubectl delete node): register again, as a kubelet does.
      await this.o.client.create('nodes', nodeObject(f, this.notReady, rfc3339()));
      this.writtenError = this.notReady;
      this.lastHeartbeat = Date.now();
      return;
    }
    const status = nodeStatus(f, cur.status, this.notReady, rfc3339());
    // Other writers (the node controller's taints live in spec; conditions are ours) rarely
    // race with this; a conflict is retried on the next heartbeat.
    await this.o.client.update('nodes', { ...cur, status: { ...(cur.status ?? {}), ...status } }, { subresource: 'status' });
    this.writtenError = this.notReady;
    this.lastHeartbeat = Date.now();
  }

  /** Writes the node status when Ready changes, and every heartbeat period anyway. */
  private async heartbeat(): Promise<void> {
    await this.checkRuntime();
    const due = Date.now() - this.lastHeartbeat >= (this.o.heartbeatMs ?? 10_000);
    if (this.writtenError === null || this.writtenError !== this.notReady || due) await this.writeStatus();
  }

  async renew(): Promise<void> {
    const name = this.o.facts.name;
    const duration = this.o.leaseDurationSeconds ?? 40;
    if (this.o.renewLease) {
      await this.o.renewLease(name, duration);
      this.lastRenew = Date.now();
      return;
    }
    const ns = NodeLeaseNamespace;
    let lease: Lease | undefined;
    try {
      lease = await this.o.client.get<Lease>('leases', ns, name);
    } catch (e) {
      if (!isNotFound(e)) throw e;
    }
    const spec = { holderIdentity: name, leaseDurationSeconds: duration, renewTime: microTime() };
    if (!lease) {
      const node = await this.o.client.get<Node>('nodes', '', name).catch(() => undefined);
      await this.o.client.create('leases', {
        apiVersion: 'coordination.k8s.io/v1',
        kind: 'Lease',
        metadata: {
          name,
          namespace: ns,
          ...(node?.metadata?.uid ? { ownerReferences: [{ apiVersion: 'v1', kind: 'Node', name, uid: node.metadata.uid }] } : {}),
        },
        spec,
      });
    } else {
      await this.o.client.update('leases', { ...lease, spec: { ...lease.spec, ...spec } });
    }
    this.lastRenew = Date.now();
  }
}
