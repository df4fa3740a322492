// Authorization of the gRPC face: each Objects method (and its Exchange twin) is the
// Kubernetes verb of the same name on the resource, namespace, name and subresource it
// carries; Watch is `watch`; Nodes.RenewLease is an `update` of the node's Lease in
// kube-node-lease (what a kubelet's lease controller does).
import { NodeLeaseNamespace, type ApiError } from '@k8ts/api';
import { grpcAttributes } from '../authz/request-attributes.js';
import type { Attributes, AuthorizationResult } from '../authz/types.js';
import type { RequestUser } from '../registry/types.js';
import type { GrpcContext } from './context.js';

export function grpcRequestAttributes(user: RequestUser, verb: string, req: object): Attributes {
  if (verb === 'renewlease') {
    const node = (req as { node_name?: string }).node_name ?? '';
    return grpcAttributes(user, 'update', { resource: 'leases', namespace: NodeLeaseNamespace, name: node });
  }
  return grpcAttributes(user, verb, req as { resource?: string; namespace?: string; name?: string; subresource?: string; field_selector?: string });
}

/** The 403 for this request, or undefined when it is allowed (or no authorizer is configured). */
export function grpcRefusal(ctx: GrpcContext, verb: string, req: object, user: RequestUser, seen?: (r: AuthorizationResult) => void): ApiError | undefined {
  const authz = ctx.authorization;
  if (!authz) return undefined;
  return authz.refusal(grpcRequestAttributes(user, verb, req), seen);
}
