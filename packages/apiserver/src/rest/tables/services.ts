// printService, printEndpoints and printEndpointSlice.
import { col, nameColumn, ageColumn, formatLabels, type Printer } from './types.js';
import { since } from './age.js';

const LOAD_BALANCER_WIDTH = 16;

function loadBalancerIPs(status: any, wide: boolean): string {
  const parts: string[] = [];
  for (const ing of status?.loadBalancer?.ingress ?? []) {
    if (ing.ip) parts.push(ing.ip);
    else if (ing.hostname) parts.push(ing.hostname);
  }
  let r = parts.join(',');
  if (!wide && r.length > LOAD_BALANCER_WIDTH) r = `${r.slice(0, LOAD_BALANCER_WIDTH - 3)}...`;
  return r;
}

function externalIP(svc: any): string {
  const spec = svc.spec ?? {};
  const ext: string[] = spec.externalIPs ?? [];
  switch (spec.type ?? 'ClusterIP') {
    case 'ClusterIP':
    case 'NodePort':
      return ext.length ? ext.join(',') : '<none>';
    case 'LoadBalancer': {
      // The server prints wide cells; the client shows them as they are.
      const lb = loadBalancerIPs(svc.status, true);
      if (ext.length) return [...(lb ? lb.split(',') : []), ...ext].join(',');
      return lb || '<pending>';
    }
    case 'ExternalName':
      return spec.externalName ?? '';
  }
  return '<unknown>';
}

export function portString(ports: any[] | undefined): string {
  return (ports ?? [])
    .map((p) => (p.nodePort > 0 ? `${p.port}:${p.nodePort}/${p.protocol ?? 'TCP'}` : `${p.port}/${p.protocol ?? 'TCP'}`))
    .join(',');
}

export const servicePrinter: Printer = {
  columns: [
    nameColumn(),
    col('Type', 'string', 'type determines how the Service is exposed.'),
    col('Cluster-IP', 'string', 'clusterIP is the IP address of the service and is usually assigned randomly.'),
    col('External-IP', 'string', 'externalIPs is a list of IP addresses for which nodes in the cluster will also accept traffic for this service.'),
    col('Port(s)', 'string', 'The list of ports that are exposed by this service.'),
    ageColumn(),
    col('Selector', 'string', 'Route service traffic to pods with label keys and values matching this selector.', 1),
  ],
  row(svc: any, now: number) {
    const spec = svc.spec ?? {};
    const clusterIP = spec.clusterIPs?.[0] ?? spec.clusterIP ?? '<none>';
    return [
      svc.metadata?.name ?? '',
      spec.type ?? 'ClusterIP',
      clusterIP || '<none>',
      externalIP(svc),
      portString(spec.ports) || '<none>',
      since(svc.metadata?.creationTimestamp, now),
      formatLabels(spec.selector),
    ];
  },
};

function joinHostPort(ip: string, port: number): string {
  return ip.includes(':') ? `[${ip}]:${port}` : `${ip}:${port}`;
}

export function formatEndpoints(ep: any): string {
  const subsets: any[] = ep.subsets ?? [];
  if (subsets.length === 0) return '<none>';
  const list: string[] = [];
  const max = 3;
  let more = false;
  let count = 0;
  for (const ss of subsets) {
    const addresses: any[] = ss.addresses ?? [];
    if (!ss.ports || ss.ports.length === 0) {
      count += addresses.length;
      for (const a of addresses) {
        if (list.length === max) {
          more = true;
          break;
        }
        list.push(a.ip);
      }
      continue;
    }
    for (const port of ss.ports) {
      count += addresses.length;
      for (const a of addresses) {
        if (list.length === max) {
          more = true;
          break;
        }
        list.push(joinHostPort(a.ip, port.port));
      }
    }
  }
  const ret = list.join(',');
  return more ? `${ret} + ${count - max} more...` : ret;
}

export const endpointsPrinter: Printer = {
  columns: [nameColumn(), col('Endpoints', 'string', 'Endpoints is the list of endpoints this service uses.'), ageColumn()],
  row(ep: any, now: number) {
    return [ep.metadata?.name ?? '', formatEndpoints(ep), since(ep.metadata?.creationTimestamp, now)];
  },
};

export const endpointSlicePrinter: Printer = {
  columns: [
    nameColumn(),
    col('AddressType', 'string', 'addressType specifies the type of address carried by this EndpointSlice.'),
    col('Ports', 'string', 'ports specifies the list of network ports exposed by each endpoint in this slice.'),
    col('Endpoints', 'string', 'endpoints is a list of unique endpoints in this slice.'),
    ageColumn(),
  ],
  row(slice: any, now: number) {
    const ports: any[] = slice.ports ?? [];
    let portsText = ports.length === 0 ? '<unset>' : '';
    if (ports.length) {
      const shown = ports.slice(0, 3).map((p) => (p.port === undefined || p.port === null ? '<unset>' : String(p.port)));
      portsText = shown.join(',') + (ports.length > 3 ? ` + ${ports.length - 3} more...` : '');
    }
    const addresses: string[] = [];
    let total = 0;
    for (const e of slice.endpoints ?? []) {
      for (const a of e.addresses ?? []) {
        total++;
        if (addresses.length < 3) addresses.push(a);
      }
    }
    let eps = addresses.length ? addresses.join(',') : '<unset>';
    if (total > 3) eps += ` + ${total - 3} more...`;
    return [slice.metadata?.name ?? '', slice.addressType ?? '', portsText, eps, since(slice.metadata?.creationTimestamp, now)];
  },
};
