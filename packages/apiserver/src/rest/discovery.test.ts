import { test } from 'node:test';
import assert from 'node:assert/strict';
import { apiResourceList, aggregatedDiscovery, apiGroupList } from './discovery.js';
import { openapiV3Index, openapiV3Document } from './openapi.js';
import { openapiV2Protobuf, openapiV2Json } from './openapi-v2.js';
import protobuf from 'protobufjs';
import { chooseOutput, aggregatedDiscovery as wanted } from './negotiate.js';

test('legacy /api/v1 lists pods with short names and pods/eviction in policy/v1', () => {
  const doc = apiResourceList('', 'v1') as any;
  assert.equal(doc.kind, 'APIResourceList');
  assert.equal(doc.groupVersion, 'v1');
  const pods = doc.resources.find((r: any) => r.name === 'pods');
  assert.deepEqual(pods.shortNames, ['po']);
  assert.equal(pods.namespaced, true);
  assert.ok(pods.verbs.includes('watch'));
  assert.deepEqual(pods.categories, ['all']);
  const eviction = doc.resources.find((r: any) => r.name === 'pods/eviction');
  assert.deepEqual({ group: eviction.group, version: eviction.version, kind: eviction.kind }, { group: 'policy', version: 'v1', kind: 'Eviction' });
  assert.ok(doc.resources.find((r: any) => r.name === 'pods/status' && r.kind === 'Pod'));
  const apps = apiResourceList('apps', 'v1') as any;
  const scale = apps.resources.find((r: any) => r.name === 'deployments/scale');
  assert.deepEqual({ group: scale.group, version: scale.version, kind: scale.kind }, { group: 'autoscaling', version: 'v1', kind: 'Scale' });
  assert.equal(apiResourceList('nope', 'v1'), undefined);
});

test('aggregated discovery gives every resource and subresource a responseKind', () => {
  const core = aggregatedDiscovery(true, 'v2') as any;
  assert.equal(core.kind, 'APIGroupDiscoveryList');
  assert.equal(core.apiVersion, 'apidiscovery.k8s.io/v2');
  assert.equal(core.items.length, 1);
  const v1 = core.items[0].versions[0];
  assert.equal(v1.version, 'v1');
  for (const r of v1.resources) {
    assert.ok(r.responseKind?.kind, `${r.resource} has a responseKind`);
    for (const s of r.subresources ?? []) assert.ok(s.responseKind?.kind, `${r.resource}/${s.subresource}`);
  }
  const pods = v1.resources.find((r: any) => r.resource === 'pods');
  assert.equal(pods.scope, 'Namespaced');
  assert.equal(pods.singularResource, 'pod');
  const groups = aggregatedDiscovery(false, 'v2beta1') as any;
  assert.equal(groups.apiVersion, 'apidiscovery.k8s.io/v2beta1');
  assert.ok(groups.items.some((g: any) => g.metadata.name === 'apps'));
  assert.ok(!groups.items.some((g: any) => g.metadata.name === ''));
  assert.ok((apiGroupList() as any).groups.some((g: any) => g.name === 'coordination.k8s.io'));
});

test('OpenAPI v3 lists each group-version and carries a PATCH with fieldValidation per kind', () => {
  const index = JSON.parse(openapiV3Index());
  assert.ok(index.paths['api/v1'].serverRelativeURL.startsWith('/openapi/v3/api/v1?hash='));
  assert.ok(index.paths['apis/apps/v1']);
  const doc = JSON.parse(openapiV3Document('apis/apps/v1')!);
  const path = doc.paths['/apis/apps/v1/namespaces/{namespace}/deployments/{name}'];
  assert.deepEqual(path.patch['x-kubernetes-group-version-kind'], { group: 'apps', version: 'v1', kind: 'Deployment' });
  assert.ok(path.patch.parameters.some((p: any) => p.name === 'fieldValidation'));
  assert.equal(openapiV3Document('apis/nope/v1'), undefined);
});

test('content negotiation: Table first, aggregated discovery, JSON fallback', () => {
  assert.deepEqual(chooseOutput('application/json;as=Table;v=v1;g=meta.k8s.io,application/json;as=Table;v=v1beta1;g=meta.k8s.io,application/json'), { as: 'table', version: 'v1', yaml: false });
  assert.deepEqual(chooseOutput('application/json'), { as: 'object', yaml: false });
  assert.deepEqual(chooseOutput('application/yaml'), { as: 'object', yaml: true });
  assert.deepEqual(chooseOutput(undefined), { as: 'object', yaml: false });
  assert.equal(wanted('application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList,application/json'), 'v2');
  assert.equal(wanted('application/json;g=apidiscovery.k8s.io;v=v2beta1;as=APIGroupDiscoveryList,application/json'), 'v2beta1');
  assert.equal(wanted('application/json'), undefined);
});

test('OpenAPI v2 (gnostic protobuf) carries a PATCH per kind with its GVK and fieldValidation', () => {
  // Decoded with an independent reading of gnostic's field numbers: Document.paths=8,
  // Paths.path=2, NamedPathItem{name=1,value=2}, PathItem.patch=8, Operation.parameters=8,
  // Operation.vendor_extension=13, ParametersItem.parameter=1, Parameter.non_body_parameter=2,
  // NonBodyParameter.query_parameter_sub_schema=3, QueryParameterSubSchema.name=4.
  const root = protobuf.parse(`syntax = "proto3";
    message Any { string yaml = 2; } message NamedAny { string name = 1; Any value = 2; }
    message Q { string name = 4; } message NB { Q q = 3; } message P { NB nb = 2; } message PI { P p = 1; }
    message Op { repeated PI parameters = 8; repeated NamedAny ext = 13; } message Item { Op patch = 8; }
    message NamedItem { string name = 1; Item value = 2; } message Paths { repeated NamedItem path = 2; }
    message Doc { string swagger = 1; Paths paths = 8; }`).root;
  const Doc = root.lookupType('Doc');
  const doc = Doc.toObject(Doc.decode(openapiV2Protobuf())) as any;
  assert.equal(doc.swagger, '2.0');
  const dep = doc.paths.path.find((p: any) => p.name === '/apis/apps/v1/namespaces/{namespace}/deployments/{name}');
  assert.ok(dep);
  assert.ok(dep.value.patch.parameters.some((p: any) => p.p.nb?.q?.name === 'fieldValidation'));
  const gvk = dep.value.patch.ext.find((e: any) => e.name === 'x-kubernetes-group-version-kind');
  // gnostic carries extensions as YAML; JSON is YAML.
  assert.deepEqual(JSON.parse(gvk.value.yaml), { group: 'apps', kind: 'Deployment', version: 'v1' });
  const json = JSON.parse(openapiV2Json());
  assert.deepEqual(json.paths['/api/v1/namespaces/{namespace}/pods/{name}'].patch['x-kubernetes-group-version-kind'], { group: '', kind: 'Pod', version: 'v1' });
});
