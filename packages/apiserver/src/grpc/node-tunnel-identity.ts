// Who may hold a node's Nodes.Connect stream: the node itself (`system:node:<name>` in
// `system:nodes`), or a `system:masters` admin (tests and tools). Anyone else, another
// node included, is refused with 403 (gRPC PERMISSION_DENIED) and the node's tunnel stays.
import { forbidden, type ApiError } from '@k8ts/api';
import type { RequestUser } from '../registry/types.js';
import { isMaster, nodeIdentity } from '../authz/node/identity.js';

export function tunnelRefusal(user: RequestUser, node: string): ApiError | undefined {
  if (isMaster(user)) return undefined;
  const id = nodeIdentity(user);
  if (id.isNode && id.nodeName && id.nodeName === node) return undefined;
  const who = id.isNode ? `node "${id.nodeName}"` : `User "${user.name}"`;
  return forbidden('nodes', node, `${who} cannot open the stream tunnel of node "${node}"`);
}
