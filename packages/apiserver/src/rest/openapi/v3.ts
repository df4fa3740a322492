// OpenAPI v3: /openapi/v3 lists one document per group-version with a hash of its content
// (kubectl caches documents by that hash); each document carries its paths and the schema of
// every type they reference, which `kubectl explain` reads. A document is built on its first
// request and kept: its content depends only on the code.
import { createHash } from 'node:crypto';
import { RESOURCES, resourcesGeneration } from '@k8ts/api';
import { servedGroupVersions } from '../route.js';
import { versionInfo } from '../version.js';
import { definitions, definitionName, META_MESSAGES, type Schema } from './schemas.js';
import { documentPaths, PATCH_TYPES, META_PATCH, type Operation } from './operations.js';

export const INFO = { title: 'Kubernetes', version: versionInfo().gitVersion };

export function gvPath(group: string, version: string): string {
  return group ? `apis/${group}/${version}` : `api/${version}`;
}

const ref = (message: string) => ({ $ref: `#/components/schemas/${definitionName(message)}` });

function operation(o: Operation): Schema {
  const parameters = o.query.map((q) => ({ name: q.name, in: 'query', description: q.description, schema: { type: q.type, uniqueItems: true } }));
  const out: Schema = { description: o.description, operationId: o.operationId };
  if (parameters.length) out.parameters = parameters;
  if (o.body) {
    const types = o.body === META_PATCH ? PATCH_TYPES : ['*/*'];
    out.requestBody = { content: Object.fromEntries(types.map((t) => [t, { schema: ref(o.body!) }])), required: o.method !== 'delete' };
  }
  out.responses = { '200': { description: 'OK', content: { 'application/json': { schema: ref(o.response) }, 'application/yaml': { schema: ref(o.response) } } }, '401': { description: 'Unauthorized' } };
  out['x-kubernetes-action'] = o.action;
  out['x-kubernetes-group-version-kind'] = { group: o.gvk.group, kind: o.gvk.kind, version: o.gvk.version };
  return out;
}

function pathParameter(name: string): Schema {
  const description = name === 'name' ? 'name of the object' : 'object name and auth scope, such as for teams and projects';
  return { name, in: 'path', description, required: true, schema: { type: 'string', uniqueItems: true } };
}

function gvDocument(group: string, version: string): Schema {
  const { paths, kinds } = documentPaths(RESOURCES.filter((x) => x.group === group && x.version === version && !x.unserved), { operation, pathParameter });
  return { openapi: '3.0.0', info: INFO, paths, components: { schemas: definitions(kinds, META_MESSAGES, 'v3') } };
}

interface Built {
  body: string;
  hash: string;
}

const built = new Map<string, Built>();
let builtAt = -1;

/** Every document is built again once the CustomResourceDefinitions change what is served. */
function fresh(): void {
  if (builtAt === resourcesGeneration()) return;
  builtAt = resourcesGeneration();
  built.clear();
  index = undefined;
}

function build(path: string): Built | undefined {
  fresh();
  const hit = built.get(path);
  if (hit) return hit;
  const gv = servedGroupVersions().find((g) => gvPath(g.group, g.version) === path);
  if (!gv) return undefined;
  const body = JSON.stringify(gvDocument(gv.group, gv.version));
  const doc = { body, hash: createHash('sha512').update(body).digest('hex').slice(0, 32).toUpperCase() };
  built.set(path, doc);
  return doc;
}

let index: string | undefined;

/** The /openapi/v3 index: each group-version's URL with the hash of its document. */
export function openapiV3Index(): string {
  fresh();
  if (index === undefined) {
    const paths: Record<string, unknown> = {};
    for (const { group, version } of servedGroupVersions()) {
      const p = gvPath(group, version);
      paths[p] = { serverRelativeURL: `/openapi/v3/${p}?hash=${build(p)!.hash}` };
    }
    index = JSON.stringify({ paths });
  }
  return index;
}

/** The document for `api/v1` or `apis/<g>/<v>` (body and hash), or undefined. */
export function openapiV3Built(path: string): Built | undefined {
  return build(path.replace(/^\/+|\/+$/g, ''));
}

/** The document for `api/v1` or `apis/<g>/<v>`, or undefined. */
export function openapiV3Document(path: string): string | undefined {
  return openapiV3Built(path)?.body;
}
