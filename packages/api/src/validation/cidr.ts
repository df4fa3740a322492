// apimachinery's IsValidCIDR (Go's net.ParseCIDR): an IPv4 or IPv6 address, a slash and a
// prefix length within the family's bits. Host bits may be set, as Go allows.
import { isIP } from 'node:net';

/** 4 or 6 for a valid CIDR of that family, 0 otherwise. */
export function cidrFamily(v: unknown): 0 | 4 | 6 {
  if (typeof v !== 'string') return 0;
  const slash = v.indexOf('/');
  if (slash < 0) return 0;
  const family = isIP(v.slice(0, slash));
  const prefix = v.slice(slash + 1);
  if (family === 0 || !/^\d{1,3}$/.test(prefix) || Number(prefix) > (family === 4 ? 32 : 128)) return 0;
  return family as 4 | 6;
}

export const INVALID_CIDR = 'must be a valid CIDR value, (e.g. 10.9.8.0/24 or 2001:db8::/64)';
