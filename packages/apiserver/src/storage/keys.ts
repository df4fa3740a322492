// Key layout in etcd, as kube-apiserver lays it out: /registry/<resource>/<ns>/<name> for
// namespaced objects, /registry/<resource>/<name> for cluster-scoped ones.
export const REGISTRY_PREFIX = '/registry/';

export function objectKey(resource: string, namespace: string, name: string): string {
  return namespace ? `${REGISTRY_PREFIX}${resource}/${namespace}/${name}` : `${REGISTRY_PREFIX}${resource}/${name}`;
}

/** Prefix of every object of a resource, or of one namespace of it. Always ends with "/". */
export function listPrefix(resource: string, namespace?: string): string {
  return namespace ? `${REGISTRY_PREFIX}${resource}/${namespace}/` : `${REGISTRY_PREFIX}${resource}/`;
}

/** The key just past every key with this prefix (etcd's range_end for a prefix). */
export function prefixEnd(prefix: string): Buffer {
  const b = Buffer.from(prefix);
  for (let i = b.length - 1; i >= 0; i--) {
    if (b[i] < 0xff) {
      const end = Buffer.from(b.subarray(0, i + 1));
      end[i]++;
      return end;
    }
  }
  return Buffer.from([0]);
}
