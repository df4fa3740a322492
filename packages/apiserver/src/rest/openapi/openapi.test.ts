import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import protobuf from 'protobufjs';
import { RESOURCES, kindSchema, messageSchema } from '@k8ts/api';
import { openapiV3Index, openapiV3Document } from './v3.js';
import { openapiV2Json, openapiV2Protobuf } from './v2.js';
import { definitionName } from './schemas.js';

type Json = Record<string, any>;

function v3(path: string): Json {
  return JSON.parse(openapiV3Document(path)!);
}

/** Every `$ref` anywhere in a value. */
function refs(value: unknown, out: string[] = []): string[] {
  if (Array.isArray(value)) for (const v of value) refs(v, out);
  else if (value && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) {
      if (k === '$ref') out.push(v as string);
      else refs(v, out);
    }
  }
  return out;
}

const POD = 'io.k8s.api.core.v1.Pod';
const META = 'io.k8s.apimachinery.pkg.apis.meta.v1';

test('v3: every served kind has a schema carrying its GVK, and every $ref resolves in its document', () => {
  const index = JSON.parse(openapiV3Index());
  for (const r of RESOURCES) {
    const path = r.group ? `apis/${r.group}/${r.version}` : `api/${r.version}`;
    const doc = v3(path);
    const schemas = doc.components.schemas;
    // The CRD kind's schema is written by hand (rest/openapi/custom.ts), under upstream's name.
    const name = r.resource === 'customresourcedefinitions' ? 'io.k8s.apiextensions-apiserver.pkg.apis.apiextensions.v1.CustomResourceDefinition' : definitionName(kindSchema(r.group, r.version, r.kind)!.name);
    assert.deepEqual(schemas[name]?.['x-kubernetes-group-version-kind'], [{ group: r.group, kind: r.kind, version: r.version }], name);
    if (!r.virtual) assert.ok(schemas[`${name}List`]?.['x-kubernetes-group-version-kind'], `${name}List`);
    for (const ref of refs(doc)) assert.ok(schemas[ref.replace('#/components/schemas/', '')], `${path}: ${ref}`);
    assert.ok(index.paths[path].serverRelativeURL.endsWith(`?hash=${createHash('sha512').update(openapiV3Document(path)!).digest('hex').slice(0, 32).toUpperCase()}`));
  }
  assert.equal(openapiV3Document('apis/nope/v1'), undefined);
});

test('v3: kinds, fields and special types are shaped as upstream renders them', () => {
  const s = v3('api/v1').components.schemas;
  const pod = s[POD];
  assert.match(pod.description, /^Pod is a collection of containers/);
  assert.equal(pod.type, 'object');
  assert.match(pod.properties.apiVersion.description, /^APIVersion defines the versioned schema/);
  assert.equal(pod.properties.kind.type, 'string');
  // A described $ref is wrapped in allOf: OpenAPI 3.0 ignores a $ref's siblings.
  assert.deepEqual(pod.properties.metadata.allOf, [{ $ref: `#/components/schemas/${META}.ObjectMeta` }]);
  assert.match(pod.properties.metadata.description, /^Standard object's metadata/);
  const containers = s['io.k8s.api.core.v1.PodSpec'].properties.containers;
  assert.equal(containers.type, 'array');
  assert.deepEqual(containers.items, { $ref: '#/components/schemas/io.k8s.api.core.v1.Container' });
  assert.equal(containers['x-kubernetes-patch-strategy'], 'merge');
  assert.equal(containers['x-kubernetes-patch-merge-key'], 'name');
  assert.equal(containers['x-kubernetes-list-type'], 'map');
  assert.deepEqual(containers['x-kubernetes-list-map-keys'], ['name']);
  const container = s['io.k8s.api.core.v1.Container'];
  assert.deepEqual(container.required, ['name']);
  assert.deepEqual(container.properties.args.items, { type: 'string' });
  assert.equal(container.properties.stdin.type, 'boolean');
  assert.deepEqual([container.properties.terminationMessagePath.type], ['string']);
  const port = s['io.k8s.api.core.v1.ContainerPort'].properties.containerPort;
  assert.deepEqual([port.type, port.format], ['integer', 'int32']);
  const meta = s[`${META}.ObjectMeta`].properties;
  assert.deepEqual([meta.generation.type, meta.generation.format], ['integer', 'int64']);
  assert.deepEqual(meta.labels.additionalProperties, { type: 'string' });
  assert.equal(meta.labels.type, 'object');
  assert.deepEqual(meta.creationTimestamp.allOf, [{ $ref: `#/components/schemas/${META}.Time` }]);
  assert.deepEqual(s['io.k8s.api.core.v1.Secret'].properties.data.additionalProperties, { type: 'string', format: 'byte' });
  assert.deepEqual(s['io.k8s.api.core.v1.ResourceRequirements'].properties.limits.additionalProperties, { $ref: '#/components/schemas/io.k8s.apimachinery.pkg.api.resource.Quantity' });
  assert.deepEqual([s[`${META}.Time`].type, s[`${META}.Time`].format], ['string', 'date-time']);
  const ios = s['io.k8s.apimachinery.pkg.util.intstr.IntOrString'];
  assert.equal(ios.format, 'int-or-string');
  assert.deepEqual(ios.oneOf, [{ type: 'integer' }, { type: 'string' }]);
  assert.deepEqual(s['io.k8s.apimachinery.pkg.api.resource.Quantity'].oneOf, [{ type: 'string' }, { type: 'number' }]);
  assert.equal(s['io.k8s.apimachinery.pkg.runtime.RawExtension'].type, 'object');
  assert.equal(s[`${META}.FieldsV1`].type, 'object');
  // Go's inlined embeddings are flattened as upstream's JSON has them.
  const probe = s['io.k8s.api.core.v1.Probe'].properties;
  assert.ok(probe.httpGet && probe.exec && probe.periodSeconds && !probe.handler);
  assert.equal(s['io.k8s.api.core.v1.ProbeHandler'], undefined);
  assert.deepEqual(Object.keys(s['io.k8s.api.core.v1.ConfigMapKeySelector'].properties), ['key', 'name', 'optional']);
  assert.ok(s['io.k8s.api.core.v1.Volume'].properties.configMap && !s['io.k8s.api.core.v1.Volume'].properties.volumeSource);
  // Every property of a described type is in the proto schema (nothing invented).
  for (const f of Object.keys(container.properties)) assert.ok(messageSchema('k8s.io.api.core.v1.Container')!.fields.has(f), f);
});

test('v3: operations carry request and response schemas, GVKs and the fieldValidation parameter', () => {
  const doc = v3('apis/apps/v1');
  const item = doc.paths['/apis/apps/v1/namespaces/{namespace}/deployments/{name}'];
  assert.equal(item.patch.operationId, 'patchAppsV1NamespacedDeployment');
  assert.deepEqual(item.patch['x-kubernetes-group-version-kind'], { group: 'apps', version: 'v1', kind: 'Deployment' });
  assert.ok(item.patch.parameters.some((p: Json) => p.name === 'fieldValidation' && p.in === 'query'));
  assert.ok(item.patch.requestBody.content['application/strategic-merge-patch+json']);
  assert.deepEqual(item.get.responses['200'].content['application/json'].schema, { $ref: '#/components/schemas/io.k8s.api.apps.v1.Deployment' });
  assert.deepEqual(item.parameters.map((p: Json) => p.name), ['namespace', 'name']);
  const scale = doc.paths['/apis/apps/v1/namespaces/{namespace}/deployments/{name}/scale'];
  assert.deepEqual(scale.get['x-kubernetes-group-version-kind'], { group: 'autoscaling', version: 'v1', kind: 'Scale' });
  assert.ok(doc.components.schemas['io.k8s.api.autoscaling.v1.Scale']);
  const list = doc.paths['/apis/apps/v1/namespaces/{namespace}/deployments'].get;
  assert.deepEqual(list.responses['200'].content['application/json'].schema, { $ref: '#/components/schemas/io.k8s.api.apps.v1.DeploymentList' });
});

test('v3: documents are built once and kept', () => {
  assert.equal(openapiV3Document('apis/apps/v1'), openapiV3Document('/apis/apps/v1/'));
  assert.equal(openapiV3Index(), openapiV3Index());
});

test('v2 JSON: the same definitions, refs beside their descriptions, every $ref resolves', () => {
  const doc = JSON.parse(openapiV2Json());
  assert.equal(doc.swagger, '2.0');
  const d = doc.definitions;
  for (const r of RESOURCES) {
    const gvks = Object.values(d).flatMap((s: any) => s['x-kubernetes-group-version-kind'] ?? []);
    assert.ok(gvks.some((g: Json) => g.group === r.group && g.version === r.version && g.kind === r.kind), `${r.kind}`);
  }
  for (const ref of refs(doc)) assert.ok(d[ref.replace('#/definitions/', '')], ref);
  assert.equal(JSON.stringify(d).includes('allOf'), false);
  assert.deepEqual(d[POD].properties.metadata, { $ref: `#/definitions/${META}.ObjectMeta`, description: d[POD].properties.metadata.description });
  assert.deepEqual([d['io.k8s.apimachinery.pkg.util.intstr.IntOrString'].type, d['io.k8s.apimachinery.pkg.util.intstr.IntOrString'].format], ['string', 'int-or-string']);
  assert.equal(d['io.k8s.apimachinery.pkg.api.resource.Quantity'].type, 'string');
  const patch = doc.paths['/api/v1/namespaces/{namespace}/pods/{name}'].patch;
  assert.deepEqual(patch['x-kubernetes-group-version-kind'], { group: '', kind: 'Pod', version: 'v1' });
  assert.ok(patch.parameters.some((p: Json) => p.name === 'fieldValidation'));
  assert.deepEqual(patch.parameters.find((p: Json) => p.in === 'body').schema, { $ref: `#/definitions/${META}.Patch` });
});

test('v2 protobuf: gnostic encoding of the same definitions, read with an independent schema', () => {
  // gnostic OpenAPIv2.proto: Document.definitions=9, Definitions.additional_properties=1,
  // NamedSchema{name=1,value=2}, Schema{_ref=1,format=2,description=4,required=19,type=22
  // (TypeItem.value=1),items=23 (ItemsItem.schema=1),properties=25,vendor_extension=31}.
  const root = protobuf.parse(`syntax = "proto3";
    message Any { string yaml = 2; } message NamedAny { string name = 1; Any value = 2; }
    message TypeItem { repeated string value = 1; } message ItemsItem { repeated Schema schema = 1; }
    message NamedSchema { string name = 1; Schema value = 2; } message Props { repeated NamedSchema p = 1; }
    message Schema { string ref = 1; string format = 2; string description = 4; repeated string required = 19;
      TypeItem type = 22; ItemsItem items = 23; Props properties = 25; repeated NamedAny ext = 31; }
    message Defs { repeated NamedSchema p = 1; } message Doc { string swagger = 1; Defs definitions = 9; }`).root;
  const Doc = root.lookupType('Doc');
  const doc = Doc.toObject(Doc.decode(openapiV2Protobuf()), { defaults: false }) as any;
  const json = JSON.parse(openapiV2Json());
  assert.deepEqual(doc.definitions.p.map((n: Json) => n.name).sort(), Object.keys(json.definitions).sort());
  const byName = new Map<string, Json>(doc.definitions.p.map((n: Json) => [n.name, n.value]));
  const pod = byName.get(POD)!;
  assert.deepEqual(pod.type.value, ['object']);
  const gvk = pod.ext.find((e: Json) => e.name === 'x-kubernetes-group-version-kind');
  assert.deepEqual(JSON.parse(gvk.value.yaml), [{ group: '', kind: 'Pod', version: 'v1' }]);
  const spec = byName.get('io.k8s.api.core.v1.PodSpec')!;
  const containers = spec.properties.p.find((p: Json) => p.name === 'containers').value;
  assert.deepEqual(containers.type.value, ['array']);
  assert.equal(containers.items.schema[0].ref, '#/definitions/io.k8s.api.core.v1.Container');
  assert.equal(JSON.parse(containers.ext.find((e: Json) => e.name === 'x-kubernetes-patch-merge-key').value.yaml), 'name');
  assert.deepEqual(byName.get('io.k8s.api.core.v1.Container')!.required, ['name']);
  const time = byName.get(`${META}.Time`)!;
  assert.deepEqual([time.type.value, time.format], [['string'], 'date-time']);
});
