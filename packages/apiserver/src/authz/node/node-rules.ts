// What every node may do on resources the Node authorizer does not scope with its graph:
// bootstrappolicy.NodeRules() of kube-apiserver (plugin/pkg/auth/authorizer/rbac/
// bootstrappolicy/policy.go), with the feature gates k8ts has on. Kubernetes no longer
// binds the `system:node` ClusterRole to `system:nodes` (since 1.8): the Node authorizer
// grants these rules itself, and NodeRestriction admission narrows the writes they allow
// (a node's own Node, its own Lease, the status of its own pods).
import type { Attributes, ResourceRule } from '../types.js';

const READ = ['get', 'list', 'watch'];

function rule(verbs: string[], apiGroups: string[], resources: string[]): ResourceRule {
  return { verbs, apiGroups, resources };
}

export const NODE_RULES: readonly ResourceRule[] = Object.freeze([
  // Needed to check API access; these creates are non-mutating.
  rule(['create'], ['authentication.k8s.io'], ['tokenreviews']),
  rule(['create'], ['authorization.k8s.io'], ['subjectaccessreviews', 'localsubjectaccessreviews']),
  // The service lister behind the service environment variables.
  rule(READ, [''], ['services']),
  // Registering the Node and reporting its status (NodeRestriction: only its own).
  rule(['create', 'get', 'list', 'watch'], [''], ['nodes']),
  rule(['update', 'patch'], [''], ['nodes/status']),
  rule(['update', 'patch'], [''], ['nodes']),
  rule(['create', 'update', 'patch'], [''], ['events']),
  rule(READ, [''], ['pods']),
  // Mirror pods (NodeRestriction: bound to itself), the status of the pods it runs, evictions.
  rule(['create', 'delete'], [''], ['pods']),
  rule(['update', 'patch'], [''], ['pods/status']),
  rule(['create'], [''], ['pods/eviction']),
  // Scoped by the graph: only what the pods bound to the node reference.
  rule(READ, [''], ['secrets', 'configmaps']),
  rule(['get'], [''], ['persistentvolumeclaims', 'persistentvolumes']),
  rule(['get'], [''], ['endpoints']),
  // Client certificate rotation.
  rule(['create', 'get', 'list', 'watch'], ['certificates.k8s.io'], ['certificatesigningrequests']),
  rule(['get', 'create', 'update', 'patch', 'delete'], ['coordination.k8s.io'], ['leases']),
  rule(['get'], ['storage.k8s.io'], ['volumeattachments']),
  rule(['create'], [''], ['serviceaccounts/token']),
  rule(['get', 'update', 'patch'], [''], ['persistentvolumeclaims/status']),
  rule(['get', 'watch', 'list'], ['storage.k8s.io'], ['csidrivers']),
  rule(['get', 'create', 'update', 'patch', 'delete'], ['storage.k8s.io'], ['csinodes']),
  rule(READ, ['node.k8s.io'], ['runtimeclasses']),
]);

/** rbac.RuleAllows for resource requests: verb, group, resource (`res/sub`, `*`, `*\/sub`), resourceNames. */
export function ruleAllows(a: Attributes, r: ResourceRule): boolean {
  if (!a.resourceRequest) return false;
  if (!r.verbs.includes('*') && !r.verbs.includes(a.verb)) return false;
  if (!r.apiGroups.includes('*') && !r.apiGroups.includes(a.apiGroup)) return false;
  const combined = a.subresource ? `${a.resource}/${a.subresource}` : a.resource;
  const resourceOk = r.resources.some((x) => x === '*' || x === combined || (a.subresource !== '' && x === `*/${a.subresource}`));
  if (!resourceOk) return false;
  return !r.resourceNames?.length || r.resourceNames.includes(a.name);
}

export function rulesAllow(a: Attributes, rules: readonly ResourceRule[]): boolean {
  for (const r of rules) if (ruleAllows(a, r)) return true;
  return false;
}
