// The patch strategies Kubernetes declares on its types (`patchStrategy:"merge"
// patchMergeKey:"name"` struct tags, and +listType=atomic for the rest). A list not named
// here is replaced whole, as an atomic list is.

export type ListStrategy =
  | { strategy: 'replace' }
  | { strategy: 'merge'; key: string }
  | { strategy: 'merge-primitive' };

const byName = new Set([
  'containers',
  'initContainers',
  'ephemeralContainers',
  'volumes',
  'env',
  'imagePullSecrets',
  'resourceClaims',
  'schedulingGates',
]);

const containerLists = new Set(['containers', 'initContainers', 'ephemeralContainers']);

/**
 * The strategy for the list at `path` (field names from the object's root, list indices
 * left out) in an object of `resource`.
 */
export function listStrategy(resource: string, path: readonly string[]): ListStrategy {
  const field = path[path.length - 1] ?? '';
  const parent = path[path.length - 2];
  if (byName.has(field)) {
    // env and volumes exist only inside pod specs / containers; guard against look-alikes.
    return { strategy: 'merge', key: 'name' };
  }
  switch (field) {
    case 'ports':
      if (parent && containerLists.has(parent)) return { strategy: 'merge', key: 'containerPort' };
      if (resource === 'services' && path.length === 2 && parent === 'spec') return { strategy: 'merge', key: 'port' };
      return { strategy: 'replace' };
    case 'volumeMounts':
      return { strategy: 'merge', key: 'mountPath' };
    case 'volumeDevices':
      return { strategy: 'merge', key: 'devicePath' };
    case 'conditions':
      return parent === 'status' ? { strategy: 'merge', key: 'type' } : { strategy: 'replace' };
    case 'addresses':
      // NodeStatus.addresses merges by type; endpoint addresses are atomic.
      return resource === 'nodes' && parent === 'status' ? { strategy: 'merge', key: 'type' } : { strategy: 'replace' };
    case 'hostAliases':
      return { strategy: 'merge', key: 'ip' };
    case 'podIPs':
      return parent === 'status' ? { strategy: 'merge', key: 'ip' } : { strategy: 'replace' };
    case 'podCIDRs':
      return parent === 'spec' && resource === 'nodes' ? { strategy: 'merge-primitive' } : { strategy: 'replace' };
    case 'topologySpreadConstraints':
      return { strategy: 'merge', key: 'topologyKey' };
    case 'ownerReferences':
      return parent === 'metadata' ? { strategy: 'merge', key: 'uid' } : { strategy: 'replace' };
    case 'finalizers':
      return parent === 'metadata' ? { strategy: 'merge-primitive' } : { strategy: 'replace' };
    default:
      // taints, tolerations, envFrom, args, command, subsets, ... are atomic in Kubernetes.
      return { strategy: 'replace' };
  }
}
