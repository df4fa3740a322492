// ClusterIPs, NodePorts and LoadBalancer addresses of Services, as registry hooks.
// Everything handed out is a key in etcd created only if absent, so it survives an
// apiserver restart and two apiservers never hand out one item. Releases of items an
// update dropped, and leftovers of requests that failed after the hook, are checked
// against the stored Service a moment later (and by a periodic repair pass), because the
// hooks run before the write commits.
import { applyDefaults, fieldErrors, intToIpv4, invalid, ipv4ToInt, needsNodePorts, validate, type FieldError, type KubeObject } from '@k8ts/api';
import { RangeAllocator, type AllocateError } from './range-allocator.js';
import type { RangeStore } from './range-store.js';
import { parseCidr, parsePortRange, cidrContains, type Cidr } from './cidr.js';

export const SERVICE_IP_PREFIX = '/registry/ranges/serviceips/';
export const NODE_PORT_PREFIX = '/registry/ranges/servicenodeports/';
export const LB_IP_PREFIX = '/registry/ranges/loadbalancerips/';

export interface ServiceAllocatorOptions {
  serviceClusterIpRange?: string;
  nodePortRange?: string;
  loadBalancerPool?: string;
}

export type ItemKind = 'clusterIP' | 'nodePort' | 'loadBalancerIP';

/** What a Service holds, as strings per allocator. */
export interface Held {
  clusterIP?: string;
  nodePorts: string[];
  loadBalancerIP?: string;
}

export function ownerOf(svc: KubeObject): string {
  return `${svc.metadata.namespace || 'default'}/${svc.metadata.name ?? ''}`;
}

export function heldBy(svc: KubeObject | undefined): Held {
  const spec = svc?.spec ?? {};
  const held: Held = { nodePorts: [] };
  if (!svc || spec.type === 'ExternalName') return held;
  if (spec.clusterIP && spec.clusterIP !== 'None') held.clusterIP = spec.clusterIP;
  if (needsNodePorts(spec.type)) {
    for (const p of Array.isArray(spec.ports) ? spec.ports : []) if (p?.nodePort) held.nodePorts.push(String(p.nodePort));
  }
  if (spec.type === 'LoadBalancer') {
    const ip = svc.status?.loadBalancer?.ingress?.[0]?.ip ?? spec.loadBalancerIP;
    if (ip) held.loadBalancerIP = ip;
  }
  return held;
}

/** Defaults and validates the Service again once a hook filled in what it kept (the registry did so before). */
function checkService(svc: KubeObject, old: KubeObject | undefined): void {
  applyDefaults('services', svc);
  const errs = validate('services', svc, old, { skipObjectSize: true });
  if (errs.length) throw invalid('Service', svc.metadata.name ?? '', errs);
}

export class ServiceAllocators {
  readonly serviceRange: Cidr;
  readonly lbPool: Cidr;
  readonly portRange: { first: number; last: number; text: string };
  readonly ips: RangeAllocator;
  readonly ports: RangeAllocator;
  readonly lbIps: RangeAllocator;

  constructor(
    readonly store: RangeStore,
    opts: ServiceAllocatorOptions = {},
  ) {
    this.serviceRange = parseCidr(opts.serviceClusterIpRange ?? '10.96.0.0/16');
    this.lbPool = parseCidr(opts.loadBalancerPool ?? '10.214.0.0/24');
    this.portRange = parsePortRange(opts.nodePortRange ?? '30000-32767');
    const ipOpts = (c: Cidr, prefix: string, reserveFirst: boolean) => ({
      prefix,
      first: c.base + 1,
      last: c.base + c.size - 2,
      // .1 of the service range is the `kubernetes` Service's, given only when asked for.
      reservedDynamic: reserveFirst ? new Set([c.base + 1]) : undefined,
      format: intToIpv4,
      parse: ipv4ToInt,
    });
    this.ips = new RangeAllocator(store, ipOpts(this.serviceRange, SERVICE_IP_PREFIX, true));
    this.lbIps = new RangeAllocator(store, ipOpts(this.lbPool, LB_IP_PREFIX, false));
    this.ports = new RangeAllocator(store, {
      prefix: NODE_PORT_PREFIX,
      first: this.portRange.first,
      last: this.portRange.last,
      format: String,
      parse: (s) => (/^\d+$/.test(s) ? Number(s) : undefined),
    });
  }

  /**
   * An external IP inside the cluster's own Service range or load-balancer pool would let a
   * Service capture traffic meant for another Service's address.
   */
  private checkExternalIPs(svc: KubeObject): void {
    const errs: FieldError[] = [];
    (svc.spec?.externalIPs ?? []).forEach((ip: string, i: number) => {
      for (const [range, what] of [[this.serviceRange, 'service cluster IP range'], [this.lbPool, 'load-balancer IP pool']] as const)
        if (cidrContains(range, ip)) errs.push(fieldErrors.invalid(`spec.externalIPs[${i}]`, ip, `may not be in the ${what} (${range.text})`));
    });
    if (errs.length) throw invalid('Service', svc.metadata.name ?? '', errs);
  }

  allocatorOf(kind: ItemKind): RangeAllocator {
    return kind === 'clusterIP' ? this.ips : kind === 'nodePort' ? this.ports : this.lbIps;
  }

  /** beforeCreate: defaults, validates (as @k8ts/api does) and allocates; on failure frees what it took. */
  async onCreate(svc: KubeObject): Promise<void> {
    checkService(svc, undefined);
    this.checkExternalIPs(svc);
    await this.allocate(svc, undefined);
  }

  /** beforeUpdate: keeps what the old object held when the new one leaves it out. */
  async onUpdate(svc: KubeObject, old: KubeObject): Promise<void> {
    const spec = (svc.spec ??= {});
    const oldSpec = old.spec ?? {};
    spec.type ??= oldSpec.type ?? 'ClusterIP';
    // Like Kubernetes' patchAllocatedValues: an update that omits allocated values keeps them.
    if (spec.type !== 'ExternalName' && oldSpec.type !== 'ExternalName') {
      if (!spec.clusterIP && !spec.clusterIPs && oldSpec.clusterIP) {
        spec.clusterIP = oldSpec.clusterIP;
        spec.clusterIPs = oldSpec.clusterIPs ?? [oldSpec.clusterIP];
      }
    }
    if (needsNodePorts(spec.type) && needsNodePorts(oldSpec.type)) {
      for (const p of spec.ports ?? []) {
        if (!p || p.nodePort) continue;
        const was = (oldSpec.ports ?? []).find((o: any) => o?.port === p.port && (o.protocol ?? 'TCP') === (p.protocol ?? 'TCP'));
        if (was?.nodePort) p.nodePort = was.nodePort;
      }
    }
    checkService(svc, old);
    this.checkExternalIPs(svc);
    await this.allocate(svc, old);
  }

  /** afterDelete: frees everything the Service held. */
  async onDelete(svc: KubeObject): Promise<void> {
    const owner = ownerOf(svc);
    const held = heldBy(svc);
    if (held.clusterIP) await this.ips.release(held.clusterIP, owner);
    for (const p of held.nodePorts) await this.ports.release(p, owner);
    if (held.loadBalancerIP) await this.lbIps.release(held.loadBalancerIP, owner);
  }

  /** Items that the last update dropped or that a failed write left, to check later. */
  readonly pending: Array<{ kind: ItemKind; item: string; owner: string }> = [];

  private async allocate(svc: KubeObject, old: KubeObject | undefined): Promise<void> {
    const owner = ownerOf(svc);
    const spec = svc.spec;
    const before = heldBy(old);
    const taken: Array<{ kind: ItemKind; item: string }> = [];
    const errs: FieldError[] = [];
    const take = async (kind: ItemKind, item: string | undefined, field: string, value: (item: string) => unknown): Promise<string | undefined> => {
      const alloc = this.allocatorOf(kind);
      if (item) {
        const err = await alloc.allocateSpecific(item, owner);
        if (err) {
          errs.push(fieldErrors.invalid(field, value(item), this.describe(kind, item, err)));
          return undefined;
        }
        taken.push({ kind, item });
        return item;
      }
      const next = await alloc.allocateNext(owner);
      if (!next) {
        errs.push(fieldErrors.invalid(field, value(''), this.describe(kind, '', 'full')));
        return undefined;
      }
      taken.push({ kind, item: next });
      return next;
    };

    if (spec.type !== 'ExternalName' && spec.clusterIP !== 'None') {
      if (!(spec.clusterIP && spec.clusterIP === before.clusterIP)) {
        const ip = await take('clusterIP', spec.clusterIP || undefined, 'spec.clusterIPs', (i) => [i]);
        if (ip) {
          spec.clusterIP = ip;
          spec.clusterIPs = [ip];
        }
      }
    } else if (spec.type === 'ExternalName') {
      delete spec.clusterIP;
      delete spec.clusterIPs;
    } else {
      spec.clusterIPs = ['None'];
    }

    if (needsNodePorts(spec.type)) {
      const ports: any[] = spec.ports ?? [];
      for (let i = 0; i < ports.length; i++) {
        const p = ports[i];
        const want = p.nodePort ? String(p.nodePort) : undefined;
        if (want && before.nodePorts.includes(want)) continue;
        // Kubernetes gives TCP and UDP ports of the same number one node port.
        const twin = ports.slice(0, i).find((q) => q.port === p.port && q.protocol !== p.protocol && q.nodePort);
        if (!want && twin) {
          p.nodePort = twin.nodePort;
          continue;
        }
        const got = await take('nodePort', want, `spec.ports[${i}].nodePort`, (n) => Number(n));
        if (got) p.nodePort = Number(got);
      }
    } else {
      for (const p of spec.ports ?? []) if (p && typeof p === 'object') delete p.nodePort;
    }

    let lbIP: string | undefined;
    if (spec.type === 'LoadBalancer') {
      const want = spec.loadBalancerIP || before.loadBalancerIP;
      lbIP = want && want === before.loadBalancerIP ? want : await take('loadBalancerIP', want, 'spec.loadBalancerIP', (i) => i);
    }

    if (errs.length) {
      for (const t of taken) await this.allocatorOf(t.kind).release(t.item, owner);
      throw invalid('Service', svc.metadata.name ?? '', errs);
    }
    svc.status ??= {};
    if (lbIP) svc.status.loadBalancer = { ingress: [{ ip: lbIP, ipMode: 'VIP' }] };
    else if (spec.type !== 'LoadBalancer' && svc.status.loadBalancer?.ingress) svc.status.loadBalancer = {};

    this.checkLater(owner, taken, before, heldBy(svc));
  }

  /** Check later that the write committed (new items) and free what the update dropped. */
  private checkLater(owner: string, taken: Array<{ kind: ItemKind; item: string }>, before: ReturnType<typeof heldBy>, after: ReturnType<typeof heldBy>): void {
    for (const t of taken) this.pending.push({ kind: t.kind, item: t.item, owner });
    if (before.clusterIP && before.clusterIP !== after.clusterIP) this.pending.push({ kind: 'clusterIP', item: before.clusterIP, owner });
    for (const p of before.nodePorts) if (!after.nodePorts.includes(p)) this.pending.push({ kind: 'nodePort', item: p, owner });
    if (before.loadBalancerIP && before.loadBalancerIP !== after.loadBalancerIP) this.pending.push({ kind: 'loadBalancerIP', item: before.loadBalancerIP, owner });
  }

  private describe(kind: ItemKind, item: string, err: AllocateError | 'full'): string {
    if (kind === 'nodePort') {
      if (err === 'allocated') return 'provided port is already allocated';
      if (err === 'out-of-range') return `provided port is not in the valid range. The range of valid ports is ${this.portRange.text}`;
      return 'range is full';
    }
    const range = kind === 'clusterIP' ? this.serviceRange.text : this.lbPool.text;
    const what = kind === 'clusterIP' ? 'failed to allocate IP' : 'failed to allocate load balancer IP';
    if (err === 'allocated') return `${what} ${item}: provided IP is already allocated`;
    if (err === 'out-of-range') return `${what} ${item}: the provided IP (${item}) is not in the valid range. The range of valid IPs is ${range}`;
    return `${what}: range is full`;
  }

  /**
   * Frees items whose owner Service, as stored now, does not hold them. `items`: only those
   * (after an update), or every allocation older than `graceMs` (the repair pass).
   */
  async repair(getService: (ns: string, name: string) => Promise<KubeObject | undefined>, items?: Array<{ kind: ItemKind; item: string; owner: string }>, graceMs = 30_000): Promise<number> {
    let freed = 0;
    let todo = items;
    if (!todo) {
      todo = [];
      const now = Date.now();
      for (const kind of ['clusterIP', 'nodePort', 'loadBalancerIP'] as ItemKind[]) {
        for (const [item, a] of await this.allocatorOf(kind).list()) {
          const at = Date.parse(a.allocatedAt);
          if (Number.isFinite(at) && now - at < graceMs) continue;
          todo.push({ kind, item, owner: a.owner });
        }
      }
    }
    for (const t of todo) {
      const slash = t.owner.indexOf('/');
      let held: Held;
      try {
        held = heldBy(await getService(t.owner.slice(0, slash), t.owner.slice(slash + 1)));
      } catch {
        // An owner that cannot be read (undecodable, fields of the wrong types) keeps what it
        // may hold; the rest of the pass goes on.
        continue;
      }
      const holds = t.kind === 'clusterIP' ? held.clusterIP === t.item : t.kind === 'nodePort' ? held.nodePorts.includes(t.item) : held.loadBalancerIP === t.item;
      if (holds) continue;
      await this.allocatorOf(t.kind).release(t.item, t.owner);
      freed++;
    }
    return freed;
  }
}
