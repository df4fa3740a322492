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

// long: one pass over the service ports writing the NAT and filter chains in the order
// kube-proxy writes them (the order is the behaviour); the rule lists are shared by every part.
export function buildRules(ports: ServicePortInfo[], cfg: RuleConfig, existing: { nat: Iterable<string>; filter: Iterable<string> } = { nat: [], filter: [] }): RuleSet {
  const c = cfg.chains;
  const mark = cfg.masqueradeMark ?? '0x4000';
  const natChains: string[] = [c.services, c.nodePorts, c.postrouting, c.markMasq];
  const filterChains: string[] = [c.services, c.external, c.forward];
  const nat: string[] = [];
  const natServices: string[] = [];
  const natNodePorts: string[] = [];
  const filterServices: string[] = [];
  const filterExternal: string[] = [];

  nat.push(`-A ${c.postrouting} -m mark ! --mark ${mark}/${mark} -j RETURN`);
  nat.push(`-A ${c.postrouting} -j MARK --xor-mark ${mark}`);
  nat.push(`-A ${c.postrouting} ${comment('k8ts service traffic requiring SNAT')} -j MASQUERADE --random-fully`);
  nat.push(`-A ${c.markMasq} -j MARK --or-mark ${mark}`);

  // Endpoint chains are shared by the SVC (all endpoints) and SVL (local ones) chains.
  const sepName = (sp: ServicePortInfo, ep: Endpoint) => c.sep(sp.name, sp.protocol, `${ep.ip}:${ep.port}`);
  const balance = (chain: string, sp: ServicePortInfo, eps: Endpoint[]) => {
    if (sp.affinitySeconds > 0) {
      for (const ep of eps) {
        const sep = sepName(sp, ep);
        nat.push(`-A ${chain} ${comment(`${sp.name} -> ${ep.ip}:${ep.port}`)} -m recent --name ${sep} --mask 255.255.255.255 --rsource --rcheck --seconds ${sp.affinitySeconds} --reap -j ${sep}`);
      }
    }
    eps.forEach((ep, i) => {
      const sep = sepName(sp, ep);
      const left = eps.length - i;
      const stat = left > 1 ? ` -m statistic --mode random --probability ${probability(left)}` : '';
      nat.push(`-A ${chain} ${comment(`${sp.name} -> ${ep.ip}:${ep.port}`)}${stat} -j ${sep}`);
    });
  };

  for (const sp of ports) {
    const p = sp.protocol;
    const dport = `-p ${p} -m ${p} --dport`;
    const hasEndpoints = sp.endpoints.length > 0;
    const svc = c.svc(sp.name, sp.protocol);
    const ext = c.ext(sp.name, sp.protocol);
    const svl = c.svl(sp.name, sp.protocol);
    const external = sp.nodePort !== undefined || sp.loadBalancerIPs.length > 0 || sp.externalIPs.length > 0;

    if (!hasEndpoints) {
      filterServices.push(`-A ${c.services} -d ${sp.clusterIP}/32 ${dport} ${sp.port} ${comment(`${sp.name} has no endpoints`)} ${reject(p)}`);
      for (const ip of [...sp.loadBalancerIPs, ...sp.externalIPs]) {
        filterServices.push(`-A ${c.services} -d ${ip}/32 ${dport} ${sp.port} ${comment(`${sp.name} has no endpoints`)} ${reject(p)}`);
      }
      if (sp.nodePort !== undefined) {
        filterExternal.push(`-A ${c.external} -m addrtype --dst-type LOCAL ${dport} ${sp.nodePort} ${comment(`${sp.name} has no endpoints`)} ${reject(p)}`);
      }
      continue;
    }

    natChains.push(svc);
    natServices.push(`-A ${c.services} -d ${sp.clusterIP}/32 ${dport} ${sp.port} ${comment(`${sp.name} cluster IP`)} -j ${svc}`);
    if (cfg.clusterCidr) {
      nat.push(`-A ${svc} ! -s ${cfg.clusterCidr} -d ${sp.clusterIP}/32 ${dport} ${sp.port} ${comment(`${sp.name} cluster IP`)} -j ${c.markMasq}`);
    }
    balance(svc, sp, sp.endpoints);

    if (external) {
      natChains.push(ext);
      for (const ip of sp.loadBalancerIPs) natServices.push(`-A ${c.services} -d ${ip}/32 ${dport} ${sp.port} ${comment(`${sp.name} loadbalancer IP`)} -j ${ext}`);
      for (const ip of sp.externalIPs) natServices.push(`-A ${c.services} -d ${ip}/32 ${dport} ${sp.port} ${comment(`${sp.name} external IP`)} -j ${ext}`);
      if (sp.nodePort !== undefined) natNodePorts.push(`-A ${c.nodePorts} ${comment(sp.name)} ${dport} ${sp.nodePort} -j ${ext}`);
      if (!sp.externalLocal) {
        nat.push(`-A ${ext} ${comment('masquerade traffic for ' + sp.name + ' external destinations')} -j ${c.markMasq}`);
        nat.push(`-A ${ext} -j ${svc}`);
      } else {
        // Local policy: outside clients keep their address and reach only this node's pods;
        // the node itself may use any endpoint (kube-proxy does the same).
        nat.push(`-A ${ext} ${comment('masquerade LOCAL traffic')} -m addrtype --src-type LOCAL -j ${c.markMasq}`);
        nat.push(`-A ${ext} ${comment('route LOCAL traffic for ' + sp.name + ' external destinations')} -m addrtype --src-type LOCAL -j ${svc}`);
        const local = sp.endpoints.filter((e) => e.nodeName === cfg.nodeName);
        if (local.length) {
          natChains.push(svl);
          nat.push(`-A ${ext} -j ${svl}`);
          balance(svl, sp, local);
        } else {
          for (const ip of sp.loadBalancerIPs) filterServices.push(`-A ${c.services} -d ${ip}/32 ${dport} ${sp.port} ${comment(`${sp.name} has no local endpoints`)} ${reject(p)}`);
          if (sp.nodePort !== undefined) {
            filterExternal.push(`-A ${c.external} -m addrtype --dst-type LOCAL ! --src-type LOCAL ${dport} ${sp.nodePort} ${comment(`${sp.name} has no local endpoints`)} ${reject(p)}`);
          }
        }
      }
    }

    for (const ep of sp.endpoints) {
      const sep = sepName(sp, ep);
      natChains.push(sep);
      nat.push(`-A ${sep} ${comment(sp.name)} -s ${ep.ip}/32 -j ${c.markMasq}`);
      const recent = sp.affinitySeconds > 0 ? ` -m recent --name ${sep} --mask 255.255.255.255 --rsource --set` : '';
      nat.push(`-A ${sep} ${comment(sp.name)} -p ${p}${recent} -m ${p} -j DNAT --to-destination ${ep.ip}:${ep.port}`);
    }
  }

  // Node ports answer on every local address (this is what makes 127.0.0.1 work too).
  natServices.push(`-A ${c.services} ${comment('k8ts service nodeports; NOTE: this must be the last rule in this chain')} -m addrtype --dst-type LOCAL -j ${c.nodePorts}`);
  for (const range of cfg.rejectRanges) {
    filterServices.push(`-A ${c.services} -d ${range} -p tcp ${comment('k8ts service range without a rule')} -j REJECT --reject-with tcp-reset`);
    filterServices.push(`-A ${c.services} -d ${range} ${comment('k8ts service range without a rule')} -j REJECT --reject-with icmp-port-unreachable`);
  }
  const filterForward = [`-A ${c.forward} ${comment('k8ts forwarding rules')} -m mark --mark ${mark}/${mark} -j ACCEPT`];

  const uniq = (xs: string[]) => [...new Set(xs)];
  const natList = uniq(natChains);
  const filterList = uniq(filterChains);
  const staleNat = [...existing.nat].filter((ch) => c.isOurs(ch) && !natList.includes(ch));
  const staleFilter = [...existing.filter].filter((ch) => c.isOurs(ch) && !filterList.includes(ch));

  const natRules = [...natServices, ...natNodePorts, ...nat];
  const filterRules = [...filterServices, ...filterExternal, ...filterForward];
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
