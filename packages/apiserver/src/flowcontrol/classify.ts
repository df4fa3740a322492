// Which priority level a request belongs to, after kube-apiserver's bootstrap
// FlowSchemas (exempt, system-leader-election, system-nodes, kube-controller-manager,
// kube-scheduler, service-accounts, global-default): the cluster's own traffic has seats of
// its own, so no load from users can make a node miss its Lease renewal.
import type { UserInfo } from '../auth/types.js';

export type LevelName = 'exempt' | 'leader-election' | 'node-high' | 'workload-high' | 'workload-low' | 'global-default';

const COMPONENTS = new Set(['system:kube-scheduler', 'system:kube-controller-manager', 'system:kube-proxy']);

export function classify(user: UserInfo, resource: string): LevelName {
  const groups = user.groups;
  if (groups.includes('system:masters')) return 'exempt';
  if (resource === 'leases' && (COMPONENTS.has(user.name) || groups.includes('system:nodes'))) return 'leader-election';
  if (groups.includes('system:nodes')) return 'node-high';
  if (COMPONENTS.has(user.name) || user.name.startsWith('system:k8ts-')) return 'workload-high';
  if (groups.includes('system:serviceaccounts')) return 'workload-low';
  return 'global-default';
}
