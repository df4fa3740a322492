// kube-controller-manager's cidrset: the cluster CIDR cut into node-sized subnets, one bit
// each, handed out round-robin from where the last allocation ended (so a released range is
// not reused at once). IPv4 only: k8ts's pod networks are IPv4.
import { intToIpv4, ipv4CidrText, ipv4CidrsOverlap, parseIpv4Cidr as parseCidr, type Ipv4Cidr } from '@k8ts/api';

export const ErrCIDRRangeNoCIDRsRemaining = 'CIDR allocation failed; there are no remaining CIDRs left to allocate in the accepted range';
export const ErrCIDRSetSubNetTooBig = 'New CIDR set failed; the node CIDR size is too big';
/** Upstream's clusterSubnetMaxDiff: at most 2^16 node ranges per cluster CIDR. */
const CLUSTER_SUBNET_MAX_DIFF = 16;

/** parseIpv4Cidr that throws, worded as upstream's cidrset. */
export function parseIpv4Cidr(text: string): Ipv4Cidr {
  const c = parseCidr(text);
  if (!c) throw new Error(`invalid CIDR address: ${text}`);
  return c;
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
    return `${intToIpv4(this.cluster.base + i * 2 ** (32 - this.nodeMaskSize))}/${this.nodeMaskSize}`;
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
    if (!ipv4CidrsOverlap(c, this.cluster)) throw new Error(`cidr ${ipv4CidrText(c)} is out the range of cluster cidr ${ipv4CidrText(this.cluster)}`);
    const step = 2 ** (32 - this.nodeMaskSize);
    const first = Math.max(c.base, this.cluster.base);
    const last = Math.min(c.base + c.size, this.cluster.base + this.cluster.size) - 1;
    return [Math.floor((first - this.cluster.base) / step), Math.floor((last - this.cluster.base) / step)];
  }
}
