// Builds the full contents of the proxy's chains as iptables-restore input (kube-proxy's
// iptables mode, in chains of our own). Every sync rewrites all of them in one
// `iptables-restore --noflush`, so the kernel never sees half a rule set.
import { ChainNames } from './chain-names.js';
import type { ServicePortInfo, Endpoint } from './service-ports.js';

export interface RuleConfig {
  chains: ChainNames;
  nodeName: string;
  /** Service range and load-balancer pool: whatever no rule took is refused there. */
  rejectRanges: string[];
  /** Pod CIDR; traffic to a ClusterIP from outside it is masqueraded. */
  clusterCidr?: string;
  masqueradeMark?: string;
}

export interface RuleSet {
  text: string;
  natChains: string[];
  filterChains: string[];
  ruleCount: number;
}

const comment = (text: string) => `-m comment --comment "${text.replace(/"/g, "'")}"`;
const probability = (n: number) => (1 / n).toFixed(10);
const reject = (proto: string) => (proto === 'tcp' ? '-j REJECT --reject-with tcp-reset' : '-j REJECT --reject-with icmp-port-unreachable');

/** The rule lists of one sync, in the order iptables-restore gets them. */
interface Tables {
  cfg: RuleConfig;
  c: ChainNames;
  mark: string;
  natChains: string[];
  filterChains: string[];
  nat: string[];
  natServices: string[];
  natNodePorts: string[];
  filterServices: string[];
  filterExternal: string[];
}

// Endpoint chains are shared by the SVC (all endpoints) and SVL (local ones) chains.
const sepName = (c: ChainNames, sp: ServicePortInfo, ep: Endpoint) => c.sep(sp.name, sp.protocol, `${ep.ip}:${ep.port}`);

/** Jumps from `chain` to the endpoints' chains: sticky ones first, then an even random split. */
function balance(t: Tables, chain: string, sp: ServicePortInfo, eps: Endpoint[]): void {
  if (sp.affinitySeconds > 0) {
    for (const ep of eps) {
      const sep = sepName(t.c, sp, ep);
      t.nat.push(`-A ${chain} ${comment(`${sp.name} -> ${ep.ip}:${ep.port}`)} -m recent --name ${sep} --mask 255.255.255.255 --rsource --rcheck --seconds ${sp.affinitySeconds} --reap -j ${sep}`);
    }
  }
  eps.forEach((ep, i) => {
    const sep = sepName(t.c, sp, ep);
    const left = eps.length - i;
    const stat = left > 1 ? ` -m statistic --mode random --probability ${probability(left)}` : '';
    t.nat.push(`-A ${chain} ${comment(`${sp.name} -> ${ep.ip}:${ep.port}`)}${stat} -j ${sep}`);
  });
}

/** A port without endpoints: its addresses refuse connections instead of timing out. */
function rejectRules(t: Tables, sp: ServicePortInfo): void {
  const { c } = t;
  const p = sp.protocol;
  const dport = `-p ${p} -m ${p} --dport`;
  t.filterServices.push(`-A ${c.services} -d ${sp.clusterIP}/32 ${dport} ${sp.port} ${comment(`${sp.name} has no endpoints`)} ${reject(p)}`);
  for (const ip of [...sp.loadBalancerIPs, ...sp.externalIPs]) {
    t.filterServices.push(`-A ${c.services} -d ${ip}/32 ${dport} ${sp.port} ${comment(`${sp.name} has no endpoints`)} ${reject(p)}`);
  }
  if (sp.nodePort !== undefined) {
    t.filterExternal.push(`-A ${c.external} -m addrtype --dst-type LOCAL ${dport} ${sp.nodePort} ${comment(`${sp.name} has no endpoints`)} ${reject(p)}`);
  }
}

/** Load-balancer IPs, external IPs and the node port: the EXT chain, and SVL for Local policy. */
function externalRules(t: Tables, sp: ServicePortInfo, svc: string): void {
  const { c, cfg } = t;
  const p = sp.protocol;
  const dport = `-p ${p} -m ${p} --dport`;
  const ext = c.ext(sp.name, sp.protocol);
  t.natChains.push(ext);
  for (const ip of sp.loadBalancerIPs) t.natServices.push(`-A ${c.services} -d ${ip}/32 ${dport} ${sp.port} ${comment(`${sp.name} loadbalancer IP`)} -j ${ext}`);
  for (const ip of sp.externalIPs) t.natServices.push(`-A ${c.services} -d ${ip}/32 ${dport} ${sp.port} ${comment(`${sp.name} external IP`)} -j ${ext}`);
  if (sp.nodePort !== undefined) t.natNodePorts.push(`-A ${c.nodePorts} ${comment(sp.name)} ${dport} ${sp.nodePort} -j ${ext}`);
  if (!sp.externalLocal) {
    t.nat.push(`-A ${ext} ${comment('masquerade traffic for ' + sp.name + ' external destinations')} -j ${c.markMasq}`);
    t.nat.push(`-A ${ext} -j ${svc}`);
    return;
  }
  // Local policy: outside clients keep their address and reach only this node's pods;
  // the node itself may use any endpoint (kube-proxy does the same).
  t.nat.push(`-A ${ext} ${comment('masquerade LOCAL traffic')} -m addrtype --src-type LOCAL -j ${c.markMasq}`);
  t.nat.push(`-A ${ext} ${comment('route LOCAL traffic for ' + sp.name + ' external destinations')} -m addrtype --src-type LOCAL -j ${svc}`);
  const local = sp.endpoints.filter((e) => e.nodeName === cfg.nodeName);
  if (local.length) {
    const svl = c.svl(sp.name, sp.protocol);
    t.natChains.push(svl);
    t.nat.push(`-A ${ext} -j ${svl}`);
    balance(t, svl, sp, local);
    return;
  }
  for (const ip of sp.loadBalancerIPs) t.filterServices.push(`-A ${c.services} -d ${ip}/32 ${dport} ${sp.port} ${comment(`${sp.name} has no local endpoints`)} ${reject(p)}`);
  if (sp.nodePort !== undefined) {
    t.filterExternal.push(`-A ${c.external} -m addrtype --dst-type LOCAL ! --src-type LOCAL ${dport} ${sp.nodePort} ${comment(`${sp.name} has no local endpoints`)} ${reject(p)}`);
  }
}

/** Every rule of one service port. */
function portRules(t: Tables, sp: ServicePortInfo): void {
  if (sp.endpoints.length === 0) return rejectRules(t, sp);
  const { c, cfg } = t;
  const p = sp.protocol;
  const dport = `-p ${p} -m ${p} --dport`;
  const svc = c.svc(sp.name, sp.protocol);
  t.natChains.push(svc);
  t.natServices.push(`-A ${c.services} -d ${sp.clusterIP}/32 ${dport} ${sp.port} ${comment(`${sp.name} cluster IP`)} -j ${svc}`);
  if (cfg.clusterCidr) {
    t.nat.push(`-A ${svc} ! -s ${cfg.clusterCidr} -d ${sp.clusterIP}/32 ${dport} ${sp.port} ${comment(`${sp.name} cluster IP`)} -j ${c.markMasq}`);
  }
  balance(t, svc, sp, sp.endpoints);
  if (sp.nodePort !== undefined || sp.loadBalancerIPs.length > 0 || sp.externalIPs.length > 0) externalRules(t, sp, svc);
  for (const ep of sp.endpoints) {
    const sep = sepName(c, sp, ep);
    t.natChains.push(sep);
    t.nat.push(`-A ${sep} ${comment(sp.name)} -s ${ep.ip}/32 -j ${c.markMasq}`);
    const recent = sp.affinitySeconds > 0 ? ` -m recent --name ${sep} --mask 255.255.255.255 --rsource --set` : '';
    t.nat.push(`-A ${sep} ${comment(sp.name)} -p ${p}${recent} -m ${p} -j DNAT --to-destination ${ep.ip}:${ep.port}`);
  }
}

export function buildRules(ports: ServicePortInfo[], cfg: RuleConfig, existing: { nat: Iterable<string>; filter: Iterable<string> } = { nat: [], filter: [] }): RuleSet {
  const c = cfg.chains;
  const mark = cfg.masqueradeMark ?? '0x4000';
  const t: Tables = {
    cfg,
    c,
    mark,
    natChains: [c.services, c.nodePorts, c.postrouting, c.markMasq],
    filterChains: [c.services, c.external, c.forward],
    nat: [],
    natServices: [],
    natNodePorts: [],
    filterServices: [],
    filterExternal: [],
  };
  t.nat.push(`-A ${c.postrouting} -m mark ! --mark ${mark}/${mark} -j RETURN`);
  t.nat.push(`-A ${c.postrouting} -j MARK --xor-mark ${mark}`);
  t.nat.push(`-A ${c.postrouting} ${comment('k8ts service traffic requiring SNAT')} -j MASQUERADE --random-fully`);
  t.nat.push(`-A ${c.markMasq} -j MARK --or-mark ${mark}`);
  for (const sp of ports) portRules(t, sp);

  // Node ports answer on every local address (this is what makes 127.0.0.1 work too).
  t.natServices.push(`-A ${c.services} ${comment('k8ts service nodeports; NOTE: this must be the last rule in this chain')} -m addrtype --dst-type LOCAL -j ${c.nodePorts}`);
  for (const range of cfg.rejectRanges) {
    t.filterServices.push(`-A ${c.services} -d ${range} -p tcp ${comment('k8ts service range without a rule')} -j REJECT --reject-with tcp-reset`);
    t.filterServices.push(`-A ${c.services} -d ${range} ${comment('k8ts service range without a rule')} -j REJECT --reject-with icmp-port-unreachable`);
  }
  return restoreInput(t, existing);
}

/** The filter and nat tables as iptables-restore input, deleting chains of ours no longer used. */
function restoreInput(t: Tables, existing: { nat: Iterable<string>; filter: Iterable<string> }): RuleSet {
  const { c, mark } = t;
  const filterForward = [`-A ${c.forward} ${comment('k8ts forwarding rules')} -m mark --mark ${mark}/${mark} -j ACCEPT`];
  const uniq = (xs: string[]) => [...new Set(xs)];
  const natList = uniq(t.natChains);
  const filterList = uniq(t.filterChains);
  const staleNat = [...existing.nat].filter((ch) => c.isOurs(ch) && !natList.includes(ch));
  const staleFilter = [...existing.filter].filter((ch) => c.isOurs(ch) && !filterList.includes(ch));

  const natRules = [...t.natServices, ...t.natNodePorts, ...t.nat];
  const filterRules = [...t.filterServices, ...t.filterExternal, ...filterForward];
  const lines: string[] = [];
  lines.push('*filter');
  for (const ch of [...filterList, ...staleFilter]) lines.push(`:${ch} - [0:0]`);
  lines.push(...filterRules);
  for (const ch of staleFilter) lines.push(`-X ${ch}`);
  lines.push('COMMIT');
  lines.push('*nat');
  for (const ch of [...natList, ...staleNat]) lines.push(`:${ch} - [0:0]`);
  lines.push(...natRules);
  for (const ch of staleNat) lines.push(`-X ${ch}`);
  lines.push('COMMIT');
  return { text: lines.join('\n') + '\n', natChains: natList, filterChains: filterList, ruleCount: natRules.length + filterRules.length };
}

/** iptables-restore input that removes every chain of ours (after the jumps are gone). */
export function buildCleanup(chains: ChainNames, existing: { nat: Iterable<string>; filter: Iterable<string> }): string {
  const lines: string[] = [];
  for (const [table, names] of [['filter', existing.filter], ['nat', existing.nat]] as const) {
    const ours = [...names].filter((ch) => chains.isOurs(ch));
    if (!ours.length) continue;
    lines.push(`*${table}`);
    for (const ch of ours) lines.push(`:${ch} - [0:0]`);
    for (const ch of ours) lines.push(`-X ${ch}`);
    lines.push('COMMIT');
  }
  return lines.length ? lines.join('\n') + '\n' : '';
}
