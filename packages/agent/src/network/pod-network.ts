// podnet: the per-host part of the pod network when ranges come from nodeipam, as flannel's
// flanneld is (its host-gw backend): it keeps the masquerade exemption of this node's pods
// toward the cluster range and one route per other node's podCIDR via that node's InternalIP
// in the machine's namespace, following the Node objects. On a host of the LAN that is no node
// (`--routes-only`: the control plane's in `up --machines`), a route to every node's pods.
// A process of its own with an identity of its own (system:k8ts-podnet, flannel's ClusterRole:
// read every Node): the agent's node credential may read only its own Node (the Node
// authorizer, as kube-apiserver's since selectors came to it).
import { podCidrConflicts, podCidrOf, type Node } from '@k8ts/api';
import { Informer, type Client, type Logger } from '@k8ts/client';
import { desiredRoutes, internalIPOf, routeChanges, type Route } from './host-gw.js';
import { NetnsShell } from './netns.js';
import { VXLAN_DEVICE, vxlanPeers } from './vxlan.js';

export interface PodNetworkOptions {
  client: Client;
  nodeName: string;
  clusterCidr: string;
  /** host-gw: routes via the nodes' addresses (one LAN); vxlan: through a kernel VXLAN device (any routed network). */
  routes: 'host-gw' | 'vxlan' | 'none';
  /** The machine's network namespace (its engine's); absent: podnet's own. */
  netns?: string;
  /**
   * Not a node: a host on the nodes' LAN that runs no pods (the control-plane host of `up
   * --machines`, whose apiserver proxy, ingress and probes reach pods), keeping here a route
   * to every node's podCIDR via its InternalIP, and nothing else.
   */
  routesOnly?: boolean;
  log: Logger;
  /** Repairs what changed under us (a restarted engine's rules, a route removed by hand). */
  resyncMs?: number;
}

export class PodNetwork {
  private readonly informer: Informer<Node>;
  private readonly machine: NetnsShell;
  private readonly host = new NetnsShell();
  private timer: NodeJS.Timeout | undefined;
  private resync: NodeJS.Timeout | undefined;
  private running: Promise<void> = Promise.resolve();
  private stopped = false;
  /** Completed syncs (tests, logs). */
  syncs = 0;

  constructor(private readonly o: PodNetworkOptions) {
    this.machine = new NetnsShell(o.netns);
    // Short relist back-off: at `up` podnet starts with the apiserver, and pods wait for its routes.
    this.informer = new Informer<Node>(o.client, { resource: 'nodes', logger: o.log, maxBackoffMs: 2000 });
    const changed = () => this.schedule();
    this.informer.addEventHandler({ onAdd: changed, onUpdate: changed, onDelete: changed });
  }

  start(): void {
    this.informer.start();
    void this.informer.waitForSync().then(() => this.schedule());
    this.resync = setInterval(() => this.schedule(), this.o.resyncMs ?? 10_000);
  }

  private schedule(): void {
    if (this.stopped || this.timer) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.running = this.running.then(() => this.sync()).catch((e) => this.o.log.warn({ reason: 'RouteSyncFailed', err: (e as Error).message }, 'pod network sync failed; retrying'));
    }, 50);
  }

  private async sync(): Promise<void> {
    if (this.stopped || !this.informer.hasSynced()) return;
    if (this.o.routesOnly) {
      await this.apply(this.host, desiredRoutes(this.informer.list(), ''));
      this.syncs++;
      return;
    }
    const self = this.informer.getByName('', this.o.nodeName);
    const cidr = self && podCidrOf(self);
    const ip = self && internalIPOf(self);
    if (cidr) {
      if (await this.machine.ensureNoMasquerade(cidr, this.o.clusterCidr)) this.o.log.info({ reason: 'NoMasqueradeRule', podCIDR: cidr }, 'pod traffic to the cluster range keeps its address');
      // A range an earlier node holds is routed to that node on the host, not here (nodeipam has said so on our Node).
      const held = podCidrConflicts(this.informer.list()).has(this.o.nodeName);
      if (this.o.netns && ip && !held) await this.apply(this.host, [{ dst: cidr, via: ip }], (r) => r.dst === cidr);
    }
    if (this.o.routes === 'host-gw') await this.apply(this.machine, desiredRoutes(this.informer.list(), this.o.nodeName));
    if (this.o.routes === 'vxlan' && cidr && ip) {
      if (await this.machine.ensureVxlan(cidr, ip)) this.o.log.info({ object: this.o.nodeName, reason: 'VxlanDevice', device: VXLAN_DEVICE }, 'VXLAN device made');
      const peers = vxlanPeers(this.informer.list(), this.o.nodeName);
      for (const p of peers) await this.machine.ensureVxlanPeer(p);
      await this.apply(this.machine, peers.map((p) => ({ dst: p.dst, via: p.vtep, dev: VXLAN_DEVICE })));
    }
    this.syncs++;
  }

  /** Makes `shell`'s routes of our protocol match `want` (only those `mine` selects, where the table is shared). */
  private async apply(shell: NetnsShell, want: Route[], mine: (r: Route) => boolean = () => true): Promise<void> {
    const current = (await shell.ownRoutes()).filter(mine);
    const { replace, remove } = routeChanges(current, want);
    for (const r of replace) {
      await shell.replaceRoute(r);
      this.o.log.info({ object: this.o.nodeName, reason: 'RouteAdded', dst: r.dst, via: r.via, netns: shell.netns ?? 'own' }, 'route to a node\'s pods');
    }
    for (const r of remove) {
      await shell.removeRoute(r);
      this.o.log.info({ object: this.o.nodeName, reason: 'RouteRemoved', dst: r.dst, via: r.via, netns: shell.netns ?? 'own' }, 'route to a node that is gone');
    }
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    if (this.resync) clearInterval(this.resync);
    await this.informer.stop();
    await this.running;
  }
}
