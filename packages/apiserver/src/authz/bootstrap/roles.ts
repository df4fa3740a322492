// The user-facing and discovery ClusterRoles of kubernetes/plugin/pkg/auth/authorizer/rbac/
// bootstrappolicy/policy.go: cluster-admin, admin/edit/view (aggregated from the
// system:aggregate-to-* roles by the labels rbac.authorization.k8s.io/aggregate-to-*),
// system:discovery, system:basic-user, system:public-info-viewer, system:auth-delegator,
// system:heapster, system:kubelet-api-admin.
import type { PolicyRule } from '../rbac/rules.js';
import { READ, READ_WRITE, WRITE, rule, urls } from './rule.js';

export interface BootstrapClusterRole {
  name: string;
  rules: PolicyRule[];
  labels?: Record<string, string>;
  aggregationRule?: { clusterRoleSelectors: { matchLabels: Record<string, string> }[] };
}

const aggregateTo = (role: string) => ({ [`rbac.authorization.k8s.io/aggregate-to-${role}`]: 'true' });
const aggregated = (role: string) => ({ clusterRoleSelectors: [{ matchLabels: aggregateTo(role) }] });

const viewRules: PolicyRule[] = [
  rule(READ, [''], ['pods', 'replicationcontrollers', 'replicationcontrollers/scale', 'serviceaccounts', 'services', 'services/status', 'endpoints', 'persistentvolumeclaims', 'persistentvolumeclaims/status', 'configmaps']),
  rule(READ, [''], ['limitranges', 'resourcequotas', 'bindings', 'events', 'pods/status', 'resourcequotas/status', 'namespaces/status', 'replicationcontrollers/status', 'pods/log']),
  // view may read namespaces, not write them.
  rule(READ, [''], ['namespaces']),
  rule(READ, ['discovery.k8s.io'], ['endpointslices']),
  rule(READ, ['apps'], ['controllerrevisions', 'statefulsets', 'statefulsets/scale', 'statefulsets/status', 'daemonsets', 'daemonsets/status', 'deployments', 'deployments/scale', 'deployments/status', 'replicasets', 'replicasets/scale', 'replicasets/status']),
  rule(READ, ['autoscaling'], ['horizontalpodautoscalers', 'horizontalpodautoscalers/status']),
  rule(READ, ['batch'], ['jobs', 'cronjobs', 'cronjobs/status', 'jobs/status']),
  rule(READ, ['policy'], ['poddisruptionbudgets', 'poddisruptionbudgets/status']),
  rule(READ, ['networking.k8s.io'], ['networkpolicies', 'ingresses', 'ingresses/status']),
];

const editRules: PolicyRule[] = [
  rule(['impersonate'], [''], ['serviceaccounts']),
  rule(WRITE, [''], ['pods', 'pods/attach', 'pods/proxy', 'pods/exec', 'pods/portforward']),
  rule(['create'], [''], ['pods/eviction']),
  // kubectl debug adds ephemeral containers (upstream's edit role has these verbs).
  rule(['get', 'patch', 'update'], [''], ['pods/ephemeralcontainers']),
  rule(WRITE, [''], ['replicationcontrollers', 'replicationcontrollers/scale', 'serviceaccounts', 'services', 'services/proxy', 'persistentvolumeclaims', 'configmaps', 'secrets', 'events']),
  rule(['create'], [''], ['serviceaccounts/token']),
  rule(WRITE, ['apps'], ['statefulsets', 'statefulsets/scale', 'daemonsets', 'deployments', 'deployments/scale', 'deployments/rollback', 'replicasets', 'replicasets/scale']),
  rule(WRITE, ['autoscaling'], ['horizontalpodautoscalers']),
  rule(WRITE, ['batch'], ['jobs', 'cronjobs']),
  rule(WRITE, ['networking.k8s.io'], ['networkpolicies', 'ingresses']),
  rule(WRITE, ['policy'], ['poddisruptionbudgets']),
  rule(WRITE, ['discovery.k8s.io'], ['endpointslices']),
  // edit reads secrets and what view reads besides (its aggregation picks view's rules too).
  rule(READ, [''], ['pods/attach', 'pods/exec', 'pods/portforward', 'pods/proxy', 'secrets', 'services/proxy']),
];

const adminRules: PolicyRule[] = [
  rule(['create'], ['authorization.k8s.io'], ['localsubjectaccessreviews']),
  rule(READ_WRITE, ['rbac.authorization.k8s.io'], ['rolebindings', 'roles']),
  rule(['create', 'update', 'patch', 'delete', 'deletecollection', 'get', 'list', 'watch'], ['coordination.k8s.io'], ['leases']),
];

export const USER_FACING_ROLES: BootstrapClusterRole[] = [
  { name: 'cluster-admin', rules: [rule(['*'], ['*'], ['*']), urls(['*'], ['*'])], labels: { 'kubernetes.io/bootstrapping': 'rbac-defaults' } },
  { name: 'admin', rules: [], labels: { 'kubernetes.io/bootstrapping': 'rbac-defaults' }, aggregationRule: aggregated('admin') },
  { name: 'edit', rules: [], labels: { ...aggregateTo('admin'), 'kubernetes.io/bootstrapping': 'rbac-defaults' }, aggregationRule: aggregated('edit') },
  { name: 'view', rules: [], labels: { ...aggregateTo('edit'), 'kubernetes.io/bootstrapping': 'rbac-defaults' }, aggregationRule: aggregated('view') },
  { name: 'system:aggregate-to-admin', rules: adminRules, labels: aggregateTo('admin') },
  { name: 'system:aggregate-to-edit', rules: editRules, labels: aggregateTo('edit') },
  { name: 'system:aggregate-to-view', rules: viewRules, labels: aggregateTo('view') },
  // metrics-server's role, aggregated into view, edit and admin as its manifest labels it;
  // here the apiserver serves metrics.k8s.io itself, so the role comes with the bootstrap.
  { name: 'system:aggregated-metrics-reader', rules: [rule(READ, ['metrics.k8s.io'], ['pods', 'nodes'])], labels: { ...aggregateTo('view'), ...aggregateTo('edit'), ...aggregateTo('admin') } },
];

export const DISCOVERY_ROLES: BootstrapClusterRole[] = [
  { name: 'system:discovery', rules: [urls(['get'], ['/api', '/api/*', '/apis', '/apis/*', '/openapi', '/openapi/*', '/version', '/version/'])] },
  {
    name: 'system:basic-user',
    rules: [rule(['create'], ['authorization.k8s.io'], ['selfsubjectaccessreviews', 'selfsubjectrulesreviews']), rule(['create'], ['authentication.k8s.io'], ['selfsubjectreviews'])],
  },
  { name: 'system:public-info-viewer', rules: [urls(['get'], ['/healthz', '/version', '/version/', '/livez', '/readyz'])] },
  { name: 'system:auth-delegator', rules: [rule(['create'], ['authentication.k8s.io'], ['tokenreviews']), rule(['create'], ['authorization.k8s.io'], ['subjectaccessreviews'])] },
  { name: 'system:heapster', rules: [rule(READ, [''], ['events', 'pods', 'nodes', 'namespaces']), rule(READ, ['apps'], ['deployments'])] },
  // who may reach every agent's API (nodes/NAME/proxy → the agent's ops endpoint), as upstream's kubelet API admin
  { name: 'system:kubelet-api-admin', rules: [rule(['get', 'list', 'watch'], [''], ['nodes']), rule(['proxy'], [''], ['nodes']), rule(['*'], [''], ['nodes/proxy', 'nodes/metrics', 'nodes/spec', 'nodes/stats', 'nodes/log'])] },
  { name: 'system:monitoring', rules: [urls(['get'], ['/metrics', '/metrics/slis', '/livez', '/readyz', '/healthz', '/livez/*', '/readyz/*', '/healthz/*'])] },
];
