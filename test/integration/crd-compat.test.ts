// CustomResourceDefinitions beyond the basics: discovery (legacy and aggregated) as kubectl
// 1.27 and 1.33 read it (short names, categories, api-resources), server-side apply with
// managedFields and list-map merging from the CRD's schema, RBAC on the custom group (a 403),
// a CRD whose names another CRD holds (NamesAccepted False, never Established), malformed
// CRDs and custom objects answered with 4xx, and a custom kind whose CRD is gone (404).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { kubectlOk, runKubectl, type KubectlCluster } from './kubectl-cluster.js';
import { GADGET_CRD, startCrdCluster, widget } from './crd-fixtures.js';

let cluster: KubectlCluster;

before(async () => {
  cluster = await startCrdCluster();
  await ok(['apply', '-f', '-'], widget('w1', 'color: red'));
});

after(async () => {
  await cluster?.stop();
});

const kubectl = (args: string[], input?: string, minor = 32) => runKubectl(cluster, args, { input, minor, timeoutMs: 60_000 });
const ok = (args: string[], input?: string, minor = 32) => kubectlOk(cluster, args, { input, minor, timeoutMs: 60_000 });

for (const minor of [27, 33]) {
  test(`kubectl 1.${minor} discovers the custom kinds: api-resources, short names, categories`, async () => {
    const res = await ok(['api-resources', '--api-group=test.k8ts.io'], undefined, minor);
    assert.match(res, /widgets\s+wd\s+test\.k8ts\.io\/v1\s+true\s+Widget/);
    assert.match(res, /gadgets\s+gd\s+test\.k8ts\.io\/v1\s+false\s+Gadget/);
    assert.match(await ok(['api-resources', '--categories=widgety', '-o', 'name'], undefined, minor), /^widgets\.test\.k8ts\.io$/m);
    assert.match(await ok(['get', 'wd'], undefined, minor), /\nw1\s+red\s+1/);
    assert.match(await ok(['api-versions'], undefined, minor), /^test\.k8ts\.io\/v1beta1$/m);
    assert.match(await ok(['get', 'crds'], undefined, minor), /gadgets\.test\.k8ts\.io/);
  });
}

test('the group and group-version documents list both versions (the preferred first), short names, categories and subresources', async () => {
  const body = await ok(['get', '--raw', '/apis']);
  const legacy = JSON.parse(body);
  const group = legacy.groups.find((g: any) => g.name === 'test.k8ts.io');
  assert.deepEqual(group.versions.map((v: any) => v.version), ['v1', 'v1beta1']);
  assert.equal(group.preferredVersion.version, 'v1');
  const list = JSON.parse(await ok(['get', '--raw', '/apis/test.k8ts.io/v1']));
  const widgets = list.resources.find((r: any) => r.name === 'widgets');
  assert.deepEqual([widgets.kind, widgets.namespaced, widgets.shortNames, widgets.categories], ['Widget', true, ['wd'], ['widgety']]);
  assert.deepEqual(list.resources.filter((r: any) => r.name.startsWith('widgets/')).map((r: any) => r.name).sort(), ['widgets/scale', 'widgets/status']);
});

test('server-side apply on a custom object: managedFields, list-map items merged by key, conflicts', async () => {
  const base = 'apiVersion: test.k8ts.io/v1\nkind: Widget\nmetadata: {name: ssa}\nspec:\n  color: red\n  ports: [{name: a, port: 1}]\n';
  await ok(['apply', '--server-side', '--field-manager=one', '-f', '-'], base);
  await ok(['apply', '--server-side', '--field-manager=two', '-f', '-'], 'apiVersion: test.k8ts.io/v1\nkind: Widget\nmetadata: {name: ssa}\nspec:\n  ports: [{name: b, port: 2}]\n');
  const obj = JSON.parse(await ok(['get', 'widget', 'ssa', '-o', 'json', '--show-managed-fields']));
  assert.deepEqual(obj.spec.ports, [{ name: 'a', port: 1 }, { name: 'b', port: 2 }], 'x-kubernetes-list-type map merges items by name');
  assert.deepEqual(obj.metadata.managedFields.map((m: any) => [m.manager, m.operation]).sort(), [['one', 'Apply'], ['two', 'Apply']]);
  assert.ok(JSON.stringify(obj.metadata.managedFields).includes('k:{\\"name\\":\\"b\\"}'));
  const clash = await kubectl(['apply', '--server-side', '--field-manager=two', '-f', '-'], 'apiVersion: test.k8ts.io/v1\nkind: Widget\nmetadata: {name: ssa}\nspec:\n  color: blue\n');
  assert.match(clash.stderr, /conflict/i);
  assert.match(clash.stderr, /\.spec\.color/);
  await ok(['apply', '--server-side', '--field-manager=two', '--force-conflicts', '-f', '-'], 'apiVersion: test.k8ts.io/v1\nkind: Widget\nmetadata: {name: ssa}\nspec:\n  color: blue\n');
  assert.equal(JSON.parse(await ok(['get', 'widget', 'ssa', '-o', 'json'])).spec.color, 'blue');
  const bad = await kubectl(['apply', '--server-side', '--field-manager=one', '-f', '-'], 'apiVersion: test.k8ts.io/v1\nkind: Widget\nmetadata: {name: ssa2}\nspec: {color: purple}\n');
  assert.match(bad.stderr, /spec\.color: Unsupported value: "purple"/);
});

test('RBAC rules on the custom group and resource decide like any other: a 403 worded as kube-apiserver', async () => {
  await ok(['apply', '-f', '-'], `apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata: {name: widget-reader}
rules: [{apiGroups: [test.k8ts.io], resources: [widgets], verbs: [get, list]}]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {name: alice-reads-widgets}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: Role, name: widget-reader}
subjects: [{apiGroup: rbac.authorization.k8s.io, kind: User, name: alice}]
`);
  assert.match(await ok(['get', 'widgets', '--as=alice']), /\nw1\s+red/);
  const del = await kubectl(['delete', 'widget', 'w1', '--as=alice']);
  assert.match(del.stderr, /Error from server \(Forbidden\): widgets\.test\.k8ts\.io "w1" is forbidden: User "alice" cannot delete resource "widgets" in API group "test\.k8ts\.io" in the namespace "default"/);
  const gadgets = await kubectl(['get', 'gadgets', '--as=alice']);
  assert.match(gadgets.stderr, /gadgets\.test\.k8ts\.io is forbidden: User "alice" cannot list resource "gadgets" in API group "test\.k8ts\.io" at the cluster scope/);
  assert.match(await ok(['auth', 'can-i', 'list', 'widgets.test.k8ts.io', '--as=alice']), /yes/);
});

test('a CRD whose names another CRD of the group holds is not accepted and never served', async () => {
  await ok(['apply', '-f', '-'], GADGET_CRD.replace('gadgets.test.k8ts.io', 'gizmos.test.k8ts.io').replace('plural: gadgets, kind: Gadget, shortNames: [gd]', 'plural: gizmos, kind: Gadget'));
  const crd = JSON.parse(await ok(['get', 'crd', 'gizmos.test.k8ts.io', '-o', 'json']));
  const conds = Object.fromEntries(crd.status.conditions.map((c: any) => [c.type, [c.status, c.reason, c.message]]));
  // The naming controller checks plural, singular, short names, kind, list kind in turn: the singular (gadget) clashes first.
  assert.deepEqual(conds.NamesAccepted, ['False', 'SingularConflict', '"gadget" is already in use']);
  assert.deepEqual(conds.Established, ['False', 'NotAccepted', 'not all names are accepted']);
  assert.match((await kubectl(['get', '--raw', '/apis/test.k8ts.io/v1/gizmos'])).stderr, /NotFound|could not find/);
  await ok(['delete', 'crd', 'gizmos.test.k8ts.io']);
});

test('malformed CRDs are a 422 naming each problem', async () => {
  const bad = (spec: string) => `apiVersion: apiextensions.k8s.io/v1\nkind: CustomResourceDefinition\nmetadata: {name: things.test.k8ts.io}\nspec:\n${spec}`;
  const nonStructural = await kubectl(['apply', '-f', '-'], bad('  group: test.k8ts.io\n  scope: Namespaced\n  names: {plural: things, kind: Thing}\n  versions: [{name: v1, served: true, storage: true, schema: {openAPIV3Schema: {type: object, properties: {spec: {properties: {a: {type: string}}}}}}}]\n'));
  assert.match(nonStructural.stderr, /The CustomResourceDefinition "things\.test\.k8ts\.io" is invalid: spec\.versions\[0\]\.schema\.openAPIV3Schema\.properties\[spec\]\.type: Required value: must not be empty for specified object fields/);
  const names = await kubectl(['apply', '-f', '-'], bad('  group: test\n  scope: Somewhere\n  names: {plural: Things, kind: thing}\n  versions: [{name: v1, served: true, storage: false}]\n'));
  assert.match(names.stderr, /The CustomResourceDefinition "things\.test\.k8ts\.io" is invalid: \n\* /);
  for (const m of ['metadata.name: Invalid value: "things.test.k8ts.io": must be spec.names.plural+"."+spec.group', 'spec.group: Invalid value: "test": should be a domain with at least one dot', 'spec.scope: Unsupported value: "Somewhere"', 'must have exactly one version marked as storage version', 'schemas are required']) {
    assert.ok(names.stderr.includes(m), `${m} in ${names.stderr}`);
  }
  const wrongShape = await kubectl(['create', '--raw', '/apis/apiextensions.k8s.io/v1/customresourcedefinitions', '-f', '-'], '{"apiVersion":"apiextensions.k8s.io/v1","kind":"CustomResourceDefinition","metadata":{"name":"x.y.z"},"spec":{"versions":"v1","names":[],"group":7}}');
  assert.match(wrongShape.stderr, /\(Invalid\)|is invalid/);
});

test('bad custom objects: wrong types, deep and huge bodies, a kind whose CRD is gone: 4xx, never 5xx', async () => {
  const cases: [string, RegExp][] = [
    ['[]', /BadRequest|cannot be handled/],
    ['{"apiVersion":"test.k8ts.io/v1","kind":"Widget","metadata":{"name":5},"spec":{"color":"red"}}', /BadRequest|cannot be handled/],
    ['{"apiVersion":"test.k8ts.io/v1","kind":"Widget","metadata":{"name":"x"},"spec":[1,2]}', /spec in body must be of type object/],
    ['{"apiVersion":"test.k8ts.io/v1","kind":"Gadget","metadata":{"name":"x"},"spec":{"color":"red"}}', /does not match/],
    [`{"apiVersion":"test.k8ts.io/v1","kind":"Widget","metadata":{"name":"deep"},"spec":{"color":"red","extra":${'{"a":'.repeat(200)}1${'}'.repeat(200)}}}`, /BadRequest|too deep|nested/i],
    [`{"apiVersion":"test.k8ts.io/v1","kind":"Widget","metadata":{"name":"huge"},"spec":{"color":"red","extra":{"a":"${'x'.repeat(4 * 1024 * 1024)}"}}}`, /RequestEntityTooLarge|too large/i],
  ];
  for (const [body, want] of cases) {
    const file = join(cluster.dir, 'body.json');
    writeFileSync(file, body);
    const r = await kubectl(['create', '--raw', '/apis/test.k8ts.io/v1/namespaces/default/widgets', '-f', file]);
    assert.notEqual(r.code, 0);
    assert.match(r.stderr, want, `${body.slice(0, 80)} → ${r.stderr.slice(0, 300)}`);
    assert.doesNotMatch(r.stderr, /InternalError|Internal error|ServiceUnavailable/);
  }
  await ok(['delete', 'crd', 'gadgets.test.k8ts.io']);
  const afterDelete = await kubectl(['create', '--raw', '/apis/test.k8ts.io/v1/gadgets', '-f', '-'], '{"apiVersion":"test.k8ts.io/v1","kind":"Gadget","metadata":{"name":"late"}}');
  assert.match(afterDelete.stderr, /NotFound|could not find/);
});
