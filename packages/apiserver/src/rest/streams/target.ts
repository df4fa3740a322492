// Which agent and container a stream request goes to: the pod's node (its agent holds a
// Connect stream open to this apiserver) and the container named in the query, checked
// the way kube-apiserver checks them.
import type { KubeObject, Status } from '@k8ts/api';
import type { RestDeps } from '../context.js';
import type { StreamTunnel } from '../../tunnel/types.js';
import { badRequest, failure, restError } from '../status.js';

export interface StreamTarget {
  pod: KubeObject;
  nodeName: string;
  container: string;
  tunnel: StreamTunnel;
}

export async function resolveTarget(deps: RestDeps, namespace: string, name: string, containerParam: string | null, includeInit: boolean): Promise<StreamTarget> {
  const pod = await deps.registry.get('pods', namespace, name);
  const containers: string[] = (pod.spec?.containers ?? []).map((c: { name: string }) => c.name);
  const inits: string[] = (pod.spec?.initContainers ?? []).map((c: { name: string }) => c.name);
  const ephemeral: string[] = (pod.spec?.ephemeralContainers ?? []).map((c: { name: string }) => c.name);
  let container = containerParam ?? '';
  if (!container) {
    if (containers.length === 1) container = containers[0];
    else {
      let msg = `a container name must be specified for pod ${name}, choose one of: [${containers.join(' ')}]`;
      if (includeInit && inits.length) msg += ` or one of the init containers: [${inits.join(' ')}]`;
      throw badRequest(msg);
    }
  } else if (!containers.includes(container) && !inits.includes(container) && !ephemeral.includes(container)) {
    throw badRequest(`container ${container} is not valid for pod ${name}`);
  }
  const nodeName: string | undefined = pod.spec?.nodeName;
  if (!nodeName) throw badRequest(`pod ${name} does not have a host assigned`);
  if (!deps.tunnel) throw restError(503, 'ServiceUnavailable', `no agent connection for node ${nodeName}`);
  return { pod, nodeName, container, tunnel: deps.tunnel };
}

/** The Status an agent sent on close; undefined for success. */
export function closeStatus(statusJson: string | undefined): Status | undefined {
  if (!statusJson) return undefined;
  try {
    const s = JSON.parse(statusJson) as Status;
    if (s.status === 'Success') return undefined;
    return s;
  } catch {
    return failure(500, 'InternalError', statusJson);
  }
}

export function intParam(q: URLSearchParams, name: string): number | undefined {
  const v = q.get(name);
  if (v === null || v === '') return undefined;
  const n = /^[+-]?\d+$/.test(v) ? Number(v) : NaN;
  if (!Number.isSafeInteger(n)) throw badRequest(`invalid ${name}: ${v}`);
  return n;
}
