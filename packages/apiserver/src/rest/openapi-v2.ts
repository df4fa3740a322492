// /openapi/v2 for kubectl before 1.28, which reads it (as gnostic's OpenAPIv2 protobuf)
// to learn that the server validates fields itself: one PATCH operation per kind with the
// x-kubernetes-group-version-kind extension and a fieldValidation query parameter. No
// definitions, so kubectl apply falls back to its built-in merge keys.
import protobuf from 'protobufjs';
import { RESOURCES } from '@k8ts/api';

// Field numbers from github.com/google/gnostic openapiv2/OpenAPIv2.proto.
const GNOSTIC = `
syntax = "proto3";
package openapi.v2;
message Any { string yaml = 2; }
message NamedAny { string name = 1; Any value = 2; }
message Info { string title = 1; string version = 2; }
message QueryParameterSubSchema { bool required = 1; string in = 2; string description = 3; string name = 4; string type = 6; bool unique_items = 20; }
message NonBodyParameter { oneof oneof { QueryParameterSubSchema query_parameter_sub_schema = 3; } }
message Parameter { oneof oneof { NonBodyParameter non_body_parameter = 2; } }
message ParametersItem { oneof oneof { Parameter parameter = 1; } }
message Response { string description = 1; }
message ResponseValue { oneof oneof { Response response = 1; } }
message NamedResponseValue { string name = 1; ResponseValue value = 2; }
message Responses { repeated NamedResponseValue response_code = 1; }
message Operation { string description = 3; string operation_id = 5; repeated string consumes = 7; repeated ParametersItem parameters = 8; Responses responses = 9; repeated NamedAny vendor_extension = 13; }
message PathItem { Operation patch = 8; }
message NamedPathItem { string name = 1; PathItem value = 2; }
message Paths { repeated NamedPathItem path = 2; }
message Document { string swagger = 1; Info info = 2; Paths paths = 8; }
`;

const root = protobuf.parse(GNOSTIC, { keepCase: true }).root;
const Document = root.lookupType('openapi.v2.Document');

function query(name: string, type: string) {
  return { parameter: { non_body_parameter: { query_parameter_sub_schema: { in: 'query', name, type, unique_items: true } } } };
}

function document(): Record<string, unknown> {
  const paths = RESOURCES.map((r) => {
    const prefix = r.group ? `/apis/${r.group}/${r.version}` : `/api/${r.version}`;
    const path = r.namespaced ? `${prefix}/namespaces/{namespace}/${r.resource}/{name}` : `${prefix}/${r.resource}/{name}`;
    return {
      name: path,
      value: {
        patch: {
          description: `partially update the specified ${r.kind}`,
          operation_id: `patch${r.kind}`,
          consumes: ['application/json-patch+json', 'application/merge-patch+json', 'application/strategic-merge-patch+json', 'application/apply-patch+yaml'],
          parameters: [query('dryRun', 'string'), query('fieldManager', 'string'), query('fieldValidation', 'string'), query('force', 'boolean')],
          responses: { response_code: [{ name: '200', value: { response: { description: 'OK' } } }] },
          vendor_extension: [
            { name: 'x-kubernetes-action', value: { yaml: 'patch\n' } },
            { name: 'x-kubernetes-group-version-kind', value: { yaml: `group: "${r.group}"\nkind: ${r.kind}\nversion: ${r.version}\n` } },
          ],
        },
      },
    };
  });
  return { swagger: '2.0', info: { title: 'Kubernetes', version: 'v1.32.0-k8ts' }, paths: { path: paths } };
}

const doc = document();
const encoded = Buffer.from(Document.encode(Document.fromObject(doc)).finish());

export const OPENAPI_V2_PROTOBUF = 'application/com.github.proto-openapi.spec.v2@v1.0+protobuf';

export function openapiV2Protobuf(): Buffer {
  return encoded;
}

/** The same document as Swagger JSON, for clients that ask for JSON. */
export function openapiV2Json(): string {
  const paths: Record<string, unknown> = {};
  for (const p of (doc.paths as { path: { name: string; value: { patch: any } }[] }).path) {
    const op = p.value.patch;
    paths[p.name] = {
      patch: {
        description: op.description,
        operationId: op.operation_id,
        consumes: op.consumes,
        parameters: op.parameters.map((x: any) => {
          const q = x.parameter.non_body_parameter.query_parameter_sub_schema;
          return { in: q.in, name: q.name, type: q.type, uniqueItems: true };
        }),
        responses: { '200': { description: 'OK' } },
        'x-kubernetes-action': 'patch',
        'x-kubernetes-group-version-kind': Object.fromEntries(
          op.vendor_extension[1].value.yaml
            .trim()
            .split('\n')
            .map((l: string) => l.split(': ').map((s) => s.replace(/^"|"$/g, ''))),
        ),
      },
    };
  }
  return JSON.stringify({ swagger: '2.0', info: doc.info, paths, definitions: {} });
}
