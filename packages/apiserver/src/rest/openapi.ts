// Just enough OpenAPI v3 for kubectl apply/create: they check, per group-version, that a
// PATCH operation for the kind takes a `fieldValidation` parameter before they send
// server-side field validation. No schemas: `kubectl explain` has nothing to explain.
import { RESOURCES, apiVersionOf } from '@k8ts/api';
import { servedGroupVersions } from './route.js';
import { createHash } from 'node:crypto';

function gvPath(group: string, version: string): string {
  return group ? `apis/${group}/${version}` : `api/${version}`;
}

function gvDocument(group: string, version: string): Record<string, unknown> {
  const paths: Record<string, unknown> = {};
  for (const r of RESOURCES.filter((x) => x.group === group && x.version === version)) {
    const prefix = `/${gvPath(group, version)}`;
    const path = r.namespaced ? `${prefix}/namespaces/{namespace}/${r.resource}/{name}` : `${prefix}/${r.resource}/{name}`;
    paths[path] = {
      patch: {
        description: `partially update the specified ${r.kind}`,
        operationId: `patch${r.kind}`,
        parameters: [
          { name: 'dryRun', in: 'query', schema: { type: 'string', uniqueItems: true } },
          { name: 'fieldManager', in: 'query', schema: { type: 'string', uniqueItems: true } },
          { name: 'fieldValidation', in: 'query', schema: { type: 'string', uniqueItems: true } },
          { name: 'force', in: 'query', schema: { type: 'boolean', uniqueItems: true } },
        ],
        responses: { '200': { description: 'OK' } },
        'x-kubernetes-action': 'patch',
        'x-kubernetes-group-version-kind': { group, version, kind: r.kind },
      },
    };
  }
  return {
    openapi: '3.0.0',
    info: { title: 'Kubernetes', version: 'v1.32.0-k8ts' },
    paths,
    components: { schemas: {} },
  };
}

const documents = new Map<string, { body: string; hash: string }>();
for (const { group, version } of servedGroupVersions()) {
  const body = JSON.stringify(gvDocument(group, version));
  documents.set(gvPath(group, version), { body, hash: createHash('sha512').update(body).digest('hex').slice(0, 32).toUpperCase() });
}

export function openapiV3Index(): string {
  const paths: Record<string, unknown> = {};
  for (const [p, d] of documents) paths[p] = { serverRelativeURL: `/openapi/v3/${p}?hash=${d.hash}` };
  return JSON.stringify({ paths });
}

/** The document for `api/v1` or `apis/<g>/<v>`, or undefined. */
export function openapiV3Document(path: string): string | undefined {
  return documents.get(path.replace(/^\/+|\/+$/g, ''))?.body;
}

export const servedKinds = () => RESOURCES.map((r) => `${apiVersionOf(r)}/${r.kind}`);
