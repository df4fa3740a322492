// CustomResourceDefinitions through the real kubectl 1.32: apply a CRD and wait for it to be
// Established; create custom objects; printer columns in `kubectl get`; a bad object refused
// with kube-apiserver's 422; unknown fields pruned (or refused under kubectl's Strict
// validation, as upstream does); defaults; status written only through /status; kubectl
// scale through the scale subresource; kubectl explain; a served non-storage version; label
// and field selectors and a watch; deleting the CRD deletes its objects.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { kubectlOk, runKubectl, type KubectlCluster } from './kubectl-cluster.js';
import { WIDGET_CRD, startCrdCluster, widget } from './crd-fixtures.js';
import { until } from '../support/until.js';

let cluster: KubectlCluster;

before(async () => {
  cluster = await startCrdCluster();
});

after(async () => {
  await cluster?.stop();
});

const kubectl = (args: string[], input?: string) => runKubectl(cluster, args, { input, timeoutMs: 60_000 });
const ok = (args: string[], input?: string) => kubectlOk(cluster, args, { input, timeoutMs: 60_000 });
const json = async (args: string[]) => JSON.parse(await ok([...args, '-o', 'json']));

test('the CRD reports NamesAccepted and Established, carries the cleanup finalizer and prints as kubectl prints CRDs', async () => {
  const crd = await json(['get', 'crd', 'widgets.test.k8ts.io']);
  const conds = Object.fromEntries(crd.status.conditions.map((c: any) => [c.type, [c.status, c.reason]]));
  assert.deepEqual(conds.NamesAccepted, ['True', 'NoConflicts']);
  assert.deepEqual(conds.Established, ['True', 'InitialNamesAccepted']);
  assert.deepEqual(crd.metadata.finalizers, ['customresourcecleanup.apiextensions.k8s.io']);
  assert.deepEqual(crd.status.storedVersions, ['v1']);
  assert.equal(crd.status.acceptedNames.listKind, 'WidgetList');
  assert.match(await ok(['get', 'crd']), /NAME\s+CREATED AT\n(.*\n)*widgets\.test\.k8ts\.io\s+\d{4}-\d\d-\d\dT/);
});

test('custom objects are created, defaulted and printed with their additionalPrinterColumns (wide ones with -o wide)', async () => {
  await ok(['apply', '-f', '-'], widget('w1', 'color: red\nsize: 3\nports: [{name: http}]', 'team: a'));
  await ok(['apply', '-f', '-'], widget('w2', 'color: blue\nreplicas: 4\nsize: big', 'team: b'));
  const w1 = await json(['get', 'widget', 'w1']);
  assert.equal(w1.spec.replicas, 1, 'the default of spec.replicas');
  assert.deepEqual(w1.spec.ports, [{ name: 'http', port: 80 }], 'defaults inside list items');
  const table = await ok(['get', 'widgets']);
  // Columns given: no Age column unless the CRD names one (as upstream); a missing value prints empty.
  assert.match(table, /^NAME\s+COLOR\s+REPLICAS\s+READY\n/);
  assert.match(table, /\nw1\s+red\s+1\s*\n/);
  assert.match(table, /\nw2\s+blue\s+4\s+/);
  assert.doesNotMatch(table, /SIZE/);
  // An integer column over a string value ("big") is an empty cell, as upstream's cellForJSONValue has it.
  assert.match(await ok(['get', 'wd', '-o', 'wide']), /NAME\s+COLOR\s+REPLICAS\s+READY\s+SIZE\nw1\s+red\s+1\s+3\nw2\s+blue\s+4\s*\n/);
  assert.match(await ok(['get', 'widgety']), /\nw1\s+red/, 'the category names the kind');
  await ok(['apply', '-f', '-'], 'apiVersion: test.k8ts.io/v1\nkind: Gadget\nmetadata: {name: g1}\nspec: {level: 2}\n');
  assert.match(await ok(['get', 'gd']), /\ng1\s+\d+s\n/);
});

test('a bad object is refused with a 422 worded as kube-apiserver words it, and nothing is stored', async () => {
  const r = await kubectl(['apply', '-f', '-'], widget('bad', 'color: pink\nreplicas: -1\nname: Bad1\nsize: true'));
  assert.equal(r.code, 1);
  assert.match(r.stderr, /The Widget "bad" is invalid: /);
  assert.match(r.stderr, /spec\.color: Unsupported value: "pink": supported values: "red", "green", "blue"/);
  assert.match(r.stderr, /spec\.replicas: Invalid value: -1: spec\.replicas in body should be greater than or equal to 0/);
  assert.match(r.stderr, /spec\.name: Invalid value: "Bad1": spec\.name in body should match '\^\[a-z\]\+\$'/);
  assert.match(r.stderr, /spec\.size: Invalid value: true: spec\.size in body must be of type integer,string: "boolean"/);
  const missing = await kubectl(['apply', '-f', '-'], widget('bad', 'replicas: 1'));
  assert.match(missing.stderr, /The Widget "bad" is invalid: spec\.color: Required value/);
  const wrongType = await kubectl(['apply', '-f', '-'], widget('bad', 'color: red\nreplicas: "3"'));
  assert.match(wrongType.stderr, /spec\.replicas: Invalid value: "3": spec\.replicas in body must be of type integer: "string"/);
  assert.match((await kubectl(['get', 'widget', 'bad'])).stderr, /NotFound/);
});

test('unknown fields are pruned (kept under x-kubernetes-preserve-unknown-fields); kubectl Strict validation refuses them as upstream does', async () => {
  const strict = await kubectl(['apply', '-f', '-'], widget('w3', 'color: green\nbogus: 1'));
  assert.match(strict.stderr, /Widget in version "v1" cannot be handled as a Widget: strict decoding error: unknown field "spec\.bogus"/);
  const warned = await kubectl(['apply', '--validate=warn', '-f', '-'], widget('w3', 'color: green\nbogus: 1\nextra: {anything: [1, 2]}\ntemplate: {apiVersion: v1, kind: Pod, metadata: {name: p, junk: 1}}'));
  assert.equal(warned.code, 0, warned.stderr);
  assert.match(warned.stderr, /unknown field "spec\.bogus"/);
  const w3 = await json(['get', 'widget', 'w3']);
  assert.equal(w3.spec.bogus, undefined);
  assert.deepEqual(w3.spec.extra, { anything: [1, 2] });
  assert.deepEqual(w3.spec.template.metadata, { name: 'p' });
  await ok(['apply', '--validate=false', '-f', '-'], 'apiVersion: test.k8ts.io/v1\nkind: Widget\nmetadata: {name: w4}\nspec: {color: red}\ntoplevel: 1\nstatus: {replicas: 9}\n');
  const w4 = await json(['get', 'widget', 'w4']);
  assert.equal(w4.toplevel, undefined);
  assert.equal(w4.status, undefined, 'status is the status subresource\'s');
});

test('status is written only through /status', async () => {
  await ok(['patch', 'widget', 'w1', '--type=merge', '-p', '{"status":{"replicas":5},"spec":{"color":"green"}}']);
  const w1 = await json(['get', 'widget', 'w1']);
  assert.equal(w1.spec.color, 'green');
  assert.equal(w1.status, undefined);
  await ok(['patch', 'widget', 'w1', '--subresource=status', '--type=merge', '-p', '{"status":{"replicas":1,"selector":"team=a","conditions":[{"type":"Ready","status":"True"}]},"spec":{"color":"red"}}']);
  const after = await json(['get', 'widget', 'w1']);
  assert.equal(after.status.replicas, 1);
  assert.equal(after.spec.color, 'green', 'a status write leaves spec alone');
  assert.match(await ok(['get', 'widget', 'w1']), /\nw1\s+green\s+1\s+True\s+/);
  const bad = await kubectl(['patch', 'widget', 'w1', '--subresource=status', '--type=merge', '-p', '{"status":{"replicas":"x"}}']);
  assert.match(bad.stderr, /status\.replicas: Invalid value: "x": status\.replicas in body must be of type integer: "string"/);
  const strategic = await kubectl(['patch', 'widget', 'w1', '--type=strategic', '-p', '{"spec":{"color":"red"}}']);
  assert.match(strategic.stderr, /UnsupportedMediaType|unknown format/);
});

test('kubectl scale uses the scale subresource at the CRD\'s paths', async () => {
  await ok(['scale', 'widget/w2', '--replicas=7']);
  assert.equal((await json(['get', 'widget', 'w2'])).spec.replicas, 7);
  const scale = JSON.parse(await ok(['get', '--raw', '/apis/test.k8ts.io/v1/namespaces/default/widgets/w1/scale']));
  assert.deepEqual([scale.kind, scale.apiVersion, scale.spec.replicas, scale.status.replicas, scale.status.selector], ['Scale', 'autoscaling/v1', 1, 1, 'team=a']);
  const r = await kubectl(['scale', 'widget/w2', '--replicas=101']);
  assert.match(r.stderr, /spec\.replicas: Invalid value: 101: spec\.replicas in body should be less than or equal to 100/);
});

test('kubectl explain reads the custom kind from the published OpenAPI', async () => {
  const out = await ok(['explain', 'widget.spec']);
  assert.match(out, /GROUP:\s+test\.k8ts\.io/);
  assert.match(out, /KIND:\s+Widget/);
  assert.match(out, /What the widget should be\./);
  assert.match(out, /color\s+<string> -required-/);
  assert.match(out, /The colour of the widget\./);
  assert.match(await ok(['explain', 'widgets']), /A Widget is a thing made for tests\./);
});

test('the non-storage version is served by rewriting apiVersion (conversion None)', async () => {
  const v = await json(['get', 'widgets.v1beta1.test.k8ts.io', 'w2']);
  assert.equal(v.apiVersion, 'test.k8ts.io/v1beta1');
  assert.equal(v.spec.replicas, 7);
  await ok(['apply', '-f', '-'], 'apiVersion: test.k8ts.io/v1beta1\nkind: Widget\nmetadata: {name: w5}\nspec: {color: blue}\n');
  assert.equal((await json(['get', 'widget', 'w5'])).apiVersion, 'test.k8ts.io/v1');
});

test('label and field selectors and watches over custom objects', async () => {
  assert.deepEqual((await ok(['get', 'widgets', '-l', 'team=b', '-o', 'name'])).trim().split('\n'), ['widget.test.k8ts.io/w2']);
  assert.deepEqual((await ok(['get', 'widgets', '--field-selector', 'metadata.name=w1', '-o', 'name'])).trim().split('\n'), ['widget.test.k8ts.io/w1']);
  const badField = await kubectl(['get', 'widgets', '--field-selector', 'spec.color=red']);
  assert.match(badField.stderr, /field label not supported: spec\.color/);
  const watch = await ok(['get', '--raw', '/apis/test.k8ts.io/v1/namespaces/default/widgets?watch=1&timeoutSeconds=2&labelSelector=team%3Da']);
  const events = watch.trim().split('\n').map((l) => JSON.parse(l));
  assert.deepEqual(events.map((e) => [e.type, e.object.metadata.name]), [['ADDED', 'w1']]);
});

test('deleting the CRD deletes its objects; its paths are gone', async () => {
  await ok(['apply', '-f', '-'], 'apiVersion: v1\nkind: Namespace\nmetadata: {name: other}\n');
  await ok(['apply', '-n', 'other', '-f', '-'], widget('w9', 'color: red'));
  await ok(['delete', 'crd', 'widgets.test.k8ts.io', '--timeout=60s']);
  assert.match((await kubectl(['get', 'crd', 'widgets.test.k8ts.io'])).stderr, /NotFound/);
  const gone = await kubectl(['get', '--raw', '/apis/test.k8ts.io/v1/namespaces/default/widgets']);
  assert.match(gone.stderr, /NotFound|could not find/);
  // Made again, the kind starts empty: its objects went with it.
  await ok(['apply', '-f', '-'], WIDGET_CRD);
  await ok(['wait', '--for', 'condition=established', '--timeout=30s', 'crd/widgets.test.k8ts.io']);
  await until('the recreated CRD is served', async () => (await kubectl(['get', 'widgets', '-A'])).code === 0);
  assert.match((await kubectl(['get', 'widgets', '-A'])).stderr, /No resources found/);
});
