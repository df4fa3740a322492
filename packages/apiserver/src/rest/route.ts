// Turns a request path into what it addresses: a discovery document, or a resource
// (collection, object or subresource) in a group-version, namespaced or not. Only the
// shape of the path is judged here; whether the resource exists is the caller's business.
import { RESOURCES, compareKubeVersions, pathOf, resourcesGeneration, type ResourceInfo } from '@k8ts/api';

export type Route =
  | { type: 'apiVersions' } // /api
  | { type: 'apiGroups' } // /apis
  | { type: 'apiGroup'; group: string } // /apis/<g>
  | { type: 'resourceList'; group: string; version: string } // /api/v1, /apis/<g>/<v>
  | ResourceRoute;

export interface ResourceRoute {
  type: 'resource';
  group: string;
  version: string;
  /** The plural as written in the path. */
  resource: string;
  /** Undefined when the group-version does not serve this resource. */
  info?: ResourceInfo;
  /** Namespace from the path; undefined for cluster-scoped paths and all-namespace lists. */
  namespace?: string;
  name?: string;
  subresource?: string;
  /** Legacy `/watch/` path prefix. */
  watchPath: boolean;
}

// RESOURCES changes as CustomResourceDefinitions come and go: what is built from it is
// rebuilt when resourcesGeneration() moves.
let builtAt = -1;
let groupVersions: { group: string; version: string }[] = [];
let byPath = new Map<string, ResourceInfo>();

function current(): void {
  if (builtAt === resourcesGeneration()) return;
  builtAt = resourcesGeneration();
  const served = RESOURCES.filter((r) => !r.unserved);
  const seen = new Map<string, { group: string; version: string }>();
  for (const r of served) seen.set(`${r.group}/${r.version}`, { group: r.group, version: r.version });
  // Each group's versions by priority, so the first is the preferred one (a CRD's versions in any order).
  const groups = [...new Set([...seen.values()].map((gv) => gv.group))];
  groupVersions = groups.flatMap((g) => [...seen.values()].filter((gv) => gv.group === g).sort((a, b) => compareKubeVersions(a.version, b.version)));
  byPath = new Map(served.map((r) => [`${r.group}/${r.version}/${pathOf(r)}`, r]));
}

export function servedGroupVersions(): { group: string; version: string }[] {
  current();
  return groupVersions;
}

function lookup(group: string, version: string, resource: string): ResourceInfo | undefined {
  current();
  return byPath.get(`${group}/${version}/${resource}`);
}

const NAMESPACE_SUBRESOURCES = new Set(['status', 'finalize']);

export function parseRoute(pathname: string): Route | undefined {
  let parts: string[];
  try {
    parts = pathname.split('/').filter((p) => p !== '');
    if (pathname.includes('%')) parts = parts.map((p) => decodeURIComponent(p));
  } catch {
    return undefined; // malformed percent-encoding: no such path
  }
  if (parts.length === 0) return undefined;
  let group: string;
  let version: string;
  let rest: string[];
  if (parts[0] === 'api') {
    if (parts.length === 1) return { type: 'apiVersions' };
    group = '';
    version = parts[1];
    rest = parts.slice(2);
  } else if (parts[0] === 'apis') {
    if (parts.length === 1) return { type: 'apiGroups' };
    if (parts.length === 2) return { type: 'apiGroup', group: parts[1] };
    group = parts[1];
    version = parts[2];
    rest = parts.slice(3);
  } else {
    return undefined;
  }
  if (rest.length === 0) return { type: 'resourceList', group, version };

  let watchPath = false;
  if (rest[0] === 'watch') {
    watchPath = true;
    rest = rest.slice(1);
    if (rest.length === 0) return undefined;
  }

  // Literal objects, not a spread of a shared base: V8 makes a spread with this many extra
  // keys several microseconds slower, and every request is routed.
  // /namespaces/<ns>/<resource>/... addresses a namespaced resource, unless the third
  // segment is not one (then it is a subresource of the namespace itself: status, finalize).
  if (rest[0] === 'namespaces' && rest.length >= 3) {
    const info = lookup(group, version, rest[2]);
    const namespaceSubresource = group === '' && rest.length === 3 && NAMESPACE_SUBRESOURCES.has(rest[2]);
    const namespacedResource = info ? info.namespaced : !namespaceSubresource;
    if (namespacedResource) {
      // A proxy subresource carries the path it proxies after it (pods/<name>/proxy/a/b).
      if (rest.length > 5 && rest[4] !== 'proxy') return undefined;
      return { type: 'resource', group, version, watchPath, resource: rest[2], info, namespace: rest[1], name: rest[3], subresource: rest[4] };
    }
  }
  if (rest.length > 3 && rest[2] !== 'proxy') return undefined;
  return { type: 'resource', group, version, watchPath, resource: rest[0], info: lookup(group, version, rest[0]), namespace: undefined, name: rest[1], subresource: rest[2] };
}
