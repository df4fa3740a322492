// Names outside the cluster go to the host's resolver (the nameservers of
// /etc/resolv.conf, or --upstream), relayed as raw packets over UDP or TCP.
import dgram from 'node:dgram';
import net from 'node:net';
import { readFileSync } from 'node:fs';

export interface Upstream {
  host: string;
  port: number;
}

export function parseHostPort(s: string, defaultPort: number): Upstream {
  const m = /^\[?([^\]]+?)\]?(?::(\d+))?$/.exec(s.trim());
  if (!m) throw new Error(`bad address ${JSON.stringify(s)}`);
  return { host: m[1]!, port: m[2] ? Number(m[2]) : defaultPort };
}

/** IPv4 nameservers of a resolv.conf, in order. */
export function resolvConfNameservers(path = '/etc/resolv.conf'): Upstream[] {
  let text = '';
  try {
    text = readFileSync(path, 'utf8');
  } catch {
    return [];
  }
  const out: Upstream[] = [];
  for (const line of text.split('\n')) {
    const m = /^\s*nameserver\s+(\d+\.\d+\.\d+\.\d+)\s*$/.exec(line);
    if (m) out.push({ host: m[1]!, port: 53 });
  }
  return out;
}

export function forwardUdp(up: Upstream, query: Buffer, timeoutMs: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const sock = dgram.createSocket('udp4');
    const id = query.readUInt16BE(0);
    const timer = setTimeout(() => finish(new Error(`upstream ${up.host}:${up.port} timed out`)), timeoutMs);
    const finish = (err?: Error, msg?: Buffer) => {
      clearTimeout(timer);
      sock.close();
      if (err) reject(err);
      else resolve(msg!);
    };
    sock.on('error', (e) => finish(e));
    sock.on('message', (msg, rinfo) => {
      // Only the answer to this query from the server asked (no spoofed replies).
      if (rinfo.address !== up.host || rinfo.port !== up.port || msg.length < 12 || msg.readUInt16BE(0) !== id) return;
      finish(undefined, msg);
    });
    sock.send(query, up.port, up.host, (e) => e && finish(e));
  });
}

export function forwardTcp(up: Upstream, query: Buffer, timeoutMs: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const sock = net.connect({ host: up.host, port: up.port });
    let buf = Buffer.alloc(0);
    const timer = setTimeout(() => finish(new Error(`upstream ${up.host}:${up.port} timed out`)), timeoutMs);
    const finish = (err?: Error, msg?: Buffer) => {
      clearTimeout(timer);
      sock.destroy();
      if (err) reject(err);
      else resolve(msg!);
    };
    sock.on('error', (e) => finish(e));
    sock.on('connect', () => {
      const len = Buffer.alloc(2);
      len.writeUInt16BE(query.length);
      sock.write(Buffer.concat([len, query]));
    });
    sock.on('data', (d) => {
      buf = Buffer.concat([buf, d]);
      if (buf.length >= 2 && buf.length >= 2 + buf.readUInt16BE(0)) finish(undefined, buf.subarray(2, 2 + buf.readUInt16BE(0)));
    });
    sock.on('end', () => finish(new Error('upstream closed the connection')));
  });
}

/** Tries each upstream in turn; throws when none answers. */
export async function forward(upstreams: Upstream[], query: Buffer, tcp: boolean, timeoutMs = 2000): Promise<Buffer> {
  let last: unknown = new Error('no upstream nameserver');
  for (const up of upstreams) {
    try {
      return await (tcp ? forwardTcp(up, query, timeoutMs) : forwardUdp(up, query, timeoutMs));
    } catch (e) {
      last = e;
    }
  }
  throw last;
}
