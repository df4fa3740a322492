// Ingress and IngressClass validation (pkg/apis/networking/validation/validation.go), in
// Kubernetes' words and field paths.
import { isIP } from 'node:net';
import { dns1123SubdomainFmt, isDNS1123Subdomain, maxLenError, regexError } from '../selectors/label-syntax.js';
import { isValidPortName, isValidPortNum } from './common.js';
import { type FieldError, GoLiteral, forbidden, invalid, notSupported, required, tooLong } from './field-error.js';
import { nameIsDNS1035Label } from './meta.js';

export const PATH_TYPES = ['Exact', 'ImplementationSpecific', 'Prefix'] as const;
/** The annotation that named an Ingress's class before spec.ingressClassName. */
export const INGRESS_CLASS_ANNOTATION = 'kubernetes.io/ingress.class';
const INVALID_PATH_SEQUENCES = ['//', '/./', '/../', '%2f', '%2F'];
const INVALID_PATH_SUFFIXES = ['/..', '/.'];
const MAX_CONTROLLER_LENGTH = 250;

const wildcardFmt = `\\*\\.${dns1123SubdomainFmt}`;
const wildcardRe = new RegExp(`^${wildcardFmt}$`);

/** validation.IsWildcardDNS1123Subdomain. */
export function isWildcardDNS1123Subdomain(value: string): string[] {
  const errs: string[] = [];
  if (value.length > 253) errs.push(maxLenError(253));
  if (!wildcardRe.test(value))
    errs.push(
      regexError(
        "a wildcard DNS-1123 subdomain must start with '*.', followed by a valid DNS subdomain, which must consist of lower case alphanumeric characters, '-' or '.' and end with an alphanumeric character",
        wildcardFmt,
        '*.example.com',
      ),
    );
  return errs;
}

/** pathvalidation.IsValidPathSegmentName. */
function pathSegmentErrors(name: string): string[] {
  if (name === '.' || name === '..') return [`may not be '${name}'`];
  return ['/', '%'].filter((c) => name.includes(c)).map((c) => `may not contain '${c}'`);
}

const str = (v: unknown): string => (typeof v === 'string' ? v : '');

function validateTypedLocalObjectReference(ref: any, fld: string): FieldError[] {
  const errs: FieldError[] = [];
  if (typeof ref?.apiGroup === 'string') for (const m of isDNS1123Subdomain(ref.apiGroup)) errs.push(invalid(`${fld}.apiGroup`, ref.apiGroup, m));
  for (const k of ['kind', 'name'] as const) {
    const v = str(ref?.[k]);
    if (!v) errs.push(required(`${fld}.${k}`, `${k} is required`));
    else for (const m of pathSegmentErrors(v)) errs.push(invalid(`${fld}.${k}`, v, m));
  }
  return errs;
}

function validateIngressBackend(b: any, fld: string): FieldError[] {
  const hasResource = b?.resource !== undefined && b?.resource !== null;
  const hasService = b?.service !== undefined && b?.service !== null;
  if (hasResource && hasService) return [invalid(fld, '', 'cannot set both resource and service backends')];
  if (hasResource) return validateTypedLocalObjectReference(b.resource, `${fld}.resource`);
  if (!hasService) return [invalid(fld, '', 'resource or service backend is required')];
  const errs: FieldError[] = [];
  const name = str(b.service.name);
  if (!name) errs.push(required(`${fld}.service.name`));
  else for (const m of nameIsDNS1035Label(name, false)) errs.push(invalid(`${fld}.service.name`, name, m));
  const portName = str(b.service.port?.name);
  const portNumber = b.service.port?.number ?? 0;
  if (portName && portNumber !== 0) errs.push(invalid(fld, '', 'cannot set both port name & port number'));
  else if (portName) for (const m of isValidPortName(portName)) errs.push(invalid(`${fld}.service.port.name`, portName, m));
  else if (portNumber !== 0) for (const m of isValidPortNum(portNumber)) errs.push(invalid(`${fld}.service.port.number`, portNumber, m));
  else errs.push(required(fld, 'port name or number is required'));
  return errs;
}

function validateHTTPIngressPath(p: any, fld: string): FieldError[] {
  const pathType = p?.pathType;
  if (pathType === undefined || pathType === null) return [required(`${fld}.pathType`, 'pathType must be specified')];
  const errs: FieldError[] = [];
  const path = str(p.path);
  if (pathType === 'Exact' || pathType === 'Prefix') {
    if (!path.startsWith('/')) errs.push(invalid(`${fld}.path`, path, 'must be an absolute path'));
    for (const seq of INVALID_PATH_SEQUENCES) if (path.includes(seq)) errs.push(invalid(`${fld}.path`, path, `must not contain '${seq}'`));
    for (const suf of INVALID_PATH_SUFFIXES) if (path.endsWith(suf)) errs.push(invalid(`${fld}.path`, path, `cannot end with '${suf}'`));
  } else if (pathType === 'ImplementationSpecific') {
    if (path && !path.startsWith('/')) errs.push(invalid(`${fld}.path`, path, 'must be an absolute path'));
  } else {
    errs.push(notSupported(`${fld}.pathType`, pathType, PATH_TYPES));
  }
  errs.push(...validateIngressBackend(p.backend, `${fld}.backend`));
  return errs;
}

/** Host errors of an Ingress rule or TLS host: a DNS name (wildcards allowed as `*.x`), never an IP. */
function hostErrors(host: string, fld: string, rejectIP: boolean): FieldError[] {
  const errs: FieldError[] = [];
  if (rejectIP && isIP(host)) errs.push(invalid(fld, host, 'must be a DNS name, not an IP address'));
  const msgs = host.includes('*') ? isWildcardDNS1123Subdomain(host) : isDNS1123Subdomain(host);
  for (const m of msgs) errs.push(invalid(fld, host, m));
  return errs;
}

function validateIngressRules(rules: any[], fld: string): FieldError[] {
  const errs: FieldError[] = [];
  rules.forEach((rule, i) => {
    const host = str(rule?.host);
    if (host) errs.push(...hostErrors(host, `${fld}[${i}].host`, true));
    const http = rule?.http;
    if (http === undefined || http === null) return;
    const paths: any[] = Array.isArray(http.paths) ? http.paths : [];
    if (paths.length === 0) errs.push(required(`${fld}[${i}].http.paths`));
    paths.forEach((p, j) => errs.push(...validateHTTPIngressPath(p, `${fld}[${i}].http.paths[${j}]`)));
  });
  return errs;
}

function validateIngressTLS(tls: any[], fld: string): FieldError[] {
  const errs: FieldError[] = [];
  tls.forEach((t, i) => {
    ((Array.isArray(t?.hosts) ? t.hosts : []) as unknown[]).forEach((h, j) => errs.push(...hostErrors(str(h), `${fld}[${i}].hosts[${j}]`, false)));
    const secret = str(t?.secretName);
    if (secret) for (const m of isDNS1123Subdomain(secret)) errs.push(invalid(`${fld}[${i}].secretName`, secret, m));
  });
  return errs;
}

export function validateIngress(obj: any): FieldError[] {
  const spec = obj.spec ?? {};
  const errs: FieldError[] = [];
  const rules: any[] = Array.isArray(spec.rules) ? spec.rules : [];
  const hasDefault = spec.defaultBackend !== undefined && spec.defaultBackend !== null;
  if (rules.length === 0 && !hasDefault) errs.push(invalid('spec', new GoLiteral(Array.isArray(spec.rules) ? '[]networking.IngressRule{}' : '[]networking.IngressRule(nil)'), 'either `defaultBackend` or `rules` must be specified'));
  if (hasDefault) errs.push(...validateIngressBackend(spec.defaultBackend, 'spec.defaultBackend'));
  if (rules.length) errs.push(...validateIngressRules(rules, 'spec.rules'));
  if (Array.isArray(spec.tls) && spec.tls.length) errs.push(...validateIngressTLS(spec.tls, 'spec.tls'));
  if (typeof spec.ingressClassName === 'string')
    for (const m of isDNS1123Subdomain(spec.ingressClassName)) errs.push(invalid('spec.ingressClassName', spec.ingressClassName, m));
  const annotation = obj.metadata?.annotations?.[INGRESS_CLASS_ANNOTATION];
  if (typeof annotation === 'string' && typeof spec.ingressClassName === 'string' && annotation !== spec.ingressClassName)
    errs.push(invalid(`metadata.annotations.${INGRESS_CLASS_ANNOTATION}`, annotation, 'must match `ingressClassName` when both are specified'));
  return errs;
}

/** ValidateIngressStatusUpdate: the load balancer's addresses (an IP, or a host name that is not one). */
export function validateIngressStatusUpdate(obj: any, _old: any, subresource: string): FieldError[] {
  if (subresource !== 'status') return [];
  const errs: FieldError[] = [];
  const ingress: any[] = Array.isArray(obj.status?.loadBalancer?.ingress) ? obj.status.loadBalancer.ingress : [];
  ingress.forEach((ing, i) => {
    const fld = `status.loadBalancer.ingress[${i}]`;
    const ip = str(ing?.ip);
    if (ip && !isIP(ip)) errs.push(invalid(`${fld}.ip`, ip, 'must be a valid IP address'));
    const host = str(ing?.hostname);
    if (host) {
      for (const m of isDNS1123Subdomain(host)) errs.push(invalid(`${fld}.hostname`, host, m));
      if (isIP(host)) errs.push(invalid(`${fld}.hostname`, host, 'must be a DNS name, not an IP address'));
    }
    ((Array.isArray(ing?.ports) ? ing.ports : []) as any[]).forEach((p, j) => {
      for (const m of isValidPortNum(p?.port)) errs.push(invalid(`${fld}.ports[${j}].port`, p?.port ?? 0, m));
      if (!['TCP', 'UDP', 'SCTP'].includes(p?.protocol)) errs.push(notSupported(`${fld}.ports[${j}].protocol`, p?.protocol ?? '', ['SCTP', 'TCP', 'UDP']));
    });
  });
  return errs;
}

/** validation.IsDomainPrefixedPath. */
function domainPrefixedPathErrors(value: string, fld: string): FieldError[] {
  if (!value) return [required(fld)];
  const slash = value.indexOf('/');
  const host = slash < 0 ? '' : value.slice(0, slash);
  const path = slash < 0 ? '' : value.slice(slash + 1);
  if (!host || !path) return [invalid(fld, value, 'must be a domain-prefixed path (such as "acme.io/foo")')];
  const errs = isDNS1123Subdomain(host).map((m) => invalid(fld, host, m));
  const pathFmt = "[A-Za-z0-9/\\-._~%!$&'()*+,;=:]+";
  if (!new RegExp(`^${pathFmt}$`).test(path)) errs.push(invalid(fld, path, regexError('Invalid path', pathFmt)));
  return errs;
}

function validateParametersReference(p: any, fld: string): FieldError[] {
  if (p === undefined || p === null) return [];
  const errs = validateTypedLocalObjectReference(p, fld);
  const scope = p.scope;
  if (scope === undefined || scope === null) return [...errs, required(`${fld}.scope`)];
  if (scope === 'Namespace') {
    if (!str(p.namespace)) errs.push(required(`${fld}.namespace`, '`parameters.scope` is set to "Namespace"'));
    else for (const m of isDNS1123Subdomain(p.namespace)) errs.push(invalid(`${fld}.namespace`, p.namespace, m));
  } else if (scope === 'Cluster') {
    if (p.namespace !== undefined && p.namespace !== null) errs.push(forbidden(`${fld}.namespace`, '`parameters.scope` is set to "Cluster"'));
  } else errs.push(notSupported(`${fld}.scope`, scope, ['Cluster', 'Namespace']));
  return errs;
}

export function validateIngressClass(obj: any): FieldError[] {
  const spec = obj.spec ?? {};
  const controller = str(spec.controller);
  const errs: FieldError[] = [];
  if (controller.length > MAX_CONTROLLER_LENGTH) errs.push(tooLong('spec.controller', MAX_CONTROLLER_LENGTH));
  errs.push(...domainPrefixedPathErrors(controller, 'spec.controller'));
  errs.push(...validateParametersReference(spec.parameters, 'spec.parameters'));
  return errs;
}

export function validateIngressClassUpdate(obj: any, old: any): FieldError[] {
  const now = str(obj.spec?.controller);
  return now !== str(old.spec?.controller) ? [invalid('spec.controller', now, 'field is immutable')] : [];
}
