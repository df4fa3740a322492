// The fixtures are the exact bodies kubectl 1.32 sent for `kubectl create ... --dry-run=server`.
// The JSON expected is what Go's encoding/json makes of the same objects (`kubectl create
// --dry-run=client -o json`): value structs such as `resources`, `strategy`, `status` as {}.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { decodeProtobufObject } from './envelope.js';
import { ApiError } from '@k8ts/client';

const fixture = (name: string) => readFileSync(new URL(`./testdata/${name}.bin`, import.meta.url));

test('namespace, configmap and secret', () => {
  assert.deepEqual(decodeProtobufObject(fixture('namespace')), { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'ns-a' }, spec: {}, status: {} });
  assert.deepEqual(decodeProtobufObject(fixture('configmap')), { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'cm-a' }, data: { x: '1' } });
  const secret = decodeProtobufObject(fixture('secret')) as any;
  assert.equal(secret.type, 'Opaque');
  assert.equal(Buffer.from(secret.data.k, 'base64').toString(), 'v');
});

test('deployment keeps a replicas of 0 (a pointer) and drops Go zero values', () => {
  const d = decodeProtobufObject(fixture('deployment')) as any;
  assert.equal(d.kind, 'Deployment');
  assert.equal(d.apiVersion, 'apps/v1');
  assert.equal(d.spec.replicas, 0);
  assert.deepEqual(d.spec.selector, { matchLabels: { app: 'dep-a' } });
  assert.deepEqual(d.spec.template.spec.containers, [{ name: 'nginx', image: 'nginx', ports: [{ containerPort: 80 }], resources: {} }]);
  assert.deepEqual(d.spec.strategy, {});
  assert.deepEqual(d.status, {});
  assert.equal(d.metadata.creationTimestamp, undefined);
  assert.equal(d.spec.template.spec.hostNetwork, undefined);
});

test('service ports with an int targetPort', () => {
  const s = decodeProtobufObject(fixture('service-clusterip')) as any;
  assert.deepEqual(s.spec, { ports: [{ name: '80-8080', protocol: 'TCP', port: 80, targetPort: 8080 }], selector: { app: 'svc-a' }, type: 'ClusterIP' });
});

test('job and cronjob', () => {
  const j = decodeProtobufObject(fixture('job')) as any;
  assert.deepEqual(j.spec.template.spec, { containers: [{ name: 'job-a', image: 'busybox', command: ['sh', '-c', 'echo hi'], resources: {} }], restartPolicy: 'Never' });
  const c = decodeProtobufObject(fixture('cronjob')) as any;
  assert.equal(c.spec.schedule, '@hourly');
  assert.equal(c.spec.jobTemplate.spec.template.spec.restartPolicy, 'OnFailure');
  assert.deepEqual(c.spec.jobTemplate.spec.template.spec.containers[0].command, ['date']);
});

test('bad bodies are 400, kinds without a schema 415', () => {
  assert.throws(() => decodeProtobufObject(Buffer.from('{"kind":"Pod"}')), (e: unknown) => e instanceof ApiError && e.code === 400);
  assert.throws(() => decodeProtobufObject(Buffer.concat([Buffer.from('k8s\0'), Buffer.from([0x0a, 0xff])])), (e: unknown) => e instanceof ApiError && e.code === 400);
  // Unknown{typeMeta{apiVersion:"v1", kind:"Widget"}}
  const typeMeta = Buffer.concat([Buffer.from([0x0a, 2]), Buffer.from('v1'), Buffer.from([0x12, 6]), Buffer.from('Widget')]);
  const body = Buffer.concat([Buffer.from('k8s\0'), Buffer.from([0x0a, typeMeta.length]), typeMeta]);
  assert.throws(() => decodeProtobufObject(body), (e: unknown) => e instanceof ApiError && e.code === 415);
});
