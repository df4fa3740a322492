import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describedMessages, fieldDescription, messageDescription, jsonFields } from './descriptions.js';
import { messageSchema } from './schema.js';
import { buildDescriptions, renderDescriptions, OUTPUT } from '../../scripts/extract-descriptions.js';

test('every described message and field exists in the schema', () => {
  const names = describedMessages();
  assert.ok(names.length > 300, `${names.length} messages described`);
  for (const name of names) {
    const schema = messageSchema(name);
    assert.ok(schema, name);
    const d = messageDescription(name)!;
    const json = new Set(jsonFields(name).map((f) => f.field.name));
    for (const f of Object.keys(d.fields ?? {})) assert.ok(json.has(f), `${name}.${f}`);
    for (const f of d.required ?? []) assert.ok(json.has(f), `${name} requires ${f}`);
    for (const f of d.inline ?? []) assert.ok(schema.fields.get(f)?.message, `${name} inlines ${f}`);
    if (d.typeMeta) assert.ok(!json.has('apiVersion') && !json.has('kind'), `${name} inlines TypeMeta`);
  }
});

test('descriptions carry upstream documentation of types and fields', () => {
  assert.equal(messageDescription('k8s.io.api.core.v1.Container')?.description, 'A single application container that you want to run within a pod.');
  assert.match(fieldDescription('k8s.io.api.core.v1.PodSpec', 'containers')!, /^List of containers belonging to the pod\./);
  assert.deepEqual(messageDescription('k8s.io.api.core.v1.Container')?.required, ['name']);
  assert.deepEqual(messageDescription('k8s.io.api.apps.v1.DeploymentSpec')?.required, ['selector', 'template']);
  assert.match(messageDescription('k8s.io.apimachinery.pkg.apis.meta.v1.ObjectMeta')!.description!, /^ObjectMeta is metadata/);
  assert.match(messageDescription('k8s.io.apimachinery.pkg.util.intstr.IntOrString')!.description!, /int32 or a string/);
  assert.equal(fieldDescription('k8s.io.api.core.v1.Container', 'nope'), undefined);
  assert.match(messageDescription('k8s.io.api.core.v1.Pod')!.typeMeta!.apiVersion, /^APIVersion defines the versioned schema/);
  assert.ok(messageDescription('k8s.io.api.apps.v1.DeploymentList')!.typeMeta);
  assert.equal(messageDescription('k8s.io.api.core.v1.Container')!.typeMeta, undefined);
  // Go's inlined embeddings: JSON has the embedded message's fields in the outer object.
  const probe = jsonFields('k8s.io.api.core.v1.Probe').map((f) => f.field.name);
  assert.ok(probe.includes('httpGet') && probe.includes('periodSeconds') && !probe.includes('handler'));
  assert.match(fieldDescription('k8s.io.api.core.v1.Probe', 'httpGet')!, /^HTTPGet specifies the http request to perform\./);
  const keyRef = jsonFields('k8s.io.api.core.v1.ConfigMapKeySelector').map((f) => f.field.name);
  assert.deepEqual(keyRef.sort(), ['key', 'name', 'optional']);
  const volume = jsonFields('k8s.io.api.core.v1.Volume').map((f) => f.field.name);
  assert.ok(volume.includes('configMap') && volume.includes('emptyDir') && !volume.includes('volumeSource'));
});

test('the generated file is what the script makes from the installed kubernetes-types', () => {
  assert.equal(readFileSync(OUTPUT, 'utf8'), renderDescriptions(buildDescriptions()), 'run: node --import tsx packages/api/scripts/extract-descriptions.ts');
});
