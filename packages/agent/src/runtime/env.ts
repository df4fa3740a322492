// A container's environment as Kubernetes builds it: envFrom first, then env (later wins),
// valueFrom resolved against the API and the pod, and $(VAR) references expanded.
import { cpuMillis, quantityValue, type Container, type Pod } from '@k8ts/api';
import { ConfigError, type ObjectLookup } from './config-error.js';

export interface PodRuntimeFacts {
  podIP: string;
  hostIP: string;
  nodeName: string;
}

/** $(VAR) → value of VAR when defined; $$(VAR) → literal $(VAR); unknown references stay. */
export function expandVars(input: string, vars: Map<string, string>): string {
  return input.replace(/\$\$|\$\(([A-Za-z_][A-Za-z0-9_.-]*)\)/g, (m, name: string | undefined) => {
    if (m === '$$') return '$';
    return name !== undefined && vars.has(name) ? vars.get(name)! : m;
  });
}

function decodeSecret(data: Record<string, string> | undefined, stringData?: Record<string, string>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(data ?? {})) out[k] = Buffer.from(v, 'base64').toString('utf8');
  for (const [k, v] of Object.entries(stringData ?? {})) out[k] = v;
  return out;
}

export function fieldRefValue(pod: Pod, fieldPath: string, facts: PodRuntimeFacts): string {
  const meta = pod.metadata ?? {};
  const m = fieldPath.match(/^metadata\.(labels|annotations)\['(.+)'\]$/);
  if (m) return (m[1] === 'labels' ? meta.labels : meta.annotations)?.[m[2]] ?? '';
  switch (fieldPath) {
    case 'metadata.name':
      return meta.name ?? '';
    case 'metadata.namespace':
      return meta.namespace ?? 'default';
    case 'metadata.uid':
      return meta.uid ?? '';
    case 'spec.nodeName':
      return pod.spec?.nodeName ?? facts.nodeName;
    case 'spec.serviceAccountName':
      return pod.spec?.serviceAccountName ?? 'default';
    case 'status.podIP':
    case 'status.podIPs':
      return facts.podIP;
    case 'status.hostIP':
    case 'status.hostIPs':
      return facts.hostIP;
    default:
      throw new ConfigError(`unsupported fieldPath: ${fieldPath}`);
  }
}

/**
 * resourceFieldRef as the kubelet resolves it (ExtractContainerResourceValue): CPU in whole
 * divisor units of its millicores, everything else of its value, rounded up; quantities are
 * @k8ts/api's, so integer millicores keep 70m / 10m at 7.
 */
function resourceFieldValue(container: Container, resource: string, divisor?: string): string {
  const [kind, name] = resource.split('.') as ['limits' | 'requests', string];
  const q = container.resources?.[kind]?.[name];
  if (q === undefined) return '0';
  const cpu = name === 'cpu';
  const value = cpu ? cpuMillis : quantityValue;
  try {
    const unit = divisor ? value(divisor) : cpu ? 1000 : 1;
    if (unit <= 0) throw new Error(`divisor ${divisor} is not positive`);
    return String(Math.ceil(value(q) / unit));
  } catch (e) {
    throw new ConfigError(`resourceFieldRef ${resource}: ${(e as Error).message}`);
  }
}

export async function buildEnv(pod: Pod, container: Container, facts: PodRuntimeFacts, lookup: ObjectLookup): Promise<Map<string, string>> {
  const ns = pod.metadata?.namespace ?? 'default';
  const vars = new Map<string, string>();
  // The kubelet gives every container the kubernetes Service's variables first; the pod's own env may override them.
  const api = await lookup.kubernetesService?.();
  if (api) for (const [k, v] of kubernetesServiceEnv(api.host, api.port)) vars.set(k, v);
  for (const src of container.envFrom ?? []) {
    const prefix = src.prefix ?? '';
    if (src.configMapRef) {
      const cm = await lookup.configMap(ns, src.configMapRef.name ?? '');
      if (!cm) {
        if (src.configMapRef.optional) continue;
        throw new ConfigError(`configmap "${src.configMapRef.name}" not found`);
      }
      for (const [k, v] of Object.entries(cm.data ?? {})) vars.set(prefix + k, v);
    } else if (src.secretRef) {
      const s = await lookup.secret(ns, src.secretRef.name ?? '');
      if (!s) {
        if (src.secretRef.optional) continue;
        throw new ConfigError(`secret "${src.secretRef.name}" not found`);
      }
      for (const [k, v] of Object.entries(decodeSecret(s.data, s.stringData))) vars.set(prefix + k, v);
    }
  }
  for (const e of container.env ?? []) {
    if (!e.valueFrom) {
      vars.set(e.name, expandVars(e.value ?? '', vars));
      continue;
    }
    const vf = e.valueFrom;
    if (vf.fieldRef) {
      vars.set(e.name, fieldRefValue(pod, vf.fieldRef.fieldPath, facts));
    } else if (vf.resourceFieldRef) {
      vars.set(e.name, resourceFieldValue(container, vf.resourceFieldRef.resource, vf.resourceFieldRef.divisor as string | undefined));
    } else if (vf.configMapKeyRef) {
      const ref = vf.configMapKeyRef;
      const cm = await lookup.configMap(ns, ref.name ?? '');
      const v = cm?.data?.[ref.key];
      if (v === undefined) {
        if (ref.optional) continue;
        throw new ConfigError(cm ? `couldn't find key ${ref.key} in ConfigMap ${ns}/${ref.name}` : `configmap "${ref.name}" not found`);
      }
      vars.set(e.name, v);
    } else if (vf.secretKeyRef) {
      const ref = vf.secretKeyRef;
      const s = await lookup.secret(ns, ref.name ?? '');
      const v = s ? decodeSecret(s.data, s.stringData)[ref.key] : undefined;
      if (v === undefined) {
        if (ref.optional) continue;
        throw new ConfigError(s ? `couldn't find key ${ref.key} in Secret ${ns}/${ref.name}` : `secret "${ref.name}" not found`);
      }
      vars.set(e.name, v);
    }
  }
  return vars;
}

export function envList(vars: Map<string, string>): string[] {
  return [...vars].map(([k, v]) => `${k}=${v}`);
}

/** The docker-links style variables the kubelet sets for the `kubernetes` Service (port name https). */
export function kubernetesServiceEnv(host: string, port: number): [string, string][] {
  const url = `tcp://${host}:${port}`;
  return [
    ['KUBERNETES_SERVICE_HOST', host],
    ['KUBERNETES_SERVICE_PORT', String(port)],
    ['KUBERNETES_SERVICE_PORT_HTTPS', String(port)],
    ['KUBERNETES_PORT', url],
    [`KUBERNETES_PORT_${port}_TCP`, url],
    [`KUBERNETES_PORT_${port}_TCP_PROTO`, 'tcp'],
    [`KUBERNETES_PORT_${port}_TCP_PORT`, String(port)],
    [`KUBERNETES_PORT_${port}_TCP_ADDR`, host],
  ];
}
