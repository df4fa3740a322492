// Defaults and checks for Service specs (core/v1 defaulting and ValidateService, the
// parts k8ts serves). Address checks that need the allocators live in service-hooks.ts.
import type { KubeObject } from '@k8ts/api';
import { type FieldError, invalid, required, duplicate, notSupported, forbidden } from './invalid.js';
import { ipToInt } from './cidr.js';

export const SERVICE_TYPES = ['ClusterIP', 'ExternalName', 'LoadBalancer', 'NodePort'];
const PROTOCOLS = ['SCTP', 'TCP', 'UDP'];

const DNS1123_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const DNS1123_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

/** Errors for a port name used as targetPort (IsValidPortName: an IANA service name). */
export function portNameErrors(name: string): string[] {
  const errs: string[] = [];
  if (name.length > 15) errs.push('must be no more than 15 characters');
  if (!/^[-a-z0-9]+$/.test(name)) errs.push('must contain only alpha-numeric characters (a-z, 0-9), and hyphens (-)');
  if (name.includes('--')) errs.push('must not contain consecutive hyphens');
  if (!/[a-z]/.test(name)) errs.push('must contain at least one letter (a-z)');
  if (name.startsWith('-') || name.endsWith('-')) errs.push('must not begin or end with a hyphen');
  return errs;
}

export function needsNodePorts(type: string): boolean {
  return type === 'NodePort' || type === 'LoadBalancer';
}

export function isHeadless(svc: KubeObject): boolean {
  return svc.spec?.clusterIP === 'None';
}

/** Fills the fields Kubernetes defaults on a Service. */
export function defaultService(svc: KubeObject): void {
  const spec = (svc.spec ??= {});
  spec.type ??= 'ClusterIP';
  if (spec.type !== 'ExternalName') {
    spec.sessionAffinity ??= 'None';
    spec.internalTrafficPolicy ??= 'Cluster';
    spec.ipFamilies ??= ['IPv4'];
    spec.ipFamilyPolicy ??= 'SingleStack';
  }
  if (spec.sessionAffinity === 'ClientIP') {
    spec.sessionAffinityConfig ??= { clientIP: { timeoutSeconds: 10800 } };
    spec.sessionAffinityConfig.clientIP ??= { timeoutSeconds: 10800 };
    spec.sessionAffinityConfig.clientIP.timeoutSeconds ??= 10800;
  }
  if (needsNodePorts(spec.type)) spec.externalTrafficPolicy ??= 'Cluster';
  if (Array.isArray(spec.ports)) {
    for (const p of spec.ports) {
      if (!p || typeof p !== 'object') continue;
      p.protocol ??= 'TCP';
      if (p.targetPort === undefined || p.targetPort === 0 || p.targetPort === '') p.targetPort = p.port;
    }
  }
  // clusterIPs mirrors clusterIP (the allocator fills both when it picks one).
  if (spec.clusterIP && !spec.clusterIPs) spec.clusterIPs = [spec.clusterIP];
  if (!spec.clusterIP && Array.isArray(spec.clusterIPs) && spec.clusterIPs[0]) spec.clusterIP = spec.clusterIPs[0];
}

/** Shape checks independent of what is allocated. */
export function validateService(svc: KubeObject): FieldError[] {
  const errs: FieldError[] = [];
  const spec = svc.spec ?? {};
  const type = spec.type;
  if (!SERVICE_TYPES.includes(type)) {
    errs.push(notSupported('spec.type', type, SERVICE_TYPES));
    return errs;
  }
  if (type === 'ExternalName') {
    if (!spec.externalName) errs.push(required('spec.externalName'));
    else if (typeof spec.externalName !== 'string' || spec.externalName.length > 253 || !DNS1123_SUBDOMAIN.test(spec.externalName.replace(/\.$/, ''))) {
      errs.push(invalid('spec.externalName', spec.externalName, "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character"));
    }
    if (spec.clusterIP && spec.clusterIP !== '') errs.push(invalid('spec.clusterIPs', [spec.clusterIP], 'must be empty for ExternalName services'));
  }
  const ports: any[] = Array.isArray(spec.ports) ? spec.ports : [];
  if (type !== 'ExternalName' && ports.length === 0 && !isHeadless(svc)) errs.push(required('spec.ports'));

  const ip = spec.clusterIP;
  if (ip && ip !== 'None' && ipToInt(ip) === undefined) {
    errs.push(invalid('spec.clusterIPs[0]', ip, 'must be a valid IP address, (e.g. 10.9.8.7 or 2001:db8::ffff)'));
  }
  if (ip === 'None' && needsNodePorts(type)) errs.push(invalid('spec.clusterIPs[0]', 'None', `may not be set to 'None' for ${type} services`));
  if (spec.clusterIP && Array.isArray(spec.clusterIPs) && spec.clusterIPs[0] && spec.clusterIPs[0] !== spec.clusterIP) {
    errs.push(invalid('spec.clusterIPs', spec.clusterIPs, 'must match `spec.clusterIP`'));
  }

  const names = new Set<string>();
  const keys = new Set<string>();
  const nodePorts = new Set<string>();
  ports.forEach((p, i) => {
    const path = `spec.ports[${i}]`;
    if (!p || typeof p !== 'object') {
      errs.push(required(path));
      return;
    }
    if (ports.length > 1 && !p.name) errs.push(required(`${path}.name`));
    if (p.name) {
      if (typeof p.name !== 'string' || p.name.length > 63 || !DNS1123_LABEL.test(p.name)) {
        errs.push(invalid(`${path}.name`, p.name, "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character"));
      } else if (names.has(p.name)) errs.push(duplicate(`${path}.name`, p.name));
      names.add(p.name);
    }
    if (!Number.isInteger(p.port) || p.port < 1 || p.port > 65535) errs.push(invalid(`${path}.port`, p.port, 'must be between 1 and 65535, inclusive'));
    if (!PROTOCOLS.includes(p.protocol)) errs.push(notSupported(`${path}.protocol`, p.protocol, PROTOCOLS));
    const key = `${p.port}/${p.protocol}`;
    if (keys.has(key)) errs.push(duplicate(path, { port: p.port, protocol: p.protocol }));
    keys.add(key);
    const tp = p.targetPort;
    if (typeof tp === 'number') {
      if (!Number.isInteger(tp) || tp < 1 || tp > 65535) errs.push(invalid(`${path}.targetPort`, tp, 'must be between 1 and 65535, inclusive'));
    } else if (typeof tp === 'string') {
      const why = portNameErrors(tp);
      if (why.length) errs.push(invalid(`${path}.targetPort`, tp, why.join(', ')));
    } else errs.push(invalid(`${path}.targetPort`, tp, 'must be a port number or a port name'));
    if (p.nodePort !== undefined && p.nodePort !== 0) {
      if (!needsNodePorts(type)) errs.push(forbidden(`${path}.nodePort`, `may not be used when \`type\` is '${type}'`));
      else if (!Number.isInteger(p.nodePort)) errs.push(invalid(`${path}.nodePort`, p.nodePort, 'must be a port number'));
      else {
        const nk = `${p.nodePort}/${p.protocol}`;
        if (nodePorts.has(nk)) errs.push(duplicate(`${path}.nodePort`, p.nodePort));
        nodePorts.add(nk);
      }
    }
  });

  if (spec.sessionAffinity !== undefined && !['None', 'ClientIP'].includes(spec.sessionAffinity)) {
    errs.push(notSupported('spec.sessionAffinity', spec.sessionAffinity, ['ClientIP', 'None']));
  }
  const t = spec.sessionAffinityConfig?.clientIP?.timeoutSeconds;
  if (spec.sessionAffinity === 'ClientIP' && t !== undefined && (!Number.isInteger(t) || t < 1 || t > 86400)) {
    errs.push(invalid('spec.sessionAffinityConfig.clientIP.timeoutSeconds', t, 'must be greater than 0 and less than 86400'));
  }
  if (spec.externalTrafficPolicy !== undefined) {
    if (!needsNodePorts(type)) errs.push(invalid('spec.externalTrafficPolicy', spec.externalTrafficPolicy, "may only be set when `type` is 'NodePort' or 'LoadBalancer'"));
    else if (!['Cluster', 'Local'].includes(spec.externalTrafficPolicy)) errs.push(notSupported('spec.externalTrafficPolicy', spec.externalTrafficPolicy, ['Cluster', 'Local']));
  }
  if (spec.loadBalancerIP && type !== 'LoadBalancer') {
    errs.push(forbidden('spec.loadBalancerIP', "may only be used when `type` is 'LoadBalancer'"));
  }
  if (spec.selector !== undefined && (typeof spec.selector !== 'object' || spec.selector === null || Array.isArray(spec.selector))) {
    errs.push(invalid('spec.selector', spec.selector, 'must be a map of labels'));
  }
  return errs;
}
