// Discovery documents built from the RESOURCES table: legacy (/api, /apis, /api/v1,
// /apis/<g>/<v>) and aggregated (apidiscovery.k8s.io v2 / v2beta1), which kubectl 1.27+
// asks for first.
import { RESOURCES, pathOf, type ResourceInfo } from '@k8ts/api';
import { servedGroupVersions } from './route.js';

interface SubresourceInfo {
  group: string;
  version: string;
  kind: string;
  verbs: string[];
}

/** What each subresource answers with and which verbs it takes, as in Kubernetes. */
export function subresourceInfo(parent: ResourceInfo, sub: string): SubresourceInfo {
  const self = { group: parent.group, version: parent.version, kind: parent.kind };
  switch (sub) {
    case 'status':
    case 'approval':
    case 'ephemeralcontainers':
      return { ...self, verbs: ['get', 'patch', 'update'] };
    case 'scale':
      return { group: 'autoscaling', version: 'v1', kind: 'Scale', verbs: ['get', 'patch', 'update'] };
    case 'eviction':
      return { group: 'policy', version: 'v1', kind: 'Eviction', verbs: ['create'] };
    case 'binding':
      return { group: '', version: 'v1', kind: 'Binding', verbs: ['create'] };
    case 'log':
      return { group: '', version: 'v1', kind: 'Pod', verbs: ['get'] };
    case 'exec':
      return { group: '', version: 'v1', kind: 'PodExecOptions', verbs: ['create', 'get'] };
    case 'attach':
      return { group: '', version: 'v1', kind: 'PodAttachOptions', verbs: ['create', 'get'] };
    case 'portforward':
      return { group: '', version: 'v1', kind: 'PodPortForwardOptions', verbs: ['create', 'get'] };
    case 'proxy':
      return { group: '', version: 'v1', kind: `${parent.kind}ProxyOptions`, verbs: ['create', 'delete', 'get', 'patch', 'update'] };
    case 'finalize':
      return { ...self, verbs: ['update'] };
    case 'token':
      return { group: 'authentication.k8s.io', version: 'v1', kind: 'TokenRequest', verbs: ['create'] };
    default:
      return { ...self, verbs: ['get'] };
  }
}

function resourcesIn(group: string, version: string): ResourceInfo[] {
  return RESOURCES.filter((r) => r.group === group && r.version === version && !r.unserved);
}

export function apiVersions(serverAddress: string): Record<string, unknown> {
  return {
    kind: 'APIVersions',
    versions: ['v1'],
    serverAddressByClientCIDRs: [{ clientCIDR: '0.0.0.0/0', serverAddress }],
  };
}

function groupDoc(group: string): Record<string, unknown> | undefined {
  const versions = servedGroupVersions()
    .filter((gv) => gv.group === group)
    .map((gv) => ({ groupVersion: `${group}/${gv.version}`, version: gv.version }));
  if (versions.length === 0) return undefined;
  return { name: group, versions, preferredVersion: versions[0] };
}

export function apiGroupList(): Record<string, unknown> {
  const groups = [...new Set(servedGroupVersions().map((gv) => gv.group).filter((g) => g !== ''))];
  return { kind: 'APIGroupList', apiVersion: 'v1', groups: groups.map((g) => groupDoc(g)) };
}

export function apiGroup(group: string): Record<string, unknown> | undefined {
  const doc = groupDoc(group);
  return doc ? { kind: 'APIGroup', apiVersion: 'v1', ...doc } : undefined;
}

export function apiResourceList(group: string, version: string): Record<string, unknown> | undefined {
  const infos = resourcesIn(group, version);
  if (infos.length === 0) return undefined;
  const resources: Record<string, unknown>[] = [];
  for (const r of infos) {
    const entry: Record<string, unknown> = {
      name: pathOf(r),
      singularName: r.singular,
      namespaced: r.namespaced,
      kind: r.kind,
      verbs: r.verbs,
    };
    if (r.shortNames.length) entry.shortNames = r.shortNames;
    if (r.categories.length) entry.categories = r.categories;
    resources.push(entry);
    for (const sub of r.subresources) {
      const s = subresourceInfo(r, sub);
      const subEntry: Record<string, unknown> = { name: `${pathOf(r)}/${sub}`, singularName: '', namespaced: r.namespaced, kind: s.kind, verbs: s.verbs };
      if (s.group !== r.group || s.version !== r.version) {
        subEntry.group = s.group;
        subEntry.version = s.version;
      }
      resources.push(subEntry);
    }
  }
  return { kind: 'APIResourceList', apiVersion: 'v1', groupVersion: group ? `${group}/${version}` : version, resources };
}

function discoveryResource(r: ResourceInfo): Record<string, unknown> {
  const entry: Record<string, unknown> = {
    resource: pathOf(r),
    responseKind: { group: r.group, version: r.version, kind: r.kind },
    scope: r.namespaced ? 'Namespaced' : 'Cluster',
    singularResource: r.singular,
    verbs: r.verbs,
  };
  if (r.shortNames.length) entry.shortNames = r.shortNames;
  if (r.categories.length) entry.categories = r.categories;
  if (r.subresources.length) {
    entry.subresources = r.subresources.map((sub) => {
      const s = subresourceInfo(r, sub);
      return { subresource: sub, responseKind: { group: s.group, version: s.version, kind: s.kind }, verbs: s.verbs };
    });
  }
  return entry;
}

/** Aggregated discovery: `/api` lists the core group, `/apis` every named group. */
export function aggregatedDiscovery(core: boolean, version: 'v2' | 'v2beta1'): Record<string, unknown> {
  const groups = core ? [''] : [...new Set(servedGroupVersions().map((gv) => gv.group).filter((g) => g !== ''))];
  const items = groups.map((group) => ({
    metadata: { name: group, creationTimestamp: null },
    versions: servedGroupVersions()
      .filter((gv) => gv.group === group)
      .map((gv) => ({ version: gv.version, resources: resourcesIn(group, gv.version).map(discoveryResource), freshness: 'Current' })),
  }));
  return { kind: 'APIGroupDiscoveryList', apiVersion: `apidiscovery.k8s.io/${version}`, metadata: {}, items };
}
