// The ClusterRoles of the cluster's own components. Kubernetes' policy.go holds
// system:kube-scheduler, system:node-proxier, system:node, system:node-bootstrapper and the
// CSR roles; controller_policy.go one role per controller. k8ts keeps Kubernetes' names and
// makes each role cover what the k8ts component does, read from its source:
//   scheduler (packages/scheduler/src/informers.ts, scheduler.ts, feedback.ts): informers on
//     nodes, pods, namespaces, claims, volumes, storage classes; pods/binding create;
//     pods/status patch (PodScheduled); claims patch (VolumeBinding's selected node);
//     events; its leader Lease kube-system/k8ts-scheduler.
//   proxy (packages/proxy/src/proxier.ts): informers on services and endpoints (Kubernetes'
//     node-proxier also reads endpointslices and nodes).
//   dns (packages/dns/src/index.ts): informers on services, endpointslices and pods; namespaces and
//     endpoints as the issue asks.
//   ingress (packages/ingress/src/index.ts): informers on ingresses, ingressclasses, services
//     and endpointslices; the status of the Ingresses it serves (ingress-nginx's role holds
//     the same, besides its leader Lease and events).
//   controller-manager (packages/controller-manager/src): ONE role for the whole process, as
//     without --use-service-account-credentials: its namespace controller and garbage
//     collector read and delete every namespaced resource (Kubernetes' namespace-controller
//     and generic-garbage-collector roles hold get/list/watch/delete/patch/update on `*`),
//     and the workload, endpoints, node-lifecycle, service-account and CSR controllers create
//     what they own; the disruption and resourcequota controllers only read and write the
//     status of PodDisruptionBudgets and ResourceQuotas, which the rule on `*` covers.
import type { PolicyRule } from '../rbac/rules.js';
import { READ, eventsRule, rule } from './rule.js';
import type { BootstrapClusterRole } from './roles.js';
import { JOIN_CONFIG_NAME, JOIN_SERVICE_ACCOUNTS } from '@k8ts/client';
import { JOIN_CONFIG_ROLE } from './bindings.js';

const leaderElection = (): PolicyRule[] => [
  rule(['create'], ['coordination.k8s.io'], ['leases']),
  rule(['get', 'update', 'patch'], ['coordination.k8s.io'], ['leases']),
];

/** bootstrappolicy.NodeRules(): what the Node authorizer lets a node do beyond its graph checks (exported for it). */
export function nodeRules(): PolicyRule[] {
  return [
    rule(['create'], ['authentication.k8s.io'], ['tokenreviews']),
    rule(['create'], ['authorization.k8s.io'], ['subjectaccessreviews', 'localsubjectaccessreviews']),
    rule(READ, [''], ['services']),
    rule(['create', 'get', 'list', 'watch'], [''], ['nodes']),
    rule(['update', 'patch'], [''], ['nodes/status']),
    rule(['update', 'patch'], [''], ['nodes']),
    rule(['create', 'update', 'patch'], ['', 'events.k8s.io'], ['events']),
    rule(READ, [''], ['pods']),
    rule(['create', 'delete'], [''], ['pods']),
    rule(['update', 'patch'], [''], ['pods/status']),
    rule(['create'], [''], ['pods/eviction']),
    rule(['get'], [''], ['secrets', 'configmaps']),
    rule(['get'], [''], ['persistentvolumeclaims', 'persistentvolumes']),
    rule(['get'], [''], ['endpoints']),
    rule(['create', 'get', 'list', 'watch'], ['certificates.k8s.io'], ['certificatesigningrequests']),
    rule(['get', 'create', 'update', 'patch', 'delete'], ['coordination.k8s.io'], ['leases']),
    rule(['create'], [''], ['serviceaccounts/token']),
    rule(READ, ['discovery.k8s.io'], ['endpointslices']),
  ];
}

const controllerManagerRules = (): PolicyRule[] => [
  // garbage collector and namespace controller: everything namespaced and cluster-scoped
  rule(['get', 'list', 'watch', 'update', 'patch', 'delete', 'deletecollection'], ['*'], ['*']),
  // configmaps: the root-ca-cert-publisher writes kube-root-ca.crt into every namespace
  rule(['create'], [''], ['pods', 'endpoints', 'events', 'serviceaccounts', 'namespaces', 'services', 'configmaps']),
  // the statefulset controller makes each ordinal's claims from its volumeClaimTemplates
  rule(['create'], [''], ['persistentvolumeclaims']),
  rule(['create'], [''], ['pods/eviction', 'pods/binding', 'serviceaccounts/token']),
  rule(['create'], ['apps'], ['replicasets', 'controllerrevisions', 'deployments', 'daemonsets']),
  rule(['create'], ['batch'], ['jobs']),
  rule(['create'], ['discovery.k8s.io'], ['endpointslices']),
  rule(['create'], ['events.k8s.io'], ['events']),
  // the local-path provisioner makes the volumes of its claims (external-provisioner's role)
  rule(['create'], [''], ['persistentvolumes']),
  ...leaderElection(),
  // the ClusterRole aggregation controller writes aggregated roles, which needs `escalate`
  // (Kubernetes' clusterrole-aggregation-controller role has it)
  rule(['escalate'], ['rbac.authorization.k8s.io'], ['clusterroles']),
  // CSR approving and signing (kube-controller-manager's csrapproving/csrsigning controllers)
  rule(['create'], ['authorization.k8s.io'], ['subjectaccessreviews']),
  rule(['create'], ['authentication.k8s.io'], ['tokenreviews']),
  rule(['approve'], ['certificates.k8s.io'], ['signers'], ['kubernetes.io/kube-apiserver-client-kubelet', 'kubernetes.io/kube-apiserver-client', 'kubernetes.io/kubelet-serving', 'kubernetes.io/legacy-unknown']),
  rule(['sign'], ['certificates.k8s.io'], ['signers'], ['kubernetes.io/kube-apiserver-client-kubelet', 'kubernetes.io/kube-apiserver-client', 'kubernetes.io/kubelet-serving', 'kubernetes.io/legacy-unknown']),
];

export const COMPONENT_ROLES: BootstrapClusterRole[] = [
  {
    name: 'system:kube-scheduler',
    rules: [
      eventsRule(),
      ...leaderElection(),
      rule(READ, [''], ['nodes', 'namespaces', 'pods', 'services', 'persistentvolumeclaims', 'persistentvolumes', 'replicationcontrollers']),
      rule(['delete'], [''], ['pods']),
      rule(['create'], [''], ['pods/binding', 'bindings']),
      rule(['patch', 'update'], [''], ['pods/status']),
      rule(READ, ['apps'], ['replicasets', 'statefulsets']),
      rule(READ, ['policy'], ['poddisruptionbudgets']),
      rule(READ, ['storage.k8s.io'], ['storageclasses', 'csinodes', 'csidrivers', 'csistoragecapacities']),
      // VolumeBinding's PreBind (system:volume-scheduler): the selected-node annotation on claims
      rule(['patch', 'update'], [''], ['persistentvolumeclaims', 'persistentvolumes']),
      rule(['create'], ['authentication.k8s.io'], ['tokenreviews']),
      rule(['create'], ['authorization.k8s.io'], ['subjectaccessreviews']),
    ],
  },
  { name: 'system:kube-controller-manager', rules: controllerManagerRules() },
  {
    name: 'system:node-proxier',
    rules: [rule(['list', 'watch'], [''], ['services', 'endpoints']), rule(['get', 'list', 'watch'], [''], ['nodes']), eventsRule(), rule(['list', 'watch'], ['discovery.k8s.io'], ['endpointslices'])],
  },
  {
    name: 'system:k8ts-dns',
    rules: [rule(['list', 'watch'], [''], ['services', 'endpoints', 'namespaces', 'pods']), rule(['list', 'watch'], ['discovery.k8s.io'], ['endpointslices'])],
  },
  {
    name: 'system:k8ts-ingress',
    rules: [
      rule(['list', 'watch'], [''], ['services']),
      rule(['list', 'watch'], ['discovery.k8s.io'], ['endpointslices']),
      rule(['list', 'watch'], ['networking.k8s.io'], ['ingresses', 'ingressclasses']),
      rule(['update', 'patch'], ['networking.k8s.io'], ['ingresses/status']),
    ],
  },
  // podnet (packages/agent/src/network): every Node's podCIDR and InternalIP, as flannel's ClusterRole reads them.
  { name: 'system:k8ts-podnet', rules: [rule(['get', 'list', 'watch'], [''], ['nodes'])] },
  {
    name: JOIN_CONFIG_ROLE,
    rules: [rule(['get'], [''], ['configmaps'], [JOIN_CONFIG_NAME]), rule(['create'], [''], ['serviceaccounts/token'], Object.values(JOIN_SERVICE_ACCOUNTS))],
  },
  { name: 'system:node', rules: nodeRules() },
  { name: 'system:node-bootstrapper', rules: [rule(['create', 'get', 'list', 'watch'], ['certificates.k8s.io'], ['certificatesigningrequests'])] },
  { name: 'system:certificates.k8s.io:certificatesigningrequests:nodeclient', rules: [rule(['create'], ['certificates.k8s.io'], ['certificatesigningrequests/nodeclient'])] },
  { name: 'system:certificates.k8s.io:certificatesigningrequests:selfnodeclient', rules: [rule(['create'], ['certificates.k8s.io'], ['certificatesigningrequests/selfnodeclient'])] },
  { name: 'system:certificates.k8s.io:kube-apiserver-client-kubelet-approver', rules: [rule(['approve'], ['certificates.k8s.io'], ['signers'], ['kubernetes.io/kube-apiserver-client-kubelet'])] },
];

