// What a CustomResourceDefinition serves, as the ResourceInfo entries every other part of
// k8ts reads (discovery, routing, the registry, RBAC attributes, the garbage collector): the
// storage version under the key `<plural>.<group>` (built-in names never clash with it), each
// other served version a view of it converted by rewriting apiVersion alone (conversion
// strategy None, as kube-apiserver does).
import type { ResourceInfo } from '../resources.js';
import type { CustomResourceDefinition, CustomResourceDefinitionVersion, JSONSchemaProps } from './types.js';

export interface CustomResourceRules {
  /** The CRD's name (`<plural>.<group>`). */
  crd: string;
  schema?: JSONSchemaProps;
  columns: NonNullable<CustomResourceDefinitionVersion['additionalPrinterColumns']>;
  scale?: NonNullable<CustomResourceDefinitionVersion['subresources']>['scale'];
  /** Field selector paths beyond metadata.name and metadata.namespace (selectableFields). */
  selectableFields: string[];
  deprecationWarning?: string;
  /** The CRD is being deleted: its objects are served for the cleanup, but none is created. */
  terminating?: boolean;
}

const VERBS = ['create', 'delete', 'deletecollection', 'get', 'list', 'patch', 'update', 'watch'];

function condition(crd: CustomResourceDefinition, type: string): boolean {
  return !!crd.status?.conditions?.some((c) => c.type === type && c.status === 'True');
}

/** The key inside k8ts (etcd prefix, registry, gRPC) of a CRD's objects. */
export function customResourceKey(plural: string, group: string): string {
  return `${plural}.${group}`;
}

/**
 * The entries a CRD serves once Established (none before, and none once it is being
 * deleted: kube-apiserver stops serving new objects then, though it still lists them for
 * the cleanup, which the apiserver does through the registry directly).
 */
export function customResourceInfos(crd: CustomResourceDefinition, opts: { includeTerminating?: boolean } = {}): ResourceInfo[] {
  if (!condition(crd, 'Established')) return [];
  if (crd.metadata.deletionTimestamp && !opts.includeTerminating) return [];
  const { group, names, scope, versions } = crd.spec;
  const key = customResourceKey(names.plural, group);
  const storage = versions.find((v) => v.storage);
  if (!storage) return [];
  const base = (v: CustomResourceDefinitionVersion): ResourceInfo => {
    const subresources: string[] = [];
    if (v.subresources?.status) subresources.push('status');
    if (v.subresources?.scale) subresources.push('scale');
    const custom: CustomResourceRules = {
      crd: crd.metadata.name ?? key,
      schema: v.schema?.openAPIV3Schema,
      columns: v.additionalPrinterColumns ?? [],
      scale: v.subresources?.scale,
      selectableFields: (v.selectableFields ?? []).map((f) => f.jsonPath.replace(/^\./, '')),
    };
    if (crd.metadata.deletionTimestamp) custom.terminating = true;
    if (v.deprecated) custom.deprecationWarning = v.deprecationWarning ?? `${group}/${v.name} ${names.kind} is deprecated`;
    return {
      group,
      version: v.name,
      kind: names.kind,
      listKind: names.listKind ?? `${names.kind}List`,
      resource: key,
      path: names.plural,
      singular: names.singular ?? names.kind.toLowerCase(),
      namespaced: scope === 'Namespaced',
      shortNames: names.shortNames ?? [],
      verbs: VERBS,
      subresources,
      categories: names.categories ?? [],
      custom,
    };
  };
  const out = [base(storage)];
  for (const v of versions) {
    if (v === storage || !v.served) continue;
    out.push({ ...base(v), resource: `${names.plural}.${v.name}.${group}`, viewOf: key });
  }
  // An unserved storage version is still where objects live, but no path reaches it.
  if (!storage.served) out[0] = { ...out[0]!, unserved: true };
  return out;
}

const VERSION_RE = /^v(\d+)(?:(alpha|beta)(\d+))?$/;

/**
 * Kubernetes' version priority (version.CompareKubeAwareVersionStrings), highest first: GA
 * before beta before alpha, higher numbers first, then anything else by name.
 */
export function compareKubeVersions(a: string, b: string): number {
  const ma = VERSION_RE.exec(a);
  const mb = VERSION_RE.exec(b);
  if (!ma || !mb) return ma ? -1 : mb ? 1 : a < b ? -1 : a > b ? 1 : 0;
  const rank = (m: RegExpExecArray) => (m[2] === undefined ? 2 : m[2] === 'beta' ? 1 : 0);
  if (rank(ma) !== rank(mb)) return rank(mb) - rank(ma);
  if (ma[1] !== mb[1]) return Number(mb[1]) - Number(ma[1]);
  return Number(mb[3] ?? 0) - Number(ma[3] ?? 0);
}
