// The DNS server: UDP and TCP on one address. Every packet is decoded with dns-packet;
// one that does not decode is dropped (UDP) or ends its connection (TCP) and harms nothing.
import dgram from 'node:dgram';
import net from 'node:net';
import dnsPacket, { type Packet, type Answer } from 'dns-packet';
import { Counter, Histogram, type Registry } from 'prom-client';
import type { Logger } from '@k8ts/client';
import { answer } from './answer.js';
import type { ZoneIndex } from './records.js';
import { forward, type Upstream } from './upstream.js';

const RCODE = { NOERROR: 0, FORMERR: 1, SERVFAIL: 2, NXDOMAIN: 3, NOTIMP: 4, REFUSED: 5 } as const;
type Rcode = keyof typeof RCODE;

export interface DnsServerOptions {
  host: string;
  port: number;
  zone: string;
  index: () => ZoneIndex;
  upstreams: Upstream[];
  log: Logger;
  metrics: Registry;
  forwardTimeoutMs?: number;
}

export class DnsServer {
  private udp?: dgram.Socket;
  private tcp?: net.Server;
  private readonly conns = new Set<net.Socket>();
  readonly queries: Counter;
  readonly malformed: Counter;
  readonly latency: Histogram;
  port = 0;

  constructor(private readonly o: DnsServerOptions) {
    this.queries = new Counter({ name: 'k8ts_dns_queries_total', help: 'Queries answered, by type and rcode', labelNames: ['type', 'rcode', 'proto'], registers: [o.metrics] });
    this.malformed = new Counter({ name: 'k8ts_dns_malformed_total', help: 'Packets dropped because they did not decode', registers: [o.metrics] });
    this.latency = new Histogram({
      name: 'k8ts_dns_request_duration_seconds',
      help: 'Time to answer a query, by source (cluster zone or forwarded)',
      labelNames: ['source'],
      buckets: [0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.05, 0.1, 0.5, 2],
      registers: [o.metrics],
    });
  }

  async start(): Promise<void> {
    const udp = dgram.createSocket('udp4');
    this.udp = udp;
    udp.on('message', (msg, rinfo) => {
      void this.handle(msg, false).then((res) => {
        if (res) udp.send(res, rinfo.port, rinfo.address);
      });
    });
    await new Promise<void>((resolve, reject) => {
      udp.once('error', reject);
      udp.bind(this.o.port, this.o.host, () => {
        udp.off('error', reject);
        resolve();
      });
    });
    udp.on('error', (e) => this.o.log.error({ err: String(e) }, 'udp socket error'));
    this.port = udp.address().port;
    // TCP on the same port number UDP got (a random one in tests).
    this.tcp = net.createServer((sock) => this.serveTcp(sock));
    await new Promise<void>((resolve, reject) => {
      this.tcp!.once('error', reject);
      this.tcp!.listen(this.port, this.o.host, () => resolve());
    });
  }

  private serveTcp(sock: net.Socket): void {
    this.conns.add(sock);
    sock.setTimeout(10_000, () => sock.destroy());
    sock.on('close', () => this.conns.delete(sock));
    sock.on('error', () => sock.destroy());
    let buf = Buffer.alloc(0);
    let chain = Promise.resolve();
    sock.on('data', (d) => {
      buf = Buffer.concat([buf, d]);
      while (buf.length >= 2) {
        const len = buf.readUInt16BE(0);
        if (buf.length < 2 + len) break;
        const msg = buf.subarray(2, 2 + len);
        buf = buf.subarray(2 + len);
        // Answers go out in the order the queries came.
        chain = chain.then(async () => {
          const res = await this.handle(msg, true);
          if (!res) {
            sock.destroy();
            return;
          }
          if (sock.writable) {
            const head = Buffer.alloc(2);
            head.writeUInt16BE(res.length);
            sock.write(Buffer.concat([head, res]));
          }
        });
      }
      if (buf.length > 65537) sock.destroy();
    });
  }

  /** The encoded response, or undefined to drop the packet. */
  async handle(msg: Buffer, tcp: boolean): Promise<Buffer | undefined> {
    const t0 = process.hrtime.bigint();
    let query: Packet;
    try {
      query = dnsPacket.decode(msg);
    } catch {
      this.malformed.inc();
      return undefined;
    }
    if (query.type !== 'query') return undefined; // a stray response: never answer it
    const q = query.questions?.[0];
    const qtype = String(q?.type ?? 'none');
    let source = 'cluster';
    let rcode: Rcode = 'NOERROR';
    let out: Buffer | undefined;
    try {
      const opcode = (query as { opcode?: string }).opcode ?? 'QUERY';
      if (opcode !== 'QUERY' || !q || (query.questions?.length ?? 0) !== 1) {
        rcode = opcode !== 'QUERY' ? 'NOTIMP' : 'FORMERR';
        out = this.encode(query, rcode, [], [], [], false, tcp);
      } else {
        const z = answer(this.o.zone, this.o.index(), q);
        if (!z) {
          source = 'forward';
          try {
            out = await forward(this.o.upstreams, msg, tcp, this.o.forwardTimeoutMs);
            rcode = rcodeOf(out);
          } catch (e) {
            this.o.log.warn({ name: q.name, err: String(e), reason: 'UpstreamFailed' }, 'forwarding failed');
            rcode = 'SERVFAIL';
            out = this.encode(query, rcode, [], [], [], false, tcp);
          }
        } else {
          const answers = [...z.answers];
          if (z.chase) answers.push(...(await this.chase(z.chase, q.type === 'AAAA' ? 'AAAA' : 'A', tcp)));
          rcode = z.rcode;
          out = this.encode(query, rcode, answers, z.authorities, z.additionals, true, tcp);
        }
      }
    } catch (e) {
      this.o.log.error({ err: String(e) }, 'query failed');
      rcode = 'SERVFAIL';
      out = this.encode(query, rcode, [], [], [], false, tcp);
    }
    this.queries.inc({ type: qtype, rcode, proto: tcp ? 'tcp' : 'udp' });
    this.latency.observe({ source }, Number(process.hrtime.bigint() - t0) / 1e9);
    return out;
  }

  /** Records of an ExternalName's outside target, from upstream (best effort). */
  private async chase(target: string, type: 'A' | 'AAAA', tcp: boolean): Promise<Answer[]> {
    try {
      const q = dnsPacket.encode({ type: 'query', id: Math.floor(Math.random() * 65535), flags: dnsPacket.RECURSION_DESIRED, questions: [{ type, name: target, class: 'IN' }] });
      const res = dnsPacket.decode(await forward(this.o.upstreams, q, tcp, this.o.forwardTimeoutMs));
      return (res.answers ?? []).filter((a) => a.type === 'A' || a.type === 'AAAA' || a.type === 'CNAME');
    } catch {
      return [];
    }
  }

  private encode(query: Packet, rcode: Rcode, answers: Answer[], authorities: Answer[], additionals: Answer[], authoritative: boolean, tcp: boolean): Buffer {
    const rd = (query.flags ?? 0) & dnsPacket.RECURSION_DESIRED;
    let flags = rd | dnsPacket.RECURSION_AVAILABLE | RCODE[rcode] | (authoritative ? dnsPacket.AUTHORITATIVE_ANSWER : 0);
    const opt = (query.additionals ?? []).find((a) => a.type === 'OPT') as { udpPayloadSize?: number } | undefined;
    const extra: Answer[] = opt ? [{ type: 'OPT', name: '.', udpPayloadSize: 1232, flags: 0 } as unknown as Answer] : [];
    const base = { type: 'response' as const, id: query.id, questions: query.questions ?? [] };
    let buf = dnsPacket.encode({ ...base, flags, answers, authorities, additionals: [...additionals, ...extra] });
    const limit = tcp ? 65535 : Math.max(512, Math.min(opt?.udpPayloadSize ?? 512, 4096));
    if (buf.length > limit) {
      flags |= dnsPacket.TRUNCATED_RESPONSE;
      buf = dnsPacket.encode({ ...base, flags, answers: [], authorities: [], additionals: extra });
    }
    return buf;
  }

  async stop(): Promise<void> {
    for (const c of this.conns) c.destroy();
    const udp = this.udp;
    const tcp = this.tcp;
    this.udp = undefined;
    this.tcp = undefined;
    await Promise.all([
      new Promise<void>((r) => {
        if (!udp) return r();
        try {
          udp.close(() => r());
        } catch {
          r(); // never bound
        }
      }),
      new Promise<void>((r) => (tcp?.listening ? tcp.close(() => r()) : r())),
    ]);
  }
}

function rcodeOf(msg: Buffer): Rcode {
  const code = msg.length >= 4 ? msg.readUInt16BE(2) & 0xf : 2;
  return (Object.keys(RCODE) as Rcode[]).find((k) => RCODE[k] === code) ?? 'SERVFAIL';
}
