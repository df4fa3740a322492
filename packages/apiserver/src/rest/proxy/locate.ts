// Where a proxy request goes, as kube-apiserver's ResourceLocation functions decide it
// (pod/strategy.go, service/storage, node/strategy.go), narrowed to what is this cluster's:
// traffic only ever goes through the agent tunnel to a pod of the cluster (the agent dials
// the IP Docker gave the pod's sandbox, not an address a user wrote) or to the agent's own
// ops port. A Service of type ExternalName, an endpoint that is not one of the namespace's
// pods at the pod's own IP, a hostNetwork pod (its "IP" would be the node's loopback) and
// any node port but the agent's are refused with a 400 before a byte moves.
import type { KubeObject } from '@k8ts/api';
import type { Registry } from '../../registry/types.js';
import type { StreamOpenRequest } from '../../tunnel/types.js';
import { badRequest, restError } from '../status.js';
import { portNumber, splitSchemeNamePort } from './names.js';

export interface ProxyTarget {
  nodeName: string;
  open: StreamOpenRequest;
  scheme: 'http' | 'https';
  /** host:port the backend is asked for (its Host header; a Location naming it is rewritten). */
  host: string;
}

const unavailable = (message: string) => restError(503, 'ServiceUnavailable', message);
const q = (s: string) => JSON.stringify(s);

/** A pod the proxy may reach: running, scheduled, on the pod network, with an address. */
function checkPod(pod: KubeObject, name: string): { nodeName: string; ip: string } {
  const ip: string = pod.status?.podIP ?? '';
  if (!ip || pod.spec?.hostNetwork) throw badRequest('address not allowed');
  const phase = pod.status?.phase ?? 'Pending';
  if (phase !== 'Running') throw badRequest(`pod ${q(name)} is not running (phase ${phase})`);
  const nodeName: string | undefined = pod.spec?.nodeName;
  if (!nodeName) throw badRequest(`pod ${name} does not have a host assigned`);
  return { nodeName, ip };
}

function podStream(pod: KubeObject, port: number): StreamOpenRequest {
  return { kind: 'portforward', namespace: pod.metadata.namespace ?? '', pod: pod.metadata.name ?? '', podUid: pod.metadata.uid ?? '', params: { port } };
}

function schemeOf(s: string): 'http' | 'https' {
  return s === 'https' ? 'https' : 'http';
}

/** pods/NAME[:PORT]/proxy: the named pod; no port is the first container port declared, else 80. */
export async function locatePod(registry: Registry, namespace: string, id: string): Promise<ProxyTarget> {
  const parsed = splitSchemeNamePort(id);
  if (!parsed) throw badRequest(`invalid pod request ${q(id)}`);
  const pod = await registry.get('pods', namespace, parsed.name);
  const declared = ((pod.spec?.containers ?? []) as { ports?: { name?: string; containerPort: number }[] }[]).flatMap((c) => c.ports ?? []);
  let port: number | undefined;
  if (!parsed.port) port = declared[0]?.containerPort ?? (parsed.scheme === 'https' ? 443 : 80);
  else port = portNumber(parsed.port) ?? declared.find((p) => p.name === parsed.port)?.containerPort;
  if (!port) throw badRequest(`invalid port ${q(parsed.port)} for pod ${q(parsed.name)}: a number from 1 to 65535 or the name of a container port`);
  const { nodeName, ip } = checkPod(pod, parsed.name);
  return { nodeName, open: podStream(pod, port), scheme: schemeOf(parsed.scheme), host: `${ip}:${port}` };
}

interface EndpointAddress {
  ip: string;
  targetRef?: { kind?: string; namespace?: string; name?: string };
}
interface Subset {
  addresses?: EndpointAddress[];
  ports?: { name?: string; port: number }[];
}

function shuffled<T>(xs: T[]): T[] {
  const start = Math.floor(Math.random() * Math.max(xs.length, 1));
  return [...xs.slice(start), ...xs.slice(0, start)];
}

/**
 * services/NAME[:PORT]/proxy: a ready endpoint of the Service. A port number names the
 * Service port with that number; a name is matched against the endpoints' port names.
 */
export async function locateService(registry: Registry, namespace: string, id: string): Promise<ProxyTarget> {
  const parsed = splitSchemeNamePort(id);
  if (!parsed) throw badRequest(`invalid service request ${q(id)}`);
  const svc = await registry.get('services', namespace, parsed.name);
  if (svc.spec?.type === 'ExternalName') {
    throw badRequest(`service ${q(parsed.name)} is of type ExternalName: the proxy only reaches the cluster's pods`);
  }
  let portName = parsed.port;
  const asNumber = portNumber(parsed.port);
  if (parsed.port && /^\d+$/.test(parsed.port)) {
    const found = ((svc.spec?.ports ?? []) as { name?: string; port: number }[]).find((p) => p.port === asNumber);
    if (!found) throw unavailable(`no service port ${parsed.port} found for service ${q(parsed.name)}`);
    portName = found.name ?? '';
  }
  const eps = await registry.get('endpoints', namespace, parsed.name);
  const subsets = (eps.subsets ?? []) as Subset[];
  if (subsets.length === 0) throw unavailable(`no endpoints available for service ${q(parsed.name)}`);
  let outside = false;
  for (const ss of shuffled(subsets)) {
    const port = ss.ports?.find((p) => (p.name ?? '') === portName);
    if (!port || !ss.addresses?.length) continue;
    for (const addr of shuffled(ss.addresses)) {
      // upstream's isValidAddress: a pod of this namespace whose IP is the endpoint's
      const ref = addr.targetRef;
      if (ref?.kind !== 'Pod' || ref.namespace !== namespace || !ref.name) {
        outside = true;
        continue;
      }
      const pod = await registry.get('pods', namespace, ref.name).catch(() => undefined);
      if (!pod || pod.status?.phase !== 'Running' || !pod.spec?.nodeName) continue;
      const ips = [pod.status?.podIP, ...((pod.status?.podIPs ?? []) as { ip: string }[]).map((p) => p.ip)];
      if (!ips.includes(addr.ip) || pod.spec?.hostNetwork) {
        outside = true;
        continue;
      }
      return { nodeName: pod.spec.nodeName, open: podStream(pod, port.port), scheme: schemeOf(parsed.scheme), host: `${addr.ip}:${port.port}` };
    }
  }
  if (outside) throw badRequest(`no endpoint of service ${q(parsed.name)} is a pod of this cluster at its own address: the proxy only reaches the cluster's pods`);
  throw unavailable(`no endpoints available for service ${q(id)}`);
}

/** nodes/NAME[:PORT]/proxy: the agent's ops endpoint (/healthz, /metrics, …), the node's kubelet port. */
export async function locateNode(registry: Registry, id: string): Promise<ProxyTarget> {
  const parsed = splitSchemeNamePort(id);
  if (!parsed) throw badRequest(`invalid node request ${q(id)}`);
  const node = await registry.get('nodes', '', parsed.name);
  const agentPort = Number(node.status?.daemonEndpoints?.kubeletEndpoint?.Port ?? 0);
  if (parsed.port && parsed.port !== String(agentPort)) {
    throw badRequest(`node ${q(parsed.name)}: only the agent's port ${agentPort} is proxied, not ${q(parsed.port)}`);
  }
  return { nodeName: parsed.name, open: { kind: 'nodeproxy', namespace: '', pod: '', podUid: '', params: {} }, scheme: 'http', host: `127.0.0.1:${agentPort}` };
}
