import { test } from 'node:test';
import assert from 'node:assert/strict';
import { kindSchema } from '../schema/schema.js';
import { decodeObject, DecodeError, parseFieldValidation, type DecodeOptions } from './index.js';

const POD = kindSchema('', 'v1', 'Pod')!;

function pod(spec: Record<string, unknown> = {}, extra: Record<string, unknown> = {}): any {
  return { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p' }, spec: { containers: [{ name: 'c', image: 'i', ...spec }] }, ...extra };
}

function rejects(schema: typeof POD, value: unknown, opts?: DecodeOptions): DecodeError {
  try {
    decodeObject(schema, value, opts);
  } catch (e) {
    assert.ok(e instanceof DecodeError, String(e));
    assert.equal(e.status.code, 400);
    assert.equal(e.status.reason, 'BadRequest');
    return e;
  }
  assert.fail('decoded without error');
}

test('a wrong type is a 400 in kube-apiserver words, naming the field', () => {
  const e = rejects(POD, pod({ command: 'sh' }));
  assert.equal(e.message, 'Pod in version "v1" cannot be handled as a Pod: json: cannot unmarshal string into Go struct field Container.spec.containers.command of type []string');
  assert.deepEqual(e.status.details?.causes?.map((c) => c.field), ['spec.containers[0].command']);
});

test('every wrong field is a cause; the message names the first', () => {
  const e = rejects(POD, pod({ env: [{ name: 'A', value: 1 }], ports: '80' }, { metadata: { name: 'p', labels: ['a'] } }));
  assert.match(e.message, /cannot unmarshal array into Go struct field ObjectMeta.metadata.labels of type map\[string\]string/);
  assert.deepEqual(e.status.details?.causes?.map((c) => c.field).sort(), ['metadata.labels', 'spec.containers[0].env[0].value', 'spec.containers[0].ports']);
  const env = e.status.details!.causes!.find((c) => c.field === 'spec.containers[0].env[0].value')!;
  assert.equal(env.message, 'json: cannot unmarshal number into Go struct field EnvVar.spec.containers.env.value of type string');
});

test('messages, lists of messages and the kind itself must be objects', () => {
  assert.match(rejects(POD, { kind: 'Pod', spec: 'x' }).message, /cannot unmarshal string into Go struct field Pod.spec of type v1.PodSpec/);
  assert.match(rejects(POD, { spec: { containers: ['x'] } }).message, /cannot unmarshal string into Go struct field PodSpec.spec.containers of type v1.Container/);
  assert.match(rejects(POD, { kind: 1 }).message, /cannot unmarshal number into Go struct field Pod.kind of type string/);
  assert.match(rejects(POD, []).message, /cannot unmarshal array into Go value of type Pod/);
  const cm = kindSchema('', 'v1', 'ConfigMap')!;
  assert.match(rejects(cm, { data: 'str' }).message, /ConfigMap in version "v1" cannot be handled as a ConfigMap: json: cannot unmarshal string into Go struct field ConfigMap.data of type map\[string\]string/);
});

test('integers: integral and in range (int32 2^31, int64, 1e308); doubles finite', () => {
  const dep = kindSchema('apps', 'v1', 'Deployment')!;
  assert.match(rejects(dep, { spec: { replicas: 2 ** 31 } }).message, /cannot unmarshal number 2147483648 into Go struct field DeploymentSpec.spec.replicas of type int32/);
  assert.match(rejects(dep, { spec: { replicas: 1.5 } }).message, /number 1.5 into Go struct field DeploymentSpec.spec.replicas of type int32/);
  assert.match(rejects(dep, { spec: { replicas: '3' } }).message, /cannot unmarshal string into Go struct field DeploymentSpec.spec.replicas of type int32/);
  assert.doesNotThrow(() => decodeObject(dep, { spec: { replicas: 2 ** 31 - 1 } }));
  assert.match(rejects(POD, { spec: { terminationGracePeriodSeconds: 1e308 } }).message, /number 1e308 into Go struct field PodSpec.spec.terminationGracePeriodSeconds of type int64/);
  assert.match(rejects(POD, { spec: { terminationGracePeriodSeconds: 'x' } }).message, /cannot unmarshal string into Go struct field PodSpec.spec.terminationGracePeriodSeconds of type int64/);
  assert.doesNotThrow(() => decodeObject(POD, { spec: { terminationGracePeriodSeconds: 2 ** 53 } }));
  assert.equal(decodeObject(POD, { metadata: { generation: -(2 ** 62) } }).warnings.length, 0);
});

test('special types: quantity, intOrString, time, bytes, duration, rawExtension, fieldsV1', () => {
  const ok = pod({ resources: { limits: { cpu: '100m', memory: 64 } }, livenessProbe: { httpGet: { port: 'http' } }, readinessProbe: { httpGet: { port: 8080 } } });
  ok.metadata.creationTimestamp = '2026-12-06T02:00:00Z';
  ok.metadata.managedFields = [{ manager: 'k', fieldsV1: { 'f:metadata': {} }, time: '2026-12-06T02:00:00.5+01:00' }];
  assert.deepEqual(decodeObject(POD, ok).warnings, []);
  assert.match(rejects(POD, pod({ resources: { limits: { cpu: 'lots' } } })).message, /quantities must match the regular expression/);
  assert.match(rejects(POD, pod({ livenessProbe: { httpGet: { port: 1.5 } } })).message, /number 1.5 into Go struct field HTTPGetAction.spec.containers.livenessProbe.httpGet.port of type int32/);
  assert.match(rejects(POD, pod({ livenessProbe: { httpGet: { port: true } } })).message, /cannot unmarshal bool into .* of type int32/);
  assert.match(rejects(POD, { metadata: { creationTimestamp: 'yesterday' } }).message, /parsing time "yesterday" as "2006-01-02T15:04:05Z07:00"/);
  assert.match(rejects(POD, { metadata: { creationTimestamp: '2026-13-01T00:00:00Z' } }).message, /month out of range/);
  assert.match(rejects(POD, { metadata: { managedFields: [{ fieldsV1: 'x' }] } }).message, /of type v1.FieldsV1/);
  const secret = kindSchema('', 'v1', 'Secret')!;
  assert.doesNotThrow(() => decodeObject(secret, { data: { a: 'aGVsbG8=' } }));
  assert.match(rejects(secret, { data: { a: 'not base64!' } }).message, /illegal base64 data at input byte 3/);
  assert.match(rejects(secret, { data: { a: 1 } }).message, /cannot unmarshal number into Go struct field Secret.data of type \[\]uint8/);
  const job = kindSchema('batch', 'v1', 'Job')!;
  assert.doesNotThrow(() => decodeObject(job, { spec: { template: { spec: { containers: [] } } } }));
  const rev = kindSchema('apps', 'v1', 'ControllerRevision')!;
  assert.doesNotThrow(() => decodeObject(rev, { data: { anything: [1, 'two', { three: null }] }, revision: 1 }));
  const lease = kindSchema('coordination.k8s.io', 'v1', 'Lease')!;
  assert.doesNotThrow(() => decodeObject(lease, { spec: { renewTime: '2026-12-06T02:00:00.123456Z', leaseDurationSeconds: 10 } }));
});

test('null unsets a field; a null list element or map value is its zero value, as in Go', () => {
  const v = pod({ command: null, args: ['a', null] }, { status: null });
  v.metadata.labels = { a: null };
  v.spec.containers.push(null);
  const { object } = decodeObject<any>(POD, v);
  assert.equal('command' in object.spec.containers[0], false);
  assert.deepEqual(object.spec.containers[0].args, ['a', '']);
  assert.deepEqual(object.metadata.labels, { a: '' });
  assert.deepEqual(object.spec.containers[1], {});
  assert.equal('status' in object, false);
});

test('unknown fields: Ignore drops, Warn drops with a warning each, Strict is a 400 listing all', () => {
  const body = () => pod({ imagePullPolicyy: 'Always' }, { extra: { deep: 1 } });
  const ignored = decodeObject<any>(POD, body(), { fieldValidation: 'Ignore' });
  assert.deepEqual(ignored.warnings, []);
  assert.equal(ignored.object.spec.containers[0].imagePullPolicyy, undefined);
  assert.equal(ignored.object.extra, undefined);
  const warned = decodeObject<any>(POD, body());
  assert.deepEqual(warned.warnings.sort(), ['unknown field "extra"', 'unknown field "spec.containers[0].imagePullPolicyy"']);
  assert.equal(warned.object.spec.containers[0].imagePullPolicyy, undefined);
  const e = rejects(POD, body(), { fieldValidation: 'Strict' });
  assert.equal(e.message, 'Pod in version "v1" cannot be handled as a Pod: strict decoding error: unknown field "spec.containers[0].imagePullPolicyy", unknown field "extra"');
  assert.deepEqual(e.status.details?.causes?.map((c) => c.field), ['spec.containers[0].imagePullPolicyy', 'extra']);
});

test('inline messages: volume sources, probe handlers and LocalObjectReference are fields of their parent', () => {
  const v = pod({ envFrom: [{ configMapRef: { name: 'c' } }], livenessProbe: { exec: { command: ['true'] } } });
  v.spec.volumes = [{ name: 'v', configMap: { name: 'c', items: [{ key: 'k', path: 'p' }] } }];
  assert.deepEqual(decodeObject(POD, v, { fieldValidation: 'Strict' }).warnings, []);
  assert.match(rejects(POD, { spec: { volumes: [{ name: 'v', volumeSource: {} }] } }, { fieldValidation: 'Strict' }).message, /unknown field "spec.volumes\[0\].volumeSource"/);
});

test('duplicates follow fieldValidation too; type errors win over strict errors', () => {
  assert.deepEqual(decodeObject(POD, pod(), { duplicates: ['metadata.name'] }).warnings, ['duplicate field "metadata.name"']);
  assert.deepEqual(decodeObject(POD, pod(), { duplicates: ['metadata.name'], fieldValidation: 'Ignore' }).warnings, []);
  assert.match(rejects(POD, pod(), { duplicates: ['metadata.name'], fieldValidation: 'Strict' }).message, /strict decoding error: duplicate field "metadata.name"/);
  assert.match(rejects(POD, pod({ command: 1, bogus: 1 }), { fieldValidation: 'Strict' }).message, /cannot unmarshal number/);
});

test('nesting beyond the cap is a 400, also inside free-form values, without exhausting the stack', () => {
  let deep: any = {};
  for (let i = 0; i < 10_000; i++) deep = { a: deep };
  assert.match(rejects(POD, { metadata: { name: 'p' }, unknown: deep }).message, /exceeded max depth/);
  const rev = kindSchema('apps', 'v1', 'ControllerRevision')!;
  assert.match(rejects(rev, { data: deep }).message, /exceeded max depth/);
});

test('parseFieldValidation: absent is Warn, unknown values are a 400', () => {
  assert.equal(parseFieldValidation(null), 'Warn');
  assert.equal(parseFieldValidation('Strict'), 'Strict');
  assert.throws(() => parseFieldValidation('strict'), DecodeError);
});

test('a body with nothing unknown is returned as is, not copied', () => {
  const v = pod();
  assert.equal(decodeObject(POD, v).object, v);
});
