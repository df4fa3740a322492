import { test } from 'node:test';
import assert from 'node:assert/strict';
import { kindSchema, messageSchema, ANNOTATIONS, RESOURCES, keepsZero, zeroValueEntries } from '../index.js';

// apiextensions' CustomResourceDefinition is not in kubectl's proto descriptors: served as JSON only.
const PROTO_RESOURCES = RESOURCES.filter((r) => r.resource !== 'customresourcedefinitions' && !r.custom);

test('every resource k8ts serves has an upstream schema', () => {
  for (const r of PROTO_RESOURCES) assert.ok(kindSchema(r.group, r.version, r.kind), `${r.group}/${r.version} ${r.kind}`);
});

test('fields carry JSON kinds: special apimachinery types are scalars, Verbs a list', () => {
  const c = messageSchema('k8s.io.api.core.v1.Container')!;
  assert.equal(c.fields.get('command')!.kind, 'string');
  assert.equal(c.fields.get('command')!.repeated, true);
  assert.equal(c.fields.get('ports')!.message, 'k8s.io.api.core.v1.ContainerPort');
  const port = messageSchema('k8s.io.api.core.v1.ContainerPort')!;
  assert.equal(port.fields.get('containerPort')!.kind, 'int32');
  const meta = messageSchema('k8s.io.apimachinery.pkg.apis.meta.v1.ObjectMeta')!;
  assert.equal(meta.fields.get('creationTimestamp')!.kind, 'time');
  assert.equal(meta.fields.get('labels')!.map, true);
  assert.equal(meta.fields.get('generation')!.kind, 'int64');
  const probe = messageSchema('k8s.io.api.core.v1.HTTPGetAction')!;
  assert.equal(probe.fields.get('port')!.kind, 'intOrString');
  const req = messageSchema('k8s.io.api.core.v1.ResourceRequirements')!;
  assert.equal(req.fields.get('limits')!.kind, 'quantity');
  assert.equal(req.fields.get('limits')!.map, true);
  const secret = kindSchema('', 'v1', 'Secret')!;
  assert.equal(secret.fields.get('data')!.kind, 'bytes');
  const rule = messageSchema('k8s.io.api.rbac.v1.PolicyRule');
  assert.equal(rule?.fields.get('verbs')?.repeated, true);
});

test('every annotation names a field the descriptors have', () => {
  for (const key of Object.keys(ANNOTATIONS)) {
    const i = key.lastIndexOf('.');
    const m = messageSchema(key.slice(0, i));
    assert.ok(m, `message of ${key}`);
    assert.ok(m.fields.has(key.slice(i + 1)), key);
  }
});

test('markers as upstream declares them, inline messages flattened into their JSON parent', () => {
  const c = messageSchema('k8s.io.api.core.v1.Container')!;
  assert.deepEqual(c.fields.get('ports')!.listMapKeys, ['containerPort', 'protocol']);
  assert.equal(c.fields.get('env')!.patchMergeKey, 'name');
  assert.equal(c.fields.get('command')!.listType, 'atomic');
  const spec = messageSchema('k8s.io.api.core.v1.PodSpec')!;
  assert.deepEqual(spec.fields.get('topologySpreadConstraints')!.listMapKeys, ['topologyKey', 'whenUnsatisfiable']);
  assert.equal(spec.fields.get('tolerations')!.listType, 'atomic');
  const svc = messageSchema('k8s.io.api.core.v1.ServiceSpec')!;
  assert.deepEqual(svc.fields.get('ports')!.listMapKeys, ['port', 'protocol']);
  const vol = messageSchema('k8s.io.api.core.v1.Volume')!;
  assert.ok(vol.jsonFields.has('configMap') && !vol.jsonFields.has('volumeSource'));
  const eph = messageSchema('k8s.io.api.core.v1.EphemeralContainer')!;
  assert.ok(eph.jsonFields.has('image') && eph.jsonFields.has('targetContainerName'));
  const ref = messageSchema('k8s.io.api.core.v1.ConfigMapKeySelector')!;
  assert.deepEqual([...ref.jsonFields.keys()].sort(), ['key', 'name', 'optional']);
  const probe = messageSchema('k8s.io.api.core.v1.Probe')!;
  assert.ok(probe.jsonFields.has('httpGet') && !probe.jsonFields.has('handler'));
});

test('every zero-value entry names a scalar field the descriptors have', () => {
  const entries = zeroValueEntries();
  assert.ok(entries.length > 100);
  for (const { message, field } of entries) {
    const f = messageSchema(message)?.fields.get(field);
    assert.ok(f, `${message}.${field}`);
    assert.notEqual(f.protoType, 'message', `${message}.${field} is a message: messages need no entry`);
    assert.equal(keepsZero(message, field), true);
    assert.equal(f.keepZero, true, `${message}.${field}: the schema carries it`);
  }
  assert.equal(keepsZero('k8s.io.api.core.v1.PodSpec', 'hostNetwork'), false);
  assert.equal(messageSchema('k8s.io.api.core.v1.PodSpec')!.fields.get('hostNetwork')!.keepZero, undefined);
});
