// IPv4 CIDR arithmetic for the Service address ranges. Addresses are handled as unsigned
// 32-bit numbers so a range is just [base, base + size) (@k8ts/api's net/ipv4).
import { ipv4CidrText, ipv4ToInt, parseIpv4Cidr } from '@k8ts/api';

export interface Cidr {
  text: string;
  base: number;
  prefix: number;
  size: number;
}


export function parseCidr(text: string): Cidr {
  const c = parseIpv4Cidr(text);
  if (!c || c.prefix < 8 || c.prefix > 30) throw new Error(`invalid IPv4 CIDR ${JSON.stringify(text)} (prefix length 8..30 expected)`);
  return { text: ipv4CidrText(c), ...c };
}

export function cidrContains(c: Cidr, ip: string): boolean {
  const n = ipv4ToInt(ip);
  return n !== undefined && n >= c.base && n < c.base + c.size;
}

/** "30000-32767" → [30000, 32767]. */
export function parsePortRange(text: string): { first: number; last: number; text: string } {
  const m = /^(\d+)-(\d+)$/.exec(text.trim());
  const first = m ? Number(m[1]) : NaN;
  const last = m ? Number(m[2]) : NaN;
  if (!m || first < 1 || last > 65535 || first > last) throw new Error(`invalid port range ${JSON.stringify(text)}`);
  return { first, last, text: `${first}-${last}` };
}
