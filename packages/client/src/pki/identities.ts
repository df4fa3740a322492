// Who each of the cluster's own processes is, in Kubernetes' names: the user and groups of
// its client certificate (or token). The bootstrap RBAC roles and the Node authorizer are
// written for exactly these names.
export interface Identity {
  user: string;
  groups: string[];
}

export const ADMIN_IDENTITY: Identity = { user: 'kubernetes-admin', groups: ['system:masters'] };
export const SCHEDULER_IDENTITY: Identity = { user: 'system:kube-scheduler', groups: [] };
export const CONTROLLER_MANAGER_IDENTITY: Identity = { user: 'system:kube-controller-manager', groups: [] };
export const PROXY_IDENTITY: Identity = { user: 'system:kube-proxy', groups: [] };
/** k8ts's dns has no Kubernetes counterpart with a user of its own (CoreDNS runs as a service account). */
export const DNS_IDENTITY: Identity = { user: 'system:k8ts-dns', groups: [] };
/** k8ts's ingress controller (packages/ingress); ingress-nginx runs as a service account instead. */
export const INGRESS_IDENTITY: Identity = { user: 'system:k8ts-ingress', groups: [] };
/** podnet, the per-host pod network (packages/agent/src/network): flannel runs as a service account with the same reading of Nodes. */
export const PODNET_IDENTITY: Identity = { user: 'system:k8ts-podnet', groups: [] };
export const NODES_GROUP = 'system:nodes';

/**
 * A host that joined with `k8ts join` runs its proxy and podnet as these kube-system service
 * accounts (kubeadm's kube-proxy DaemonSet does the like), with tokens the joiner asks for with
 * its bootstrap token; it reads the cluster's settings from the ConfigMap kube-public/k8ts-join.
 */
export const JOIN_SERVICE_ACCOUNTS = { proxy: 'kube-proxy', podnet: 'k8ts-podnet' } as const;
export const JOIN_CONFIG_NAME = 'k8ts-join';

export function nodeIdentity(nodeName: string): Identity {
  return { user: `system:node:${nodeName}`, groups: [NODES_GROUP] };
}

/** The identity of a component by its package ("scheduler", "agent" with its node name, …); undefined for the apiserver and etcd. */
export function componentIdentity(pkg: string, nodeName?: string): Identity | undefined {
  switch (pkg) {
    case 'scheduler':
      return SCHEDULER_IDENTITY;
    case 'controller-manager':
      return CONTROLLER_MANAGER_IDENTITY;
    case 'proxy':
      return PROXY_IDENTITY;
    case 'dns':
      return DNS_IDENTITY;
    case 'ingress':
      return INGRESS_IDENTITY;
    case 'podnet':
      return PODNET_IDENTITY;
    case 'agent':
      return nodeName ? nodeIdentity(nodeName) : undefined;
    default:
      return undefined;
  }
}

/** A file name for an identity's credential: system:node:agent-1 → node-agent-1, system:kube-scheduler → kube-scheduler. */
export function credentialFileBase(id: Identity): string {
  return id.user.replace(/^system:/, '').replace(/:/g, '-').replace(/[^A-Za-z0-9_.-]/g, '_');
}
