// Containers: names, images, ports, env, mounts, probes, resources.
import { isDNS1123Label } from '../selectors/label-syntax.js';
import { type FieldError, duplicate, invalid, notFound, notSupported, required } from './field-error.js';
import { checkQuantity, isValidPortName, isValidPortNum, validateLocalDescendingPath, validateNonNegative, validatePortNumOrName } from './common.js';
import { isQualifiedName } from '../selectors/label-syntax.js';

const PROTOCOLS = ['SCTP', 'TCP', 'UDP'];
const PULL_POLICIES = ['Always', 'IfNotPresent', 'Never'];
const envNameRe = /^[-._a-zA-Z][-._a-zA-Z0-9]*$/;
const STANDARD_RESOURCES = ['cpu', 'memory', 'ephemeral-storage'];

function validatePorts(ports: any[] | undefined, fld: string): FieldError[] {
  const errs: FieldError[] = [];
  const names = new Set<string>();
  (ports ?? []).forEach((p: any, i: number) => {
    const pp = `${fld}[${i}]`;
    if (p?.name) {
      const msgs = isValidPortName(p.name);
      if (msgs.length) for (const m of msgs) errs.push(invalid(`${pp}.name`, p.name, m));
      else if (names.has(p.name)) errs.push(duplicate(`${pp}.name`, p.name));
      else names.add(p.name);
    }
    if (!p?.containerPort) errs.push(required(`${pp}.containerPort`));
    else for (const m of isValidPortNum(p.containerPort)) errs.push(invalid(`${pp}.containerPort`, p.containerPort, m));
    if (p?.hostPort) for (const m of isValidPortNum(p.hostPort)) errs.push(invalid(`${pp}.hostPort`, p.hostPort, m));
    if (p?.protocol !== undefined && !PROTOCOLS.includes(p.protocol)) errs.push(notSupported(`${pp}.protocol`, p.protocol, PROTOCOLS));
  });
  return errs;
}

function validateEnv(env: any[] | undefined, fld: string): FieldError[] {
  const errs: FieldError[] = [];
  (env ?? []).forEach((e: any, i: number) => {
    const p = `${fld}[${i}]`;
    if (!e?.name) errs.push(required(`${p}.name`));
    else if (!envNameRe.test(e.name))
      errs.push(
        invalid(
          `${p}.name`,
          e.name,
          "a valid environment variable name must consist of alphabetic characters, digits, '_', '-', or '.', and must not start with a digit (e.g. 'my.env-name',  or 'MY_ENV.NAME',  or 'MyEnvName1', regex used for validation is '[-._a-zA-Z][-._a-zA-Z0-9]*')",
        ),
      );
    const vf = e?.valueFrom;
    if (vf) {
      const sources = ['fieldRef', 'resourceFieldRef', 'configMapKeyRef', 'secretKeyRef'].filter((k) => vf[k]);
      if (e.value) errs.push(invalid(`${p}.valueFrom`, '', 'may not be specified when `value` is not empty'));
      if (sources.length === 0) errs.push(invalid(`${p}.valueFrom`, '', 'must specify one of: `fieldRef`, `resourceFieldRef`, `configMapKeyRef` or `secretKeyRef`'));
      else if (sources.length > 1) errs.push(invalid(`${p}.valueFrom`, '', 'may not have more than one field specified at a time'));
      if (vf.fieldRef && !vf.fieldRef.fieldPath) errs.push(required(`${p}.valueFrom.fieldRef.fieldPath`));
      for (const k of ['configMapKeyRef', 'secretKeyRef']) if (vf[k] && !vf[k].key) errs.push(required(`${p}.valueFrom.${k}.key`));
    }
  });
  return errs;
}

function validateVolumeMounts(mounts: any[] | undefined, volumes: Set<string>, fld: string): FieldError[] {
  const errs: FieldError[] = [];
  const paths = new Set<string>();
  (mounts ?? []).forEach((m: any, i: number) => {
    const p = `${fld}[${i}]`;
    if (!m?.name) errs.push(required(`${p}.name`));
    else if (!volumes.has(m.name)) errs.push(notFound(`${p}.name`, m.name));
    if (!m?.mountPath) errs.push(required(`${p}.mountPath`));
    else if (paths.has(m.mountPath)) errs.push(invalid(`${p}.mountPath`, m.mountPath, 'must be unique'));
    else paths.add(m.mountPath);
    errs.push(...validateLocalDescendingPath(m?.subPath, `${p}.subPath`));
    if (m?.subPath && m?.subPathExpr) errs.push(invalid(`${p}.subPathExpr`, m.subPathExpr, 'subPathExpr and subPath are mutually exclusive'));
  });
  return errs;
}

function validateHandler(h: any, fld: string, errs: FieldError[]): void {
  const kinds = ['exec', 'httpGet', 'tcpSocket', 'grpc', 'sleep'].filter((k) => h?.[k]);
  if (kinds.length === 0) {
    errs.push(required(fld, 'must specify a handler type'));
    return;
  }
  if (kinds.length > 1) errs.push(invalid(`${fld}.${kinds[1]}`, '', 'may not specify more than 1 handler type'));
  if (h.exec && !(h.exec.command?.length > 0)) errs.push(required(`${fld}.exec.command`));
  if (h.httpGet) {
    errs.push(...validatePortNumOrName(h.httpGet.port, `${fld}.httpGet.port`));
    if (h.httpGet.scheme && !['HTTP', 'HTTPS'].includes(h.httpGet.scheme)) errs.push(notSupported(`${fld}.httpGet.scheme`, h.httpGet.scheme, ['HTTP', 'HTTPS']));
  }
  if (h.tcpSocket) errs.push(...validatePortNumOrName(h.tcpSocket.port, `${fld}.tcpSocket.port`));
  if (h.grpc) for (const m of isValidPortNum(h.grpc.port)) errs.push(invalid(`${fld}.grpc.port`, h.grpc.port, m));
}

function validateProbe(probe: any, fld: string, kind: 'liveness' | 'readiness' | 'startup'): FieldError[] {
  if (!probe) return [];
  const errs: FieldError[] = [];
  validateHandler(probe, fld, errs);
  for (const k of ['initialDelaySeconds', 'timeoutSeconds', 'periodSeconds', 'successThreshold', 'failureThreshold', 'terminationGracePeriodSeconds'])
    errs.push(...validateNonNegative(probe[k], `${fld}.${k}`));
  if ((kind === 'liveness' || kind === 'startup') && probe.successThreshold !== undefined && probe.successThreshold !== 1)
    errs.push(invalid(`${fld}.successThreshold`, probe.successThreshold, 'must be 1'));
  return errs;
}

function isExtendedResource(name: string): boolean {
  return !STANDARD_RESOURCES.includes(name) && !name.startsWith('hugepages-') && !name.startsWith('requests.') && name.includes('/') && !name.startsWith('kubernetes.io/');
}

function validateResourceName(name: string, fld: string): FieldError[] {
  if (STANDARD_RESOURCES.includes(name) || name.startsWith('hugepages-')) return [];
  const msgs = isQualifiedName(name);
  if (msgs.length) return msgs.map((m) => invalid(fld, name, m));
  // Extended resources must be domain-qualified.
  if (!name.includes('/')) return [invalid(fld, name, 'must be a standard resource type or fully qualified')];
  return [];
}

export function validateResources(res: any, fld: string): FieldError[] {
  if (!res) return [];
  const errs: FieldError[] = [];
  const values: Record<'limits' | 'requests', Record<string, number>> = { limits: {}, requests: {} };
  for (const kind of ['limits', 'requests'] as const) {
    for (const [name, q] of Object.entries(res[kind] ?? {})) {
      const p = `${fld}.${kind}[${name}]`;
      errs.push(...validateResourceName(name, p));
      const v = checkQuantity(q, p, errs);
      if (v === undefined) continue;
      if (v < 0) errs.push(invalid(p, q, 'must be greater than or equal to 0'));
      values[kind][name] = v;
    }
  }
  for (const [name, req] of Object.entries(values.requests)) {
    const lim = values.limits[name];
    if (isExtendedResource(name)) {
      // Extended resources (nvidia.com/gpu, ...) cannot be overcommitted: request == limit.
      if (lim === undefined) errs.push(required(`${fld}.limits`, 'Limit must be set for non overcommitable resources'));
      else if (req !== lim) errs.push(invalid(`${fld}.requests`, String(res.requests[name]), `must be equal to ${name} limit of ${res.limits[name]}`));
      if (!Number.isInteger(req)) errs.push(invalid(`${fld}.requests[${name}]`, res.requests[name], 'must be an integer'));
      continue;
    }
    if (lim !== undefined && req > lim)
      errs.push(invalid(`${fld}.requests`, String(res.requests[name]), `must be less than or equal to ${name} limit of ${res.limits[name]}`));
  }
  return errs;
}

export interface ContainerContext {
  volumes: Set<string>;
  names: Set<string>;
  init: boolean;
  hostNetwork?: boolean;
}

export function validateContainer(c: any, fld: string, ctx: ContainerContext): FieldError[] {
  const errs: FieldError[] = [];
  if (c === null || typeof c !== 'object') return [invalid(fld, c, 'must be an object')];
  if (!c.name) errs.push(required(`${fld}.name`));
  else {
    for (const m of isDNS1123Label(String(c.name))) errs.push(invalid(`${fld}.name`, c.name, m));
    if (ctx.names.has(c.name)) errs.push(duplicate(`${fld}.name`, c.name));
    ctx.names.add(c.name);
  }
  if (!c.image) errs.push(required(`${fld}.image`));
  else if (typeof c.image !== 'string' || c.image.trim() !== c.image)
    errs.push(invalid(`${fld}.image`, c.image, 'must not have leading or trailing whitespace'));
  if (c.imagePullPolicy !== undefined && !PULL_POLICIES.includes(c.imagePullPolicy))
    errs.push(notSupported(`${fld}.imagePullPolicy`, c.imagePullPolicy, PULL_POLICIES));
  if (c.terminationMessagePolicy !== undefined && !['File', 'FallbackToLogsOnError'].includes(c.terminationMessagePolicy))
    errs.push(notSupported(`${fld}.terminationMessagePolicy`, c.terminationMessagePolicy, ['File', 'FallbackToLogsOnError']));
  errs.push(...validatePorts(c.ports, `${fld}.ports`));
  if (ctx.hostNetwork)
    (c.ports ?? []).forEach((p: any, i: number) => {
      if (p?.hostPort && p.hostPort !== p.containerPort)
        errs.push(invalid(`${fld}.ports[${i}].hostPort`, p.hostPort, 'must match `containerPort` when `hostNetwork` is true'));
    });
  errs.push(...validateEnv(c.env, `${fld}.env`));
  errs.push(...validateVolumeMounts(c.volumeMounts, ctx.volumes, `${fld}.volumeMounts`));
  errs.push(...validateResources(c.resources, `${fld}.resources`));
  if (ctx.init && c.restartPolicy !== 'Always') {
    // Plain init containers run to completion: probes and lifecycle hooks are not allowed.
    for (const k of ['livenessProbe', 'readinessProbe', 'startupProbe', 'lifecycle'])
      if (c[k]) errs.push(invalid(`${fld}.${k}`, '', `may not be set for init containers without restartPolicy=Always`));
  } else {
    errs.push(...validateProbe(c.livenessProbe, `${fld}.livenessProbe`, 'liveness'));
    errs.push(...validateProbe(c.readinessProbe, `${fld}.readinessProbe`, 'readiness'));
    errs.push(...validateProbe(c.startupProbe, `${fld}.startupProbe`, 'startup'));
  }
  if (ctx.init && c.restartPolicy !== undefined && c.restartPolicy !== 'Always')
    errs.push(notSupported(`${fld}.restartPolicy`, c.restartPolicy, ['Always']));
  if (!ctx.init && c.restartPolicy !== undefined) errs.push(invalid(`${fld}.restartPolicy`, c.restartPolicy, 'may not be set for non-init containers'));
  if (c.lifecycle) {
    if (c.lifecycle.postStart) validateHandler(c.lifecycle.postStart, `${fld}.lifecycle.postStart`, errs);
    if (c.lifecycle.preStop) validateHandler(c.lifecycle.preStop, `${fld}.lifecycle.preStop`, errs);
  }
  return errs;
}
