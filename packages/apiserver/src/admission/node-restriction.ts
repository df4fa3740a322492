// NodeRestriction admission (kube-apiserver's plugin/pkg/admission/noderestriction): the Node
// authorizer lets every node write nodes, leases, pods and their status; this narrows each
// write to what is the node's own: its Node (without touching its taints or labels outside
// the kubelet's set), its Lease in kube-node-lease, the status and deletion of pods bound to
// it, evictions of those pods, and tokens bound to them. k8ts runs no static pods, so a node
// creates no pods at all (Kubernetes allows mirror pods only). Beyond Kubernetes, as issue
// 13 asks, a node's events must be about itself or a pod bound to it.
import type { KubeObject } from '@k8ts/api';
import { forbidden, isNotFound } from '@k8ts/api';
import type { AdmissionPlugin, AdmissionRequest } from '../registry/admission.js';
import type { Registry } from '../registry/types.js';
import { deepEqual } from '../registry/object-utils.js';
import { nodeIdentity } from '../authz/node/identity.js';
import { NODE_LEASE_NAMESPACE } from '../authz/node/decisions.js';
import { forbiddenLabels, modifiedLabels } from './node-labels.js';
import { RecentPodBindings } from './recent-pod-bindings.js';

const MIRROR_POD_ANNOTATION = 'kubernetes.io/config.mirror';

export interface NodeRestrictionDeps {
  /** Where pods named by evictions, token requests and events are read. */
  registry: Pick<Registry, 'get'>;
}

type Obj = Record<string, any>;

/** admission.NewForbidden: `<resource> "<name>" is forbidden: <why>`, the name from the request or the object. */
function refuse(req: AdmissionRequest, why: string): Error {
  const name = req.name || (req.object?.metadata?.name ?? '');
  return forbidden(req.resource, name, why);
}

export function createNodeRestriction(deps: NodeRestrictionDeps): AdmissionPlugin {
  const recent = new RecentPodBindings();
  const podOf = async (req: AdmissionRequest, ns: string, name: string): Promise<KubeObject> => {
    try {
      return await deps.registry.get('pods', ns, name);
    } catch (err) {
      if (isNotFound(err)) throw err;
      throw refuse(req, (err as Error).message);
    }
  };

  return {
    name: 'NodeRestriction',
    async validate(req) {
      const { isNode, nodeName } = nodeIdentity(req.user);
      if (!isNode) return;
      if (!nodeName) throw refuse(req, `could not determine node from user "${req.user!.name}"`);
      switch (req.resource) {
        case 'pods':
          return admitPod(req, nodeName, podOf);
        case 'nodes':
          return admitNode(req, nodeName);
        case 'persistentvolumeclaims':
          if (req.subresource !== 'status') throw refuse(req, 'may only update PVC status');
          return admitPvcStatus(req, nodeName);
        case 'serviceaccounts':
          return admitServiceAccount(req, nodeName, podOf);
        case 'leases':
          return admitLease(req, nodeName);
        case 'events':
          return admitEvent(req, nodeName, podOf, recent);
      }
    },
  };
}

type PodOf = (req: AdmissionRequest, ns: string, name: string) => Promise<KubeObject>;

async function admitPod(req: AdmissionRequest, node: string, podOf: PodOf): Promise<void> {
  if (req.subresource === 'status') {
    if (req.operation !== 'UPDATE') throw refuse(req, `unexpected operation "${req.operation}"`);
    if (req.oldObject?.spec?.nodeName !== node) throw refuse(req, `node "${node}" can only update pod status for pods with spec.nodeName set to itself`);
    if (!deepEqual(req.oldObject?.metadata?.labels ?? {}, req.object?.metadata?.labels ?? {})) throw refuse(req, `node "${node}" cannot update labels through pod status`);
    return;
  }
  if (req.subresource === 'eviction') {
    if (req.operation !== 'CREATE') throw refuse(req, `unexpected operation ${req.operation}`);
    const podName = req.name || (req.object?.metadata?.name ?? '');
    if (!podName) throw refuse(req, 'could not determine pod from request data');
    const pod = await podOf(req, req.namespace, podName);
    if (pod.spec?.nodeName !== node) throw refuse(req, `node ${node} can only evict pods with spec.nodeName set to itself`);
    return;
  }
  if (req.subresource !== '') throw refuse(req, `unexpected pod subresource "${req.subresource}", only 'status' and 'eviction' are allowed`);
  if (req.operation === 'DELETE') {
    if (req.oldObject?.spec?.nodeName !== node) throw refuse(req, `node "${node}" can only delete pods with spec.nodeName set to itself`);
    return;
  }
  if (req.operation === 'CREATE') {
    if (!Object.hasOwn(req.object?.metadata?.annotations ?? {}, MIRROR_POD_ANNOTATION)) {
      throw refuse(req, `pod does not have "${MIRROR_POD_ANNOTATION}" annotation, node "${node}" can only create mirror pods`);
    }
    throw refuse(req, `node "${node}" cannot create mirror pods: k8ts runs no static pods`);
  }
  throw refuse(req, `unexpected operation "${req.operation}", node "${node}" can only create and delete mirror pods`);
}

function admitNode(req: AdmissionRequest, node: string): void {
  if (req.name !== node) throw refuse(req, `node "${node}" is not allowed to modify node "${req.name}"`);
  const obj = (req.object ?? {}) as Obj;
  if (req.operation === 'CREATE') {
    if (obj.spec?.configSource != null) throw refuse(req, `node "${node}" is not allowed to create pods with a non-nil configSource`);
    const bad = forbiddenLabels(modifiedLabels(obj.metadata?.labels, undefined));
    if (bad.length) throw refuse(req, `node "${node}" is not allowed to set the following labels: ${bad.join(', ')}`);
  }
  if (req.operation === 'UPDATE') {
    const old = (req.oldObject ?? {}) as Obj;
    if (obj.spec?.configSource != null && !deepEqual(obj.spec.configSource, old.spec?.configSource)) {
      throw refuse(req, `node "${node}" is not allowed to update configSource to a new non-nil configSource`);
    }
    if (!deepEqual(obj.spec?.taints ?? [], old.spec?.taints ?? [])) throw refuse(req, `node "${node}" is not allowed to modify taints`);
    const bad = forbiddenLabels(modifiedLabels(obj.metadata?.labels, old.metadata?.labels));
    if (bad.length) throw refuse(req, `is not allowed to modify labels: ${bad.join(', ')}`);
  }
}

function admitPvcStatus(req: AdmissionRequest, node: string): void {
  if (req.operation !== 'UPDATE') throw refuse(req, `unexpected operation "${req.operation}"`);
  // Nodes may change status.capacity, conditions and the expansion fields; nothing else.
  const strip = (o: KubeObject | undefined): Obj => {
    const c = structuredClone(o ?? {}) as Obj;
    if (c.metadata) {
      delete c.metadata.resourceVersion;
      delete c.metadata.managedFields;
    }
    if (c.status) for (const k of ['capacity', 'conditions', 'allocatedResourceStatuses', 'allocatedResources']) delete c.status[k];
    return c;
  };
  if (!deepEqual(strip(req.oldObject), strip(req.object))) throw refuse(req, `node "${node}" is not allowed to update fields other than status.capacity and status.conditions`);
}

async function admitServiceAccount(req: AdmissionRequest, node: string, podOf: PodOf): Promise<void> {
  if (req.operation !== 'CREATE' || req.subresource !== 'token') return;
  const ref = (req.object as Obj | undefined)?.spec?.boundObjectRef;
  if (!ref || ref.apiVersion !== 'v1' || ref.kind !== 'Pod' || !ref.name || typeof ref.name !== 'string') throw refuse(req, 'node requested token not bound to a pod');
  if (!ref.uid) throw refuse(req, 'node requested token with a pod binding without a uid');
  const pod = await podOf(req, req.namespace, ref.name);
  if (ref.uid !== pod.metadata?.uid) {
    throw refuse(req, `the UID in the bound object reference (${ref.uid}) does not match the UID in record. The object might have been deleted and then recreated`);
  }
  if (pod.spec?.nodeName !== node) throw refuse(req, 'node requested token bound to a pod scheduled on a different node');
}

function admitLease(req: AdmissionRequest, node: string): void {
  if (req.namespace !== NODE_LEASE_NAMESPACE) throw refuse(req, `can only access leases in the "${NODE_LEASE_NAMESPACE}" system namespace`);
  const name = req.operation === 'CREATE' ? (req.object?.metadata?.name ?? '') : req.name;
  if (name !== node) throw refuse(req, 'can only access node lease with the same name as the requesting node');
}

/** k8ts' addition: a node's events are about its own Node or a pod bound to it. */
async function admitEvent(req: AdmissionRequest, node: string, podOf: PodOf, recent: RecentPodBindings): Promise<void> {
  if (req.operation === 'DELETE') throw refuse(req, `node "${node}" can only create events about itself or pods bound to it`);
  const ev = (req.object ?? {}) as Obj;
  const about = (ev.involvedObject ?? ev.regarding ?? {}) as Obj;
  const why = `node "${node}" can only create events about itself or pods bound to it`;
  if (about.kind === 'Node' && about.name === node) return;
  if (about.kind !== 'Pod' || typeof about.name !== 'string' || !about.name) throw refuse(req, why);
  const ns = typeof about.namespace === 'string' && about.namespace ? about.namespace : req.namespace;
  let pod: KubeObject;
  try {
    pod = await podOf(req, ns, about.name);
  } catch (err) {
    // Gone just now: still this node's to write about if it was bound here when last seen.
    if (isNotFound(err) && recent.wasBound(ns, about.name, typeof about.uid === 'string' ? about.uid : undefined, node)) return;
    throw refuse(req, why);
  }
  if (pod.spec?.nodeName !== node || (about.uid && about.uid !== pod.metadata?.uid)) throw refuse(req, why);
  recent.remember(ns, about.name, pod.metadata?.uid ?? '', node);
}
