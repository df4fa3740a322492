// Where a request came from, as the event's sourceIPs and auditID: k8s.io/apimachinery's
// utilnet.SourceIPs (the X-Forwarded-For chain, then X-Real-Ip when not in it, then the
// connection's address unless it ends the chain already; the headers are the client's word,
// only the last address is the connection's), and the Audit-ID a client may send (kept when
// it is a plain token, so it can be echoed in a header).
import { randomUUID } from 'node:crypto';
import { isIP } from 'node:net';

/** An address as Go prints a net.IP: IPv4-mapped IPv6 (how Node reports IPv4 on a dual-stack socket) as IPv4. */
export function normalizeIp(ip: string): string {
  return ip.startsWith('::ffff:') && isIP(ip.slice(7)) === 4 ? ip.slice(7) : ip;
}

function parseIp(s: string): string | undefined {
  const t = s.trim();
  return isIP(t) ? normalizeIp(t) : undefined;
}

// Without forwarding headers the list is the connection's address alone: one list per address
// (node's isIP is a long regular expression for an IPv4-mapped address), shared by its requests.
const NONE: readonly string[] = [];

/** One address → its IP as a list of one (none when it parses to none), remembered for the next request (at most 4096). */
export function memoizedIpList(parse: (address: string) => string | undefined): (address: string) => readonly string[] {
  const seen = new Map<string, readonly string[]>();
  return (address) => {
    let ips = seen.get(address);
    if (!ips) {
      const ip = parse(address);
      ips = ip ? [ip] : NONE;
      if (seen.size >= 4096) seen.clear();
      seen.set(address, ips);
    }
    return ips;
  };
}
const remoteOnly = memoizedIpList(parseIp);

export function sourceIPs(forwardedFor: string | undefined, realIp: string | undefined, remoteAddress: string | undefined): readonly string[] {
  if (!forwardedFor && !realIp) {
    return remoteAddress ? remoteOnly(remoteAddress) : NONE;
  }
  const ips: string[] = [];
  if (forwardedFor) {
    for (const part of forwardedFor.split(',')) {
      const ip = parseIp(part);
      if (ip) ips.push(ip);
    }
  }
  if (realIp) {
    const ip = parseIp(realIp);
    if (ip && !ips.includes(ip)) ips.push(ip);
  }
  const remote = remoteAddress ? parseIp(remoteAddress) : undefined;
  if (remote && ips[ips.length - 1] !== remote) ips.push(remote);
  return ips;
}

/** The address of a grpc-js peer string: `ipv4:1.2.3.4:5`, `1.2.3.4:5`, `[::1]:5`, `ipv6:[::1]:5`. */
export function grpcPeerIp(peer: string | undefined): string | undefined {
  if (!peer) return undefined;
  const p = peer.replace(/^ipv[46]:/, '');
  const bracketed = /^\[([^\]]+)\]/.exec(p);
  if (bracketed) return parseIp(bracketed[1]!);
  const i = p.lastIndexOf(':');
  return parseIp(i > 0 && p.indexOf(':') === i ? p.slice(0, i) : p);
}

const CLIENT_AUDIT_ID = /^[\x21-\x7e]{1,128}$/;

/** The client's Audit-ID header when it is a plain token (kube-apiserver keeps what the client sent), else a new UUID. */
export function auditIdFor(sent: string | string[] | undefined): string {
  const v = Array.isArray(sent) ? sent[0] : sent;
  return v && CLIENT_AUDIT_ID.test(v) ? v : randomUUID();
}
