// The resources this cluster serves. Discovery, the registry, the gRPC face and the client
// all read this one table, so adding a resource is one entry here (plus its defaults and
// validation).

export interface ResourceInfo {
  group: string; // "" for the core group
  version: string;
  kind: string;
  listKind: string;
  resource: string; // plural, the key used everywhere inside k8ts
  singular: string;
  namespaced: boolean;
  shortNames: string[];
  verbs: string[];
  subresources: string[];
  categories: string[];
  /** Create-only and never stored (the access reviews): a POST is answered with the status filled in. */
  virtual?: boolean;
  /**
   * The plural in paths and discovery when it differs from `resource`, the key: a name two
   * groups share (metrics.k8s.io's `nodes` and `pods`) or a second version of one resource.
   */
  path?: string;
  /** Read-only and never stored: get and list are answered from memory (metrics.k8s.io). */
  computed?: boolean;
  /**
   * Another version of the stored resource named here (autoscaling/v1 of
   * horizontalpodautoscalers): the apiserver converts to and from it at the REST face, as
   * kube-apiserver converts every version to its storage version; inside k8ts only the
   * stored version exists.
   */
  viewOf?: string;
  /** Served by a CustomResourceDefinition: its schema, columns and subresource paths. */
  custom?: CustomResourceRules;
  /** A CRD's storage version that is not served: objects live under it, no path reaches it. */
  unserved?: boolean;
}

import type { CustomResourceRules } from './apiextensions/resource-info.js';

const allVerbs = ['create', 'delete', 'deletecollection', 'get', 'list', 'patch', 'update', 'watch'];

function r(
  group: string,
  version: string,
  kind: string,
  resource: string,
  namespaced: boolean,
  shortNames: string[] = [],
  subresources: string[] = [],
  categories: string[] = [],
): ResourceInfo {
  return {
    group,
    version,
    kind,
    listKind: `${kind}List`,
    resource,
    singular: kind.toLowerCase(),
    namespaced,
    shortNames,
    verbs: allVerbs,
    subresources,
    categories,
  };
}

/** A create-only resource that is answered, not stored (SubjectAccessReview and its kin). */
function review(group: string, kind: string, resource: string, namespaced = false): ResourceInfo {
  return { ...r(group, 'v1', kind, resource, namespaced), verbs: ['create'], virtual: true };
}

/** Read-only metrics of metrics.k8s.io, answered from the apiserver's scrapes of the agents. */
function metrics(kind: string, plural: string, namespaced: boolean): ResourceInfo {
  return { ...r('metrics.k8s.io', 'v1beta1', kind, `${plural}.metrics.k8s.io`, namespaced), path: plural, singular: '', verbs: ['get', 'list'], computed: true };
}

/** `version` of `stored`, served by conversion (see ResourceInfo.viewOf). */
function view(stored: ResourceInfo, version: string): ResourceInfo {
  return { ...stored, version, resource: `${stored.resource}.${version}.${stored.group}`, path: stored.resource, viewOf: stored.resource, categories: [] };
}

const hpa = r('autoscaling', 'v2', 'HorizontalPodAutoscaler', 'horizontalpodautoscalers', true, ['hpa'], ['status'], ['all']);

const BUILT_IN: readonly ResourceInfo[] = [
  r('', 'v1', 'Namespace', 'namespaces', false, ['ns'], ['status', 'finalize']),
  r('', 'v1', 'Node', 'nodes', false, ['no'], ['status', 'proxy']),
  r('', 'v1', 'Pod', 'pods', true, ['po'], ['status', 'binding', 'eviction', 'log', 'exec', 'attach', 'portforward', 'proxy', 'ephemeralcontainers'], ['all']),
  r('', 'v1', 'Service', 'services', true, ['svc'], ['status', 'proxy'], ['all']),
  r('', 'v1', 'Endpoints', 'endpoints', true, ['ep']),
  r('', 'v1', 'ConfigMap', 'configmaps', true, ['cm']),
  r('', 'v1', 'Secret', 'secrets', true),
  r('', 'v1', 'PersistentVolumeClaim', 'persistentvolumeclaims', true, ['pvc'], ['status']),
  r('', 'v1', 'PersistentVolume', 'persistentvolumes', false, ['pv'], ['status']),
  r('', 'v1', 'Event', 'events', true, ['ev']),
  r('', 'v1', 'ServiceAccount', 'serviceaccounts', true, ['sa'], ['token']),
  r('', 'v1', 'ResourceQuota', 'resourcequotas', true, ['quota'], ['status']),
  r('', 'v1', 'LimitRange', 'limitranges', true, ['limits']),
  r('coordination.k8s.io', 'v1', 'Lease', 'leases', true),
  r('policy', 'v1', 'PodDisruptionBudget', 'poddisruptionbudgets', true, ['pdb'], ['status']),
  r('discovery.k8s.io', 'v1', 'EndpointSlice', 'endpointslices', true),
  r('storage.k8s.io', 'v1', 'StorageClass', 'storageclasses', false, ['sc']),
  r('networking.k8s.io', 'v1', 'Ingress', 'ingresses', true, ['ing'], ['status']),
  r('networking.k8s.io', 'v1', 'IngressClass', 'ingressclasses', false),
  r('apps', 'v1', 'Deployment', 'deployments', true, ['deploy'], ['status', 'scale'], ['all']),
  r('apps', 'v1', 'ReplicaSet', 'replicasets', true, ['rs'], ['status', 'scale'], ['all']),
  r('apps', 'v1', 'DaemonSet', 'daemonsets', true, ['ds'], ['status'], ['all']),
  r('apps', 'v1', 'StatefulSet', 'statefulsets', true, ['sts'], ['status', 'scale'], ['all']),
  r('apps', 'v1', 'ControllerRevision', 'controllerrevisions', true),
  r('batch', 'v1', 'Job', 'jobs', true, [], ['status'], ['all']),
  r('batch', 'v1', 'CronJob', 'cronjobs', true, ['cj'], ['status'], ['all']),
  hpa,
  view(hpa, 'v1'),
  metrics('NodeMetrics', 'nodes', false),
  metrics('PodMetrics', 'pods', true),
  r('certificates.k8s.io', 'v1', 'CertificateSigningRequest', 'certificatesigningrequests', false, ['csr'], ['status', 'approval']),
  r('rbac.authorization.k8s.io', 'v1', 'Role', 'roles', true),
  r('rbac.authorization.k8s.io', 'v1', 'ClusterRole', 'clusterroles', false),
  r('rbac.authorization.k8s.io', 'v1', 'RoleBinding', 'rolebindings', true),
  r('rbac.authorization.k8s.io', 'v1', 'ClusterRoleBinding', 'clusterrolebindings', false),
  review('authorization.k8s.io', 'SelfSubjectAccessReview', 'selfsubjectaccessreviews'),
  review('authorization.k8s.io', 'SubjectAccessReview', 'subjectaccessreviews'),
  review('authorization.k8s.io', 'LocalSubjectAccessReview', 'localsubjectaccessreviews', true),
  review('authorization.k8s.io', 'SelfSubjectRulesReview', 'selfsubjectrulesreviews'),
  review('authentication.k8s.io', 'SelfSubjectReview', 'selfsubjectreviews'),
  review('authentication.k8s.io', 'TokenReview', 'tokenreviews'),
  r('apiextensions.k8s.io', 'v1', 'CustomResourceDefinition', 'customresourcedefinitions', false, ['crd', 'crds'], ['status'], ['api-extensions']),
];

const all: ResourceInfo[] = [...BUILT_IN];
/** The built-in resources, then those the Established CustomResourceDefinitions serve. */
export const RESOURCES: readonly ResourceInfo[] = all;

let byResource = new Map<string, ResourceInfo>();
// A kind names its stored version, never a view of it; a built-in kind wins over a custom one.
let byKind = new Map<string, ResourceInfo>();
let generation = 0;

function index(): void {
  byResource = new Map(all.map((x) => [x.resource, x]));
  byKind = new Map();
  for (const x of all) if (!x.viewOf && !byKind.has(x.kind)) byKind.set(x.kind, x);
}
index();

/**
 * Replaces the custom resources (what the CRDs serve) in RESOURCES. Each process that
 * watches CustomResourceDefinitions (the apiserver, the controller-manager) calls it as
 * they change; caches built from RESOURCES compare resourcesGeneration() to rebuild.
 */
export function setCustomResources(infos: readonly ResourceInfo[]): void {
  all.length = BUILT_IN.length;
  for (const x of infos) if (!BUILT_IN.some((b) => b.resource === x.resource)) all.push(x);
  index();
  generation++;
}

/** Bumped at each setCustomResources: a cache built from RESOURCES is stale when it differs. */
export function resourcesGeneration(): number {
  return generation;
}

/** Looks a resource up by plural, singular, short name or kind (case-insensitive). */
export function findResource(name: string): ResourceInfo | undefined {
  const exact = byResource.get(name) ?? byKind.get(name);
  if (exact) return exact;
  const n = name.toLowerCase();
  return RESOURCES.find(
    (x) => !x.viewOf && (x.resource === n || x.singular === n || x.shortNames.includes(n) || x.kind.toLowerCase() === n),
  );
}

/** The plural a resource has in paths and discovery. */
export function pathOf(info: ResourceInfo): string {
  return info.path ?? info.resource;
}

export function resourceForKind(kind: string): ResourceInfo | undefined {
  return byKind.get(kind);
}

export function apiVersionOf(info: ResourceInfo): string {
  return info.group ? `${info.group}/${info.version}` : info.version;
}
