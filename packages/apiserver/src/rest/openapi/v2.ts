// /openapi/v2: one Swagger 2.0 document for every served group-version, as JSON or as gnostic's
// protobuf (what kubectl before 1.28 asks for: explain, apply's patch computation and the
// fieldValidation probe read it). Built on first request and kept.
import { RESOURCES, resourcesGeneration } from '@k8ts/api';
import { definitions, definitionName, META_MESSAGES, type Schema } from './schemas.js';
import { documentPaths, PATCH_TYPES, META_PATCH, type Operation } from './operations.js';
import { encodeGnostic } from './gnostic.js';
import { INFO } from './v3.js';

const ref = (message: string) => ({ $ref: `#/definitions/${definitionName(message)}` });

function operation(o: Operation): Schema {
  const parameters: Schema[] = [];
  if (o.body) parameters.push({ name: 'body', in: 'body', required: o.method !== 'delete', schema: ref(o.body) });
  for (const q of o.query) parameters.push({ uniqueItems: true, type: q.type, description: q.description, name: q.name, in: 'query' });
  const out: Schema = { description: o.description, operationId: o.operationId };
  out.consumes = o.body === META_PATCH ? PATCH_TYPES : ['*/*'];
  out.produces = ['application/json', 'application/yaml'];
  out.schemes = ['https'];
  out.parameters = parameters;
  out.responses = { '200': { description: 'OK', schema: ref(o.response) }, '401': { description: 'Unauthorized' } };
  out['x-kubernetes-action'] = o.action;
  out['x-kubernetes-group-version-kind'] = { group: o.gvk.group, kind: o.gvk.kind, version: o.gvk.version };
  return out;
}

function pathParameter(name: string): Schema {
  const description = name === 'name' ? 'name of the object' : 'object name and auth scope, such as for teams and projects';
  return { uniqueItems: true, type: 'string', description, name, in: 'path', required: true };
}

function document(): Schema {
  const { paths, kinds } = documentPaths(RESOURCES.filter((r) => !r.unserved), { operation, pathParameter });
  return { swagger: '2.0', info: INFO, paths, definitions: definitions(kinds, META_MESSAGES, 'v2') };
}

let built: { json: string; protobuf: Buffer } | undefined;
let builtAt = -1;

function build(): { json: string; protobuf: Buffer } {
  // Rebuilt when the CustomResourceDefinitions change what is served.
  if (!built || builtAt !== resourcesGeneration()) {
    builtAt = resourcesGeneration();
    const doc = document();
    built = { json: JSON.stringify(doc), protobuf: encodeGnostic(doc) };
  }
  return built;
}

export const OPENAPI_V2_PROTOBUF = 'application/com.github.proto-openapi.spec.v2@v1.0+protobuf';

/** The document as gnostic's OpenAPIv2 protobuf. */
export function openapiV2Protobuf(): Buffer {
  return build().protobuf;
}

/** The same document as Swagger JSON, for clients that ask for JSON. */
export function openapiV2Json(): string {
  return build().json;
}
