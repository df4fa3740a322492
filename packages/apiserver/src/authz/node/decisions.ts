// The Node authorizer's decisions (node_authorizer.go, with AuthorizeNodeWithSelectors on as
// in Kubernetes 1.32+): secrets, configmaps, claims, volumes and service account tokens only
// along the graph; a node's own Node and Lease; pods bound to it; everything else by
// NodeRules(). A node is never denied outright: NoOpinion lets a later authorizer (RBAC)
// grant what an operator bound to `system:nodes` on purpose.
import { NodeLeaseNamespace as NODE_LEASE_NAMESPACE, parseFieldSelector } from '@k8ts/api';
import type { Attributes, AuthorizationResult } from '../types.js';
import type { NodeGraph, VertexType } from './graph.js';
import { NODE_RULES, rulesAllow } from './node-rules.js';

const ALLOW: AuthorizationResult = { decision: 'Allow', reason: '' };
const noOpinion = (reason: string): AuthorizationResult => ({ decision: 'NoOpinion', reason });
export { NODE_LEASE_NAMESPACE };

export function decide(graph: NodeGraph, node: string, a: Attributes): AuthorizationResult {
  if (a.resourceRequest) {
    const group = a.apiGroup;
    if (group === '') {
      switch (a.resource) {
        case 'secrets':
          return readNamespaced(graph, node, 'secret', a);
        case 'configmaps':
          return readNamespaced(graph, node, 'configmap', a);
        case 'persistentvolumeclaims':
          return a.subresource === 'status' ? statusUpdate(graph, node, 'pvc', a) : getOnly(graph, node, 'pvc', a);
        case 'persistentvolumes':
          return getOnly(graph, node, 'pv', a);
        case 'serviceaccounts':
          return createToken(graph, node, a);
        case 'nodes':
          return nodeObject(node, a);
        case 'pods':
          return podObject(graph, node, a);
      }
    } else if (group === 'coordination.k8s.io' && a.resource === 'leases') return lease(node, a);
  }
  return rulesAllow(a, NODE_RULES) ? ALLOW : noOpinion('');
}

function related(graph: NodeGraph, node: string, type: VertexType, a: Attributes): AuthorizationResult {
  if (!a.name) return noOpinion('No Object name found');
  return graph.hasPathFrom(node, type, a.namespace, a.name) ? ALLOW : noOpinion(`no relationship found between node '${node}' and this object`);
}

function readNamespaced(graph: NodeGraph, node: string, type: VertexType, a: Attributes): AuthorizationResult {
  if (a.verb !== 'get' && a.verb !== 'list' && a.verb !== 'watch') return noOpinion('can only read resources of this type');
  if (a.subresource) return noOpinion('cannot read subresource');
  if (!a.namespace) return noOpinion('can only read namespaced object of this type');
  return related(graph, node, type, a);
}

function getOnly(graph: NodeGraph, node: string, type: VertexType, a: Attributes): AuthorizationResult {
  if (a.verb !== 'get') return noOpinion('can only get individual resources of this type');
  if (a.subresource) return noOpinion('cannot get subresource');
  return related(graph, node, type, a);
}

function statusUpdate(graph: NodeGraph, node: string, type: VertexType, a: Attributes): AuthorizationResult {
  if (a.verb !== 'update' && a.verb !== 'patch') return noOpinion('can only get/update/patch this type');
  return related(graph, node, type, a);
}

function createToken(graph: NodeGraph, node: string, a: Attributes): AuthorizationResult {
  if (a.verb !== 'create' || !a.name) return noOpinion('can only create tokens for individual service accounts');
  if (a.subresource !== 'token') return noOpinion('can only create token subresource of serviceaccount');
  return related(graph, node, 'serviceaccount', a);
}

function lease(node: string, a: Attributes): AuthorizationResult {
  if (!['get', 'create', 'update', 'patch', 'delete'].includes(a.verb)) return noOpinion('can only get, create, update, patch, or delete a node lease');
  if (a.namespace !== NODE_LEASE_NAMESPACE) return noOpinion(`can only access leases in the "${NODE_LEASE_NAMESPACE}" system namespace`);
  // A create names its object in the body: NodeRestriction checks it there.
  if (a.verb !== 'create' && a.name !== node) return noOpinion('can only access node lease with the same name as the requesting node');
  return ALLOW;
}

function nodeObject(node: string, a: Attributes): AuthorizationResult {
  if (a.subresource === '') {
    // NodeRestriction limits these writes to the node's own object.
    if (a.verb === 'create' || a.verb === 'update' || a.verb === 'patch') return ALLOW;
    if (a.verb === 'get' || a.verb === 'list' || a.verb === 'watch') {
      if (a.name === node) return ALLOW;
      return noOpinion(a.name ? `node '${node}' cannot read '${a.name}', only its own Node object` : `node '${node}' cannot read all nodes, only its own Node object`);
    }
  } else if (a.subresource === 'status' && (a.verb === 'update' || a.verb === 'patch')) return ALLOW;
  return noOpinion('');
}

function podObject(graph: NodeGraph, node: string, a: Attributes): AuthorizationResult {
  if (a.subresource === '') {
    switch (a.verb) {
      case 'get':
        return related(graph, node, 'pod', a);
      case 'list':
      case 'watch':
        return podListWatch(graph, node, a);
      case 'create':
      case 'delete':
        // Mirror pods; NodeRestriction limits both to pods bound to the node.
        return ALLOW;
    }
  } else if (a.subresource === 'status' && (a.verb === 'update' || a.verb === 'patch')) return ALLOW;
  else if (a.subresource === 'eviction' && a.verb === 'create') return ALLOW;
  return noOpinion('');
}

function podListWatch(graph: NodeGraph, node: string, a: Attributes): AuthorizationResult {
  // REST and gRPC pass the selector ('' for none); a caller that passes none (an access
  // review without one) gets Kubernetes' rule before 1.32: NodeRules let nodes read pods.
  if (a.fieldSelector === undefined) return ALLOW;
  if (selectsNode(a.fieldSelector, node)) return ALLOW;
  if (a.name) return related(graph, node, 'pod', a);
  return noOpinion('can only list/watch pods with spec.nodeName field selector');
}

function selectsNode(selector: string, node: string): boolean {
  try {
    return parseFieldSelector(selector).requirements.some((r) => r.field === 'spec.nodeName' && r.operator !== '!=' && r.value === node);
  } catch {
    return false;
  }
}
