// IPv4 addresses as unsigned 32-bit numbers and CIDRs as [base, base + size): the arithmetic
// the apiserver's Service allocators, nodeipam and the agent's pod bridge share. Each caller
// bounds the prefix it accepts and words its own error.

/** "10.0.0.1" → its number; undefined for anything else (no leading zeros, each octet ≤ 255). */
export function ipv4ToInt(ip: string): number | undefined {
  const parts = ip.split('.');
  if (parts.length !== 4) return undefined;
  let n = 0;
  for (const p of parts) {
    if (!/^(0|[1-9][0-9]{0,2})$/.test(p) || Number(p) > 255) return undefined;
    n = n * 256 + Number(p);
  }
  return n;
}

export function intToIpv4(n: number): string {
  return [n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255].join('.');
}

export interface Ipv4Cidr {
  /** The first address, host bits cleared. */
  base: number;
  prefix: number;
  /** How many addresses: 2^(32 − prefix). */
  size: number;
}

/** "10.0.1.7/16" → 10.0.0.0/16 (masked, as Go's net.ParseCIDR); undefined for anything else. */
export function parseIpv4Cidr(text: string): Ipv4Cidr | undefined {
  const m = /^([0-9.]+)\/(\d{1,2})$/.exec(text);
  const ip = m ? ipv4ToInt(m[1]!) : undefined;
  const prefix = m ? Number(m[2]) : NaN;
  if (ip === undefined || !(prefix >= 0 && prefix <= 32)) return undefined;
  const size = 2 ** (32 - prefix);
  return { base: ip - (ip % size), prefix, size };
}

export const ipv4CidrText = (c: Ipv4Cidr): string => `${intToIpv4(c.base)}/${c.prefix}`;

/** Whether two ranges share an address (for CIDRs: one contains the other). */
export function ipv4CidrsOverlap(a: Ipv4Cidr, b: Ipv4Cidr): boolean {
  return a.base < b.base + b.size && b.base < a.base + a.size;
}
