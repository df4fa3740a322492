// Answers one question from the zone index: records, NODATA, NXDOMAIN, or "not ours"
// (the caller forwards those).
import type { Answer, Question } from 'dns-packet';
import { type ZoneIndex, normalize, reverseToIp } from './records.js';

export const TTL = 5;

export interface ZoneAnswer {
  rcode: 'NOERROR' | 'NXDOMAIN';
  answers: Answer[];
  authorities: Answer[];
  additionals: Answer[];
  /** A CNAME target outside the zone that the caller should resolve upstream. */
  chase?: string;
}

export function soa(zone: string): Answer {
  return {
    name: zone,
    type: 'SOA',
    ttl: TTL,
    class: 'IN',
    data: { mname: `ns.dns.${zone}`, rname: `hostmaster.${zone}`, serial: 1, refresh: 7200, retry: 1800, expire: 86400, minimum: TTL },
  };
}

export function inZone(zone: string, name: string): boolean {
  const n = normalize(name);
  return n === zone || n.endsWith(`.${zone}`);
}

/** undefined: the name is not the cluster's (forward it). */
export function answer(zone: string, index: ZoneIndex, q: Question): ZoneAnswer | undefined {
  const out: ZoneAnswer = { rcode: 'NOERROR', answers: [], authorities: [], additionals: [] };
  const qname = q.name.replace(/\.$/, '');
  const qt = q.type as string; // dns-packet decodes 255 as "ANY", which its typings omit
  if (q.type === 'PTR') {
    const ip = reverseToIp(qname);
    const target = ip && index.ptr.get(ip);
    if (!target) return undefined;
    out.answers.push({ name: qname, type: 'PTR', ttl: TTL, class: 'IN', data: target });
    return out;
  }
  if (!inZone(zone, qname)) return undefined;
  let name = normalize(qname);
  let owner = qname;
  // Follow CNAMEs inside the zone (ExternalName pointing at another cluster name).
  for (let hops = 0; hops < 8; hops++) {
    const e = index.names.get(name);
    if (!e) {
      if (hops === 0) {
        out.rcode = index.parents.has(name) ? 'NOERROR' : 'NXDOMAIN';
        if (q.type === 'SOA' && name === zone) out.answers.push(soa(zone));
        else out.authorities.push(soa(zone));
      }
      return out;
    }
    if (e.cname) {
      out.answers.push({ name: owner, type: 'CNAME', ttl: TTL, class: 'IN', data: e.cname });
      if (q.type === 'CNAME') return out;
      if (!inZone(zone, e.cname)) {
        out.chase = e.cname;
        return out;
      }
      name = e.cname;
      owner = e.cname;
      continue;
    }
    const shuffled = [...e.a].sort(() => Math.random() - 0.5);
    if (qt === 'A' || qt === 'ANY') {
      for (const ip of shuffled) out.answers.push({ name: owner, type: 'A', ttl: TTL, class: 'IN', data: ip });
    }
    if (qt === 'SRV' || qt === 'ANY') {
      const n = e.srv.length;
      for (const s of e.srv) {
        out.answers.push({ name: owner, type: 'SRV', ttl: TTL, class: 'IN', data: { priority: 0, weight: Math.floor(100 / n), port: s.port, target: s.target } });
        for (const ip of index.names.get(normalize(s.target))?.a ?? []) out.additionals.push({ name: s.target, type: 'A', ttl: TTL, class: 'IN', data: ip });
      }
    }
    if (out.answers.length === 0) out.authorities.push(soa(zone));
    return out;
  }
  return out;
}
