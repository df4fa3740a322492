// printIngress and printIngressClass (pkg/printers/internalversion/printers.go). The server
// prints wide cells, so the address list is never cut.
import { col, nameColumn, ageColumn, type Printer } from './types.js';
import { since } from './age.js';

/** formatHosts: the first three hosts, "*" when no rule names one. */
function formatHosts(rules: any[] | undefined): string {
  const list: string[] = [];
  const max = 3;
  let more = false;
  const rs = Array.isArray(rules) ? rules : [];
  for (const rule of rs) {
    if (list.length === max) more = true;
    if (!more && rule?.host) list.push(String(rule.host));
  }
  if (list.length === 0) return '*';
  const ret = list.join(',');
  return more ? `${ret} + ${rs.length - max} more...` : ret;
}

/** ingressLoadBalancerStatusStringer: the sorted, distinct IPs (or host names). */
function addresses(status: any): string {
  const set = new Set<string>();
  for (const ing of Array.isArray(status?.loadBalancer?.ingress) ? status.loadBalancer.ingress : []) {
    if (ing?.ip) set.add(String(ing.ip));
    else if (ing?.hostname) set.add(String(ing.hostname));
  }
  return [...set].sort().join(',');
}

export const ingressPrinter: Printer = {
  columns: [
    nameColumn(),
    col('Class', 'string', 'The name of the IngressClass resource that should be used for additional configuration'),
    col('Hosts', 'string', 'Hosts that incoming requests are matched against before the ingress rule'),
    col('Address', 'string', 'Address is a list containing ingress points for the load-balancer'),
    col('Ports', 'string', 'Ports of TLS configurations that open'),
    ageColumn(),
  ],
  row(ing: any, now: number) {
    const spec = ing.spec ?? {};
    return [
      ing.metadata?.name ?? '',
      typeof spec.ingressClassName === 'string' ? spec.ingressClassName : '<none>',
      formatHosts(spec.rules),
      addresses(ing.status),
      Array.isArray(spec.tls) && spec.tls.length ? '80, 443' : '80',
      since(ing.metadata?.creationTimestamp, now),
    ];
  },
};

export const ingressClassPrinter: Printer = {
  columns: [
    nameColumn(),
    col('Controller', 'string', 'Controller that is responsible for handling this class'),
    col('Parameters', 'string', 'A reference to a resource with additional parameters'),
    ageColumn(),
  ],
  row(ic: any, now: number) {
    const p = ic.spec?.parameters;
    let parameters = '<none>';
    if (p) parameters = `${p.kind ?? ''}${p.apiGroup ? `.${p.apiGroup}` : ''}/${p.name ?? ''}`;
    return [ic.metadata?.name ?? '', ic.spec?.controller ?? '', parameters, since(ic.metadata?.creationTimestamp, now)];
  },
};
