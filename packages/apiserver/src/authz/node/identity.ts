// Kubernetes' nodeidentifier.NewDefaultNodeIdentifier: a user is a node when its name starts
// with `system:node:` and it is in the group `system:nodes`; the rest of the name is the
// node's. A node user with nothing after the prefix is a node whose name cannot be told
// (nodeName ""), which the Node authorizer and NodeRestriction refuse.
import type { UserInfo } from '../../auth/types.js';

export const NODE_USER_PREFIX = 'system:node:';
export const NODES_GROUP = 'system:nodes';
export const MASTERS_GROUP = 'system:masters';

export interface NodeIdentity {
  isNode: boolean;
  nodeName: string;
}

const NOT_A_NODE: NodeIdentity = { isNode: false, nodeName: '' };

export function nodeIdentity(user: UserInfo | undefined | null): NodeIdentity {
  if (!user || typeof user.name !== 'string' || !user.name.startsWith(NODE_USER_PREFIX)) return NOT_A_NODE;
  if (!Array.isArray(user.groups) || !user.groups.includes(NODES_GROUP)) return NOT_A_NODE;
  return { isNode: true, nodeName: user.name.slice(NODE_USER_PREFIX.length) };
}

export function isMaster(user: UserInfo | undefined | null): boolean {
  return !!user && Array.isArray(user.groups) && user.groups.includes(MASTERS_GROUP);
}
