// Swagger 2.0 JSON → gnostic's OpenAPIv2 protobuf, the encoding kubectl asks /openapi/v2 for.
// Only the parts of the Swagger the v2 document uses are mapped; vendor extensions travel as
// YAML text (JSON is YAML), as gnostic carries them.
import protobuf from 'protobufjs';

// Field numbers from github.com/google/gnostic openapiv2/OpenAPIv2.proto.
const GNOSTIC = `
syntax = "proto3";
package openapi.v2;
message Any { string yaml = 2; }
message NamedAny { string name = 1; Any value = 2; }
message Info { string title = 1; string version = 2; }
message AdditionalPropertiesItem { oneof oneof { Schema schema = 1; bool boolean = 2; } }
message TypeItem { repeated string value = 1; }
message ItemsItem { repeated Schema schema = 1; }
message NamedSchema { string name = 1; Schema value = 2; }
message Properties { repeated NamedSchema additional_properties = 1; }
message Definitions { repeated NamedSchema additional_properties = 1; }
message Schema {
  string _ref = 1; string format = 2; string title = 3; string description = 4; bool unique_items = 16;
  repeated string required = 19; AdditionalPropertiesItem additional_properties = 21; TypeItem type = 22;
  ItemsItem items = 23; repeated Schema all_of = 24; Properties properties = 25; repeated NamedAny vendor_extension = 31;
}
message BodyParameter { string description = 1; string name = 2; string in = 3; bool required = 4; Schema schema = 5; }
message QueryParameterSubSchema { bool required = 1; string in = 2; string description = 3; string name = 4; string type = 6; bool unique_items = 20; }
message PathParameterSubSchema { bool required = 1; string in = 2; string description = 3; string name = 4; string type = 5; bool unique_items = 19; }
message NonBodyParameter { oneof oneof { QueryParameterSubSchema query_parameter_sub_schema = 3; PathParameterSubSchema path_parameter_sub_schema = 4; } }
message Parameter { oneof oneof { BodyParameter body_parameter = 1; NonBodyParameter non_body_parameter = 2; } }
message ParametersItem { oneof oneof { Parameter parameter = 1; } }
message SchemaItem { oneof oneof { Schema schema = 1; } }
message Response { string description = 1; SchemaItem schema = 2; }
message ResponseValue { oneof oneof { Response response = 1; } }
message NamedResponseValue { string name = 1; ResponseValue value = 2; }
message Responses { repeated NamedResponseValue response_code = 1; }
message Operation {
  repeated string tags = 1; string description = 3; string operation_id = 5; repeated string produces = 6; repeated string consumes = 7;
  repeated ParametersItem parameters = 8; Responses responses = 9; repeated string schemes = 10; repeated NamedAny vendor_extension = 13;
}
message PathItem {
  Operation get = 2; Operation put = 3; Operation post = 4; Operation delete = 5; Operation patch = 8;
  repeated ParametersItem parameters = 9;
}
message NamedPathItem { string name = 1; PathItem value = 2; }
message Paths { repeated NamedPathItem path = 2; }
message Document { string swagger = 1; Info info = 2; Paths paths = 8; Definitions definitions = 9; }
`;

type Json = Record<string, any>;

let documentType: protobuf.Type | undefined;

function extensions(o: Json): Json[] {
  return Object.keys(o)
    .filter((k) => k.startsWith('x-'))
    .map((k) => ({ name: k, value: { yaml: JSON.stringify(o[k]) + '\n' } }));
}

export function gnosticSchema(s: Json): Json {
  const out: Json = {};
  if (s.$ref) out._ref = s.$ref;
  if (s.format) out.format = s.format;
  if (s.description) out.description = s.description;
  if (s.uniqueItems) out.unique_items = true;
  if (s.required) out.required = s.required;
  if (s.additionalProperties !== undefined) {
    out.additional_properties = typeof s.additionalProperties === 'boolean' ? { boolean: s.additionalProperties } : { schema: gnosticSchema(s.additionalProperties) };
  }
  if (s.type) out.type = { value: [s.type] };
  if (s.items) out.items = { schema: [gnosticSchema(s.items)] };
  if (s.allOf) out.all_of = s.allOf.map(gnosticSchema);
  if (s.properties) out.properties = { additional_properties: Object.entries(s.properties).map(([name, v]) => ({ name, value: gnosticSchema(v as Json) })) };
  const ext = extensions(s);
  if (ext.length) out.vendor_extension = ext;
  return out;
}

function parameter(p: Json): Json {
  if (p.in === 'body') return { parameter: { body_parameter: { description: p.description, name: p.name, in: 'body', required: !!p.required, schema: gnosticSchema(p.schema) } } };
  const sub = { required: !!p.required, in: p.in, description: p.description, name: p.name, type: p.type, unique_items: !!p.uniqueItems };
  return { parameter: { non_body_parameter: p.in === 'path' ? { path_parameter_sub_schema: sub } : { query_parameter_sub_schema: sub } } };
}

function operation(o: Json): Json {
  return {
    tags: o.tags,
    description: o.description,
    operation_id: o.operationId,
    produces: o.produces,
    consumes: o.consumes,
    parameters: (o.parameters ?? []).map(parameter),
    responses: {
      response_code: Object.entries(o.responses as Json).map(([code, r]: [string, Json]) => ({
        name: code,
        value: { response: { description: r.description, ...(r.schema ? { schema: { schema: gnosticSchema(r.schema) } } : {}) } },
      })),
    },
    schemes: o.schemes,
    vendor_extension: extensions(o),
  };
}

const METHODS = ['get', 'put', 'post', 'delete', 'patch'];

/** The Swagger document as gnostic's protobuf bytes. */
export function encodeGnostic(doc: Json): Buffer {
  documentType ??= protobuf.parse(GNOSTIC, { keepCase: true }).root.lookupType('openapi.v2.Document');
  const paths = Object.entries(doc.paths as Json).map(([name, item]: [string, Json]) => {
    const value: Json = {};
    for (const m of METHODS) if (item[m]) value[m] = operation(item[m]);
    if (item.parameters) value.parameters = item.parameters.map(parameter);
    return { name, value };
  });
  const definitions = { additional_properties: Object.entries(doc.definitions as Json).map(([name, s]) => ({ name, value: gnosticSchema(s as Json) })) };
  const message = documentType.fromObject({ swagger: doc.swagger, info: doc.info, paths: { path: paths }, definitions });
  return Buffer.from(documentType.encode(message).finish());
}
