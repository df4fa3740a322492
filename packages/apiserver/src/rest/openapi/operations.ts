// The operations k8ts serves for each resource, described once and rendered by the v2 and v3
// documents: list, create, read, replace, patch and delete, each with the query parameters
// kubectl looks for (fieldValidation on PATCH tells it the server validates fields itself).
import type { ResourceInfo } from '@k8ts/api';
import { kindSchema, metaSchema, pathOf } from '@k8ts/api';
import { subresourceInfo } from '../discovery.js';
import type { Gvk, Schema } from './schemas.js';
import { customKindNames } from './custom.js';

export type Action = 'list' | 'post' | 'get' | 'put' | 'patch' | 'delete';

export interface Operation {
  method: 'get' | 'post' | 'put' | 'patch' | 'delete';
  action: Action;
  operationId: string;
  description: string;
  /** The proto message of the request body, if any. */
  body?: string;
  /** The proto message of the 200 answer. */
  response: string;
  query: { name: string; type: 'string' | 'boolean' | 'integer'; description: string }[];
  gvk: Gvk;
}

export interface PathEntry {
  path: string;
  pathParams: string[];
  operations: Operation[];
}

export const PATCH_TYPES = ['application/apply-patch+yaml', 'application/json-patch+json', 'application/merge-patch+json', 'application/strategic-merge-patch+json'];
export const META_PATCH = 'k8s.io.apimachinery.pkg.apis.meta.v1.Patch';

const Q = {
  dryRun: { name: 'dryRun', type: 'string', description: 'When present, indicates that modifications should not be persisted. An invalid or unrecognized dryRun directive will result in an error response and no further processing of the request. Valid values are: - All: all dry run stages will be processed' },
  fieldManager: { name: 'fieldManager', type: 'string', description: 'fieldManager is a name associated with the actor or entity that is making these changes. The value must be less than or 128 characters long, and only contain printable characters, as defined by https://golang.org/pkg/unicode/#IsPrint.' },
  fieldValidation: { name: 'fieldValidation', type: 'string', description: 'fieldValidation instructs the server on how to handle objects in the request (POST/PUT/PATCH) containing unknown or duplicate fields. Valid values are: - Ignore - Warn - Strict' },
  force: { name: 'force', type: 'boolean', description: 'Force is going to "force" Apply requests. It means user will re-acquire conflicting fields owned by other people. Force flag must be unset for non-apply patch requests.' },
  labelSelector: { name: 'labelSelector', type: 'string', description: 'A selector to restrict the list of returned objects by their labels. Defaults to everything.' },
  fieldSelector: { name: 'fieldSelector', type: 'string', description: 'A selector to restrict the list of returned objects by their fields. Defaults to everything.' },
  limit: { name: 'limit', type: 'integer', description: 'limit is a maximum number of responses to return for a list call.' },
  continue: { name: 'continue', type: 'string', description: 'The continue option should be set when retrieving more results from the server.' },
  resourceVersion: { name: 'resourceVersion', type: 'string', description: 'resourceVersion sets a constraint on what resource versions a request may be served from.' },
  watch: { name: 'watch', type: 'boolean', description: 'Watch for changes to the described resources and return them as a stream of add, update, and remove notifications.' },
  gracePeriodSeconds: { name: 'gracePeriodSeconds', type: 'integer', description: 'The duration in seconds before the object should be deleted.' },
  propagationPolicy: { name: 'propagationPolicy', type: 'string', description: "Whether and how garbage collection will be performed. Acceptable values are: 'Orphan', 'Background', 'Foreground'." },
} as const satisfies Record<string, Operation['query'][number]>;

function groupWord(group: string): string {
  if (!group) return 'Core';
  return group
    .replace(/\.k8s\.io$/, '')
    .split('.')
    .map((w) => w[0].toUpperCase() + w.slice(1))
    .join('');
}

/** The paths and operations of one resource, named as upstream names them (`patchCoreV1NamespacedPod`). */
export function resourcePaths(r: ResourceInfo): PathEntry[] {
  const gvk = { group: r.group, version: r.version, kind: r.kind };
  const base = r.group ? `/apis/${r.group}/${r.version}` : `/api/${r.version}`;
  const scope = r.namespaced ? `${base}/namespaces/{namespace}/${pathOf(r)}` : `${base}/${pathOf(r)}`;
  const params = r.namespaced ? ['namespace'] : [];
  const id = (verb: string, suffix = '') => `${verb}${groupWord(r.group)}${r.version[0].toUpperCase()}${r.version.slice(1)}${r.namespaced ? 'Namespaced' : ''}${r.kind}${suffix}`;
  const custom = customKindNames(r);
  const object = custom?.object ?? kindSchema(r.group, r.version, r.kind)!.name;
  const list = custom?.list ?? kindSchema(r.group, r.version, r.listKind)?.name ?? object;
  const status = metaSchema('Status')!.name;
  const write = [Q.dryRun, Q.fieldManager, Q.fieldValidation];
  const op = (o: Omit<Operation, 'gvk'>): Operation => ({ ...o, gvk });
  const out: PathEntry[] = [
    {
      path: scope,
      pathParams: params,
      operations: [
        op({ method: 'get', action: 'list', operationId: id('list'), description: `list or watch objects of kind ${r.kind}`, response: list, query: [Q.labelSelector, Q.fieldSelector, Q.limit, Q.continue, Q.resourceVersion, Q.watch] }),
        op({ method: 'post', action: 'post', operationId: id('create'), description: `create a ${r.kind}`, body: object, response: object, query: write }),
      ],
    },
    {
      path: `${scope}/{name}`,
      pathParams: [...params, 'name'],
      operations: [
        op({ method: 'get', action: 'get', operationId: id('read'), description: `read the specified ${r.kind}`, response: object, query: [] }),
        op({ method: 'put', action: 'put', operationId: id('replace'), description: `replace the specified ${r.kind}`, body: object, response: object, query: write }),
        op({ method: 'patch', action: 'patch', operationId: id('patch'), description: `partially update the specified ${r.kind}`, body: META_PATCH, response: object, query: [...write, Q.force] }),
        op({ method: 'delete', action: 'delete', operationId: id('delete'), description: `delete a ${r.kind}`, body: metaSchema('DeleteOptions')!.name, response: status, query: [Q.dryRun, Q.gracePeriodSeconds, Q.propagationPolicy] }),
      ],
    },
  ];
  for (const sub of ['status', 'scale']) {
    if (!r.subresources.includes(sub)) continue;
    const s = subresourceInfo(r, sub);
    const message = s.kind === r.kind && s.group === r.group && custom ? custom.object : kindSchema(s.group, s.version, s.kind)?.name;
    if (!message) continue;
    const word = sub[0].toUpperCase() + sub.slice(1);
    const subGvk = { group: s.group, version: s.version, kind: s.kind };
    out.push({
      path: `${scope}/{name}/${sub}`,
      pathParams: [...params, 'name'],
      operations: [
        { method: 'get', action: 'get', operationId: id('read', word), description: `read ${sub} of the specified ${r.kind}`, response: message, query: [], gvk: subGvk },
        { method: 'put', action: 'put', operationId: id('replace', word), description: `replace ${sub} of the specified ${r.kind}`, body: message, response: message, query: write, gvk: subGvk },
        { method: 'patch', action: 'patch', operationId: id('patch', word), description: `partially update ${sub} of the specified ${r.kind}`, body: META_PATCH, response: message, query: [...write, Q.force], gvk: subGvk },
      ],
    });
  }
  // A create-only resource (the access reviews) has its POST, as upstream documents it, and a
  // PATCH (answered 405): kubectl looks for fieldValidation on a kind's PATCH, and without one
  // lists CRDs, which k8ts does not serve, so `kubectl create -f review.yaml` would fail.
  const served = (o: Operation) => r.verbs.includes(VERB_OF[o.action]) || (!!r.virtual && o.action === 'patch');
  return out.map((p) => ({ ...p, operations: p.operations.filter(served) })).filter((p) => p.operations.length > 0);
}

const VERB_OF: Record<Action, string> = { list: 'list', post: 'create', get: 'get', put: 'update', patch: 'patch', delete: 'delete' };

/** The kinds a resource's operations answer with, each with the GVK upstream gives it. */
export function resourceKinds(r: ResourceInfo): [string, Gvk][] {
  const out: [string, Gvk][] = [];
  const add = (group: string, version: string, kind: string) => {
    const m = kindSchema(group, version, kind);
    if (m) out.push([m.name, { group, version, kind }]);
  };
  const custom = customKindNames(r);
  if (custom) {
    out.push([custom.object, { group: r.group, version: r.version, kind: r.kind }], [custom.list, { group: r.group, version: r.version, kind: r.listKind }]);
  } else {
    add(r.group, r.version, r.kind);
    add(r.group, r.version, r.listKind);
  }
  for (const sub of r.subresources) {
    const s = subresourceInfo(r, sub);
    if (s.kind !== r.kind) add(s.group, s.version, s.kind);
  }
  return out;
}

/** How a document flavour renders one operation and one path parameter. */
export interface Renderer {
  operation(o: Operation): Schema;
  pathParameter(name: string): Schema;
}

/** The paths object of a document over `resources`, and the kinds whose schemas it needs. */
export function documentPaths(resources: readonly ResourceInfo[], render: Renderer): { paths: Record<string, Schema>; kinds: Map<string, Gvk[]> } {
  const paths: Record<string, Schema> = {};
  const kinds = new Map<string, Gvk[]>();
  for (const r of resources) {
    for (const p of resourcePaths(r)) {
      const item: Schema = {};
      for (const o of p.operations) item[o.method] = render.operation(o);
      item.parameters = p.pathParams.map(render.pathParameter);
      paths[p.path] = item;
    }
    for (const [m, gvk] of resourceKinds(r)) if (!kinds.has(m)) kinds.set(m, [gvk]);
  }
  return { paths, kinds };
}
