// Service validation (ValidateService, ValidateServiceUpdate).
import { isDNS1123Label, isDNS1123Subdomain } from '../selectors/label-syntax.js';
import { type FieldError, duplicate, forbidden, invalid, notSupported, required, GoLiteral } from './field-error.js';
import { isValidPortNum, validatePortNumOrName } from './common.js';
import { validateLabels } from './meta.js';

export const SERVICE_TYPES = ['ClusterIP', 'ExternalName', 'LoadBalancer', 'NodePort'];
/** core.MaxClientIPServiceAffinitySeconds. */
const MAX_CLIENT_IP_AFFINITY_SECONDS = 86400;

/** NodePort and LoadBalancer Services get node ports (and an externalTrafficPolicy). */
export function needsNodePorts(type: string | undefined): boolean {
  return type === 'NodePort' || type === 'LoadBalancer';
}
const PROTOCOLS = ['SCTP', 'TCP', 'UDP'];
const ipv4Re = /^(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}$/;

function goServicePortKey(p: any): GoLiteral {
  return new GoLiteral(
    `core.ServicePort{Name:"", Protocol:${JSON.stringify(p.protocol ?? 'TCP')}, AppProtocol:(*string)(nil), Port:${p.port ?? 0}, TargetPort:intstr.IntOrString{Type:0, IntVal:0, StrVal:""}, NodePort:0}`,
  );
}

export function validateService(svc: any): FieldError[] {
  const errs: FieldError[] = [];
  const spec = svc.spec;
  if (spec === null || typeof spec !== 'object') return [required('spec')];
  const type = spec.type ?? 'ClusterIP';
  if (!SERVICE_TYPES.includes(type)) errs.push(notSupported('spec.type', type, SERVICE_TYPES));
  const ports: any[] = Array.isArray(spec.ports) ? spec.ports : [];
  const headless = spec.clusterIP === 'None';
  if (type === 'ExternalName') {
    if (!spec.externalName) errs.push(required('spec.externalName'));
    else {
      // A DNS name; a trailing dot is allowed.
      const name = spec.externalName.replace(/\.$/, '');
      for (const m of isDNS1123Subdomain(name)) errs.push(invalid('spec.externalName', spec.externalName, m));
    }
    if (spec.clusterIP && spec.clusterIP !== '') errs.push(forbidden('spec.clusterIPs', 'may not be set for ExternalName services'));
  } else if (ports.length === 0 && !headless) {
    errs.push(required('spec.ports'));
  }
  const names = new Set<string>();
  const keys = new Set<string>();
  const nodePorts = new Set<string>();
  ports.forEach((p: any, i: number) => {
    const pp = `spec.ports[${i}]`;
    if (ports.length > 1 && !p?.name) errs.push(required(`${pp}.name`));
    if (p?.name) {
      // Service port names are DNS labels (kubectl create service names them "80-8080");
      // only container ports must be IANA service names.
      const msgs = isDNS1123Label(p.name);
      for (const m of msgs) errs.push(invalid(`${pp}.name`, p.name, m));
      if (!msgs.length && names.has(p.name)) errs.push(duplicate(`${pp}.name`, p.name));
      names.add(p.name);
    }
    for (const m of isValidPortNum(p?.port)) errs.push(invalid(`${pp}.port`, p?.port ?? 0, m));
    if (p?.protocol !== undefined && !PROTOCOLS.includes(p.protocol)) errs.push(notSupported(`${pp}.protocol`, p.protocol, PROTOCOLS));
    if (p?.targetPort !== undefined && p.targetPort !== null) errs.push(...validatePortNumOrName(p.targetPort, `${pp}.targetPort`));
    if (p?.nodePort) {
      if (type === 'ClusterIP' || type === 'ExternalName') errs.push(forbidden(`${pp}.nodePort`, `may not be used when \`type\` is '${type}'`));
      else {
        const bad = isValidPortNum(p.nodePort);
        for (const m of bad) errs.push(invalid(`${pp}.nodePort`, p.nodePort, m));
        const nodePortKey = `${p.protocol ?? 'TCP'}/${p.nodePort}`;
        if (!bad.length && nodePorts.has(nodePortKey)) errs.push(duplicate(`${pp}.nodePort`, p.nodePort));
        nodePorts.add(nodePortKey);
      }
    }
    const key = `${p?.protocol ?? 'TCP'}/${p?.port}`;
    if (keys.has(key)) errs.push(duplicate(pp, goServicePortKey(p)));
    keys.add(key);
  });
  if (spec.clusterIP && Array.isArray(spec.clusterIPs) && spec.clusterIPs[0] && spec.clusterIPs[0] !== spec.clusterIP)
    errs.push(invalid('spec.clusterIPs', spec.clusterIPs, 'must match `spec.clusterIP`'));
  if (spec.clusterIP && spec.clusterIP !== 'None' && !ipv4Re.test(spec.clusterIP))
    errs.push(invalid('spec.clusterIPs[0]', spec.clusterIP, 'must be a valid IP address, (e.g. 10.9.8.7 or 2001:db8::ffff)'));
  if (headless && needsNodePorts(type))
    errs.push(invalid('spec.clusterIPs[0]', 'None', `may not be set to 'None' for ${type} services`));
  if (spec.sessionAffinity !== undefined && !['ClientIP', 'None'].includes(spec.sessionAffinity))
    errs.push(notSupported('spec.sessionAffinity', spec.sessionAffinity, ['ClientIP', 'None']));
  const timeout = spec.sessionAffinityConfig?.clientIP?.timeoutSeconds;
  if (spec.sessionAffinity === 'ClientIP' && timeout !== undefined && timeout !== null && !(Number.isInteger(timeout) && timeout > 0 && timeout <= MAX_CLIENT_IP_AFFINITY_SECONDS))
    errs.push(invalid('spec.sessionAffinityConfig.clientIP.timeoutSeconds', timeout, `must be greater than 0 and less than ${MAX_CLIENT_IP_AFFINITY_SECONDS}`));
  for (const k of ['externalTrafficPolicy', 'internalTrafficPolicy'])
    if (spec[k] !== undefined && !['Cluster', 'Local'].includes(spec[k])) errs.push(notSupported(`spec.${k}`, spec[k], ['Cluster', 'Local']));
  if (spec.externalTrafficPolicy !== undefined && !needsNodePorts(type))
    errs.push(invalid('spec.externalTrafficPolicy', spec.externalTrafficPolicy, 'may only be set for externally-accessible services'));
  if (spec.loadBalancerIP && type !== 'LoadBalancer') errs.push(forbidden('spec.loadBalancerIP', "may only be used when `type` is 'LoadBalancer'"));
  (spec.externalIPs ?? []).forEach((ip: string, i: number) => {
    if (!ipv4Re.test(ip)) errs.push(invalid(`spec.externalIPs[${i}]`, ip, 'must be a valid IP address, (e.g. 10.9.8.7 or 2001:db8::ffff)'));
    else {
      const special = specialIPv4(ip);
      if (special) errs.push(invalid(`spec.externalIPs[${i}]`, ip, special));
    }
  });
  errs.push(...validateLabels(spec.selector, 'spec.selector'));
  return errs;
}

export function validateServiceUpdate(svc: any, old: any): FieldError[] {
  const errs: FieldError[] = [];
  const oldIPs: string[] = old.spec?.clusterIPs ?? (old.spec?.clusterIP ? [old.spec.clusterIP] : []);
  const newIPs: string[] = svc.spec?.clusterIPs ?? (svc.spec?.clusterIP ? [svc.spec.clusterIP] : []);
  const wasExternalName = old.spec?.type === 'ExternalName';
  const isExternalName = svc.spec?.type === 'ExternalName';
  // The ClusterIP stays for the service's lifetime unless it becomes an ExternalName.
  if (!wasExternalName && !isExternalName && oldIPs.length > 0) {
    if (newIPs.length === 0) errs.push(invalid('spec.clusterIPs[0]', newIPs, 'primary clusterIP can not be unset'));
    else if (newIPs[0] !== oldIPs[0]) errs.push(invalid('spec.clusterIPs[0]', newIPs, 'may not change once set'));
  }
  return errs;
}

/**
 * ValidateNonSpecialIP: an external IP the proxy would program on every node must not be an
 * address the node already answers for itself (loopback) or that never leaves the link.
 */
export function specialIPv4(ip: string): string | undefined {
  const [a, b, c] = ip.split('.').map(Number);
  if (ip === '0.0.0.0') return 'may not be unspecified (0.0.0.0)';
  if (a === 127) return 'may not be in the loopback range (127.0.0.0/8, ::1/128)';
  if (a === 169 && b === 254) return 'may not be in the link-local range (169.254.0.0/16, fe80::/10)';
  if (a === 224 && b === 0 && c === 0) return 'may not be in the link-local multicast range (224.0.0.0/24, ff02::/10)';
  return undefined;
}
