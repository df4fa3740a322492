// IPv4 CIDR arithmetic for the Service address ranges. Addresses are handled as unsigned
// 32-bit numbers so a range is just [base, base + size).

export interface Cidr {
  text: string;
  base: number;
  prefix: number;
  size: number;
}

export function ipToInt(ip: string): number | undefined {
  const parts = ip.split('.');
  if (parts.length !== 4) return undefined;
  let n = 0;
  for (const p of parts) {
    if (!/^(0|[1-9][0-9]{0,2})$/.test(p)) return undefined;
    const v = Number(p);
    if (v > 255) return undefined;
    n = n * 256 + v;
  }
  return n;
}

export function intToIp(n: number): string {
  return [n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255].join('.');
}

export function parseCidr(text: string): Cidr {
  const [ip, bits] = text.split('/');
  const base = ipToInt(ip ?? '');
  const prefix = Number(bits);
  if (base === undefined || !Number.isInteger(prefix) || prefix < 8 || prefix > 30) {
    throw new Error(`invalid IPv4 CIDR ${JSON.stringify(text)} (prefix length 8..30 expected)`);
  }
  const size = 2 ** (32 - prefix);
  const masked = base - (base % size);
  return { text: `${intToIp(masked)}/${prefix}`, base: masked, prefix, size };
}

export function cidrContains(c: Cidr, ip: string): boolean {
  const n = ipToInt(ip);
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
