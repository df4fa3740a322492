// kube-controller-manager's cidrset: the cluster CIDR cut into node-sized subnets, one bit
// each, handed out round-robin from where the last allocation ended (so a released range is
// not reused at once). IPv4 only: k8ts's pod networks are IPv4.

export const ErrCIDRRangeNoCIDRsRemaining = 'CIDR allocation failed; there are no remaining CIDRs left to allocate in the accepted range';
export const ErrCIDRSetSubNetTooBig = 'New CIDR set failed; the node CIDR size is too big';
/** Upstream's clusterSubnetMaxDiff: at most 2^16 node ranges per cluster CIDR. */
const CLUSTER_SUBNET_MAX_DIFF = 16;

export interface Ipv4Cidr {
  base: number;
  prefix: number;
}

function ipToInt(ip: string): number | undefined {
  const parts = ip.split('.');
  if (parts.length !== 4) return undefined;
  let n = 0;
  for (const p of parts) {
    if (!/^(0|[1-9][0-9]{0,2})$/.test(p) || Number(p) > 255) return undefined;
    n = n * 256 + Number(p);
  }
  return n;
}

export function intToIp(n: number): string {
  return [n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255].join('.');
}

/** "10.0.1.7/16" → 10.0.0.0/16 (masked, as Go's net.ParseCIDR); throws on anything else. */
export function parseIpv4Cidr(text: string): Ipv4Cidr {
  const m = /^([0-9.]+)\/(\d{1,2})$/.exec(text);
  const ip = m ? ipToInt(m[1]!) : undefined;
  const prefix = m ? Number(m[2]) : NaN;
  if (ip === undefined || !(prefix >= 0 && prefix <= 32)) throw new Error(`invalid CIDR address: ${text}`);
  const size = 2 ** (32 - prefix);
  return { base: ip - (ip % size), prefix };
}

export const cidrText = (c: Ipv4Cidr): string => `${intToIp(c.base)}/${c.prefix}`;
const sizeOf = (c: Ipv4Cidr): number => 2 ** (32 - c.prefix);

/** Whether two ranges share an address (one contains the other, for CIDRs). */
export function cidrsOverlap(a: Ipv4Cidr, b: Ipv4Cidr): boolean {
  return a.base < b.base + sizeOf(b) && b.base < a.base + sizeOf(a);
}

export class CidrSet {
  readonly cluster: Ipv4Cidr;
  private readonly used: Uint8Array;
  private readonly count: number;
  private nextCandidate = 0;
  private allocated = 0;

  constructor(clusterCidr: string, readonly nodeMaskSize: number) {
    this.cluster = parseIpv4Cidr(clusterCidr);
    if (!Number.isInteger(nodeMaskSize) || nodeMaskSize > 32 || nodeMaskSize < this.cluster.prefix) throw new Error(`--node-cidr-mask-size ${nodeMaskSize} must be between the --cluster-cidr mask (${this.cluster.prefix}) and 32`);
    if (nodeMaskSize - this.cluster.prefix > CLUSTER_SUBNET_MAX_DIFF) throw new Error(ErrCIDRSetSubNetTooBig);
    this.count = 2 ** (nodeMaskSize - this.cluster.prefix);
    this.used = new Uint8Array(this.count);
  }

  get size(): number {
    return this.count;
  }

  get allocatedCount(): number {
    return this.allocated;
  }

  private subnet(i: number): string {
    return `${intToIp(this.cluster.base + i * 2 ** (32 - this.nodeMaskSize))}/${this.nodeMaskSize}`;
  }

  allocateNext(): string {
    if (this.allocated === this.count) throw new Error(ErrCIDRRangeNoCIDRsRemaining);
    for (let k = 0; k < this.count; k++) {
      const i = (this.nextCandidate + k) % this.count;
      if (this.used[i]) continue;
      this.mark(i, true);
      this.nextCandidate = (i + 1) % this.count;
      return this.subnet(i);
    }
    throw new Error(ErrCIDRRangeNoCIDRsRemaining);
  }

  /** Marks every node range `cidr` covers as used (a range may be taken twice: upstream does not refuse that). */
  occupy(cidr: string): void {
    const [begin, end] = this.indices(cidr);
    for (let i = begin; i <= end; i++) this.mark(i, true);
  }

  release(cidr: string): void {
    const [begin, end] = this.indices(cidr);
    for (let i = begin; i <= end; i++) this.mark(i, false);
  }

  private mark(i: number, on: boolean): void {
    if (!!this.used[i] === on) return;
    this.used[i] = on ? 1 : 0;
    this.allocated += on ? 1 : -1;
  }

  /** The first and last node range a CIDR covers, clipped to the cluster range. */
  private indices(text: string): [number, number] {
    const c = parseIpv4Cidr(text);
    if (!cidrsOverlap(c, this.cluster)) throw new Error(`cidr ${cidrText(c)} is out the range of cluster cidr ${cidrText(this.cluster)}`);
    const step = 2 ** (32 - this.nodeMaskSize);
    const first = Math.max(c.base, this.cluster.base);
    const last = Math.min(c.base + sizeOf(c), this.cluster.base + sizeOf(this.cluster)) - 1;
    return [Math.floor((first - this.cluster.base) / step), Math.floor((last - this.cluster.base) / step)];
  }
}
