// The ClusterRoleBindings kube-apiserver creates at start (policy.go ClusterRoleBindings()):
// cluster-admin to system:masters, discovery/basic-user/public-info-viewer to every
// authenticated user (public-info-viewer to unauthenticated ones too), and each component
// role to its user. system:node is bound to nobody: the Node authorizer covers nodes, as in
// Kubernetes since 1.8. Bootstrap-token joiners (group system:bootstrappers) may create CSRs.
import { JOIN_SERVICE_ACCOUNTS } from '@k8ts/client';

export interface BootstrapBinding {
  name: string;
  role: string;
  subjects: { kind: 'User' | 'Group' | 'ServiceAccount'; name: string; namespace?: string }[];
}

const user = (name: string) => ({ kind: 'User' as const, name });
const group = (name: string) => ({ kind: 'Group' as const, name });

/** The user dns runs as (the identities helper picks it); bound to system:k8ts-dns. */
export const DNS_USER = 'system:k8ts-dns';

/** Reads the ConfigMap `k8ts join` takes the cluster's settings from (kube-public/k8ts-join). */
export const JOIN_CONFIG_ROLE = 'k8ts:join-config-reader';

/** The user the ingress controller runs as; bound to system:k8ts-ingress. */
export const INGRESS_USER = 'system:k8ts-ingress';

export const BOOTSTRAP_BINDINGS: BootstrapBinding[] = [
  { name: 'cluster-admin', role: 'cluster-admin', subjects: [group('system:masters')] },
  { name: 'system:discovery', role: 'system:discovery', subjects: [group('system:authenticated')] },
  { name: 'system:basic-user', role: 'system:basic-user', subjects: [group('system:authenticated')] },
  { name: 'system:public-info-viewer', role: 'system:public-info-viewer', subjects: [group('system:authenticated'), group('system:unauthenticated')] },
  { name: 'system:monitoring', role: 'system:monitoring', subjects: [group('system:monitoring')] },
  { name: 'system:kube-scheduler', role: 'system:kube-scheduler', subjects: [user('system:kube-scheduler')] },
  { name: 'system:kube-controller-manager', role: 'system:kube-controller-manager', subjects: [user('system:kube-controller-manager')] },
  { name: 'system:node-proxier', role: 'system:node-proxier', subjects: [user('system:kube-proxy'), { kind: 'ServiceAccount', name: JOIN_SERVICE_ACCOUNTS.proxy, namespace: 'kube-system' }] },
  {
    name: 'system:k8ts-dns',
    role: 'system:k8ts-dns',
    subjects: [user(DNS_USER), { kind: 'ServiceAccount', name: 'coredns', namespace: 'kube-system' }],
  },
  { name: 'system:k8ts-ingress', role: 'system:k8ts-ingress', subjects: [user(INGRESS_USER)] },
  { name: 'system:k8ts-podnet', role: 'system:k8ts-podnet', subjects: [user('system:k8ts-podnet'), { kind: 'ServiceAccount', name: JOIN_SERVICE_ACCOUNTS.podnet, namespace: 'kube-system' }] },
  { name: 'system:node', role: 'system:node', subjects: [] },
  { name: 'kubeadm:kubelet-bootstrap', role: 'system:node-bootstrapper', subjects: [group('system:bootstrappers')] },
  { name: 'kubeadm:node-autoapprove-bootstrap', role: 'system:certificates.k8s.io:certificatesigningrequests:nodeclient', subjects: [group('system:bootstrappers')] },
  { name: 'kubeadm:node-autoapprove-certificate-rotation', role: 'system:certificates.k8s.io:certificatesigningrequests:selfnodeclient', subjects: [group('system:nodes')] },
  // `k8ts join`: the joiner reads the cluster's settings with its bootstrap token (kubeadm's
  // kubeadm-config Role for bootstrappers) and asks for the tokens of the service accounts its
  // host's proxy and podnet run as (kube-proxy's and flannel's, bound to their roles above). A
  // bootstrap token can already get a node's certificate, which is more than either.
  { name: 'k8ts:join-config', role: JOIN_CONFIG_ROLE, subjects: [group('system:bootstrappers')] },
];
