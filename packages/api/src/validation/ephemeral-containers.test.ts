import { test } from 'node:test';
import assert from 'node:assert/strict';
import { validate, type FieldError } from './index.js';
import { applyDefaults } from '../defaults.js';

const SUB = { subresource: 'ephemeralcontainers' };

function pod(ephemeral?: any[], meta: any = {}): any {
  const p: any = { metadata: { name: 'p', namespace: 'default', resourceVersion: '5', uid: 'u', ...meta }, spec: { containers: [{ name: 'app', image: 'nginx:1' }], initContainers: [{ name: 'setup', image: 'busybox:1' }] } };
  if (ephemeral) p.spec.ephemeralContainers = ephemeral;
  applyDefaults('pods', p);
  return p;
}

const debug = (over: any = {}) => ({ name: 'debugger-1', image: 'k8ts/busybox:1.36', stdin: true, tty: true, targetContainerName: 'app', resources: {}, terminationMessagePolicy: 'File', ...over });

function msgs(errs: FieldError[]): string[] {
  return errs.map((e) => `${e.field}: ${e.message}`);
}

test('an ephemeral container as kubectl debug sends it (empty resources, a target) is valid', () => {
  assert.deepEqual(msgs(validate('pods', pod([debug()]), pod(), SUB)), []);
  assert.deepEqual(msgs(validate('pods', pod([debug({ targetContainerName: undefined })]), pod(), SUB)), []);
  // the target may be an init container too
  assert.deepEqual(msgs(validate('pods', pod([debug({ targetContainerName: 'setup' })]), pod(), SUB)), []);
});

test('ports, resources, probes, lifecycle and restartPolicy cannot be set for an ephemeral container', () => {
  const bad = debug({
    ports: [{ containerPort: 80 }],
    resources: { limits: { cpu: '1' } },
    livenessProbe: { exec: { command: ['true'] } },
    readinessProbe: { exec: { command: ['true'] } },
    startupProbe: { exec: { command: ['true'] } },
    lifecycle: { preStop: { exec: { command: ['true'] } } },
    restartPolicy: 'Always',
  });
  assert.deepEqual(msgs(validate('pods', pod([bad]), pod(), SUB)), [
    'spec.ephemeralContainers[0].ports: Forbidden: cannot be set for an Ephemeral Container',
    'spec.ephemeralContainers[0].resources: Forbidden: cannot be set for an Ephemeral Container',
    'spec.ephemeralContainers[0].livenessProbe: Forbidden: cannot be set for an Ephemeral Container',
    'spec.ephemeralContainers[0].readinessProbe: Forbidden: cannot be set for an Ephemeral Container',
    'spec.ephemeralContainers[0].startupProbe: Forbidden: cannot be set for an Ephemeral Container',
    'spec.ephemeralContainers[0].lifecycle: Forbidden: cannot be set for an Ephemeral Container',
    'spec.ephemeralContainers[0].restartPolicy: Forbidden: cannot be set for an Ephemeral Container',
  ]);
});

test('names are unique across all containers; the target must be a container of the pod', () => {
  assert.deepEqual(msgs(validate('pods', pod([debug({ name: 'app' })]), pod(), SUB)), ['spec.ephemeralContainers[0].name: Duplicate value: "app"']);
  assert.deepEqual(msgs(validate('pods', pod([debug(), debug()]), pod(), SUB)), ['spec.ephemeralContainers[1].name: Duplicate value: "debugger-1"']);
  assert.deepEqual(msgs(validate('pods', pod([debug({ targetContainerName: 'nope' })]), pod(), SUB)), ['spec.ephemeralContainers[0].targetContainerName: Not found: "nope"']);
  // an ephemeral container is no target
  assert.deepEqual(msgs(validate('pods', pod([debug(), debug({ name: 'd2', targetContainerName: 'debugger-1' })]), pod(), SUB)), ['spec.ephemeralContainers[1].targetContainerName: Not found: "debugger-1"']);
  assert.deepEqual(msgs(validate('pods', pod([debug({ image: '' })]), pod(), SUB)), ['spec.ephemeralContainers[0].image: Required value']);
  assert.deepEqual(msgs(validate('pods', pod([debug({ volumeMounts: [{ name: 'v', mountPath: '/v', subPath: 'x' }] })]), pod(), SUB)).slice(-1), [
    'spec.ephemeralContainers[0].volumeMounts[0].subPath: Forbidden: cannot be set for an Ephemeral Container',
  ]);
});

test('existing ephemeral containers may not be removed or changed; adding is fine', () => {
  const old = pod([debug()]);
  assert.deepEqual(msgs(validate('pods', pod([debug(), debug({ name: 'd2' })]), old, SUB)), []);
  assert.deepEqual(msgs(validate('pods', pod([]), old, SUB)), ['spec.ephemeralContainers: Forbidden: existing ephemeral containers "debugger-1" may not be removed\n']);
  assert.deepEqual(msgs(validate('pods', pod([debug({ image: 'k8ts/busybox:2' })]), old, SUB)), ['spec.ephemeralContainers[debugger-1]: Forbidden: existing ephemeral containers "debugger-1" may not be changed\n']);
  assert.deepEqual(msgs(validate('pods', pod([debug()]), pod(undefined, { annotations: { 'kubernetes.io/config.mirror': 'x' } }), SUB)), [': Forbidden: static pods do not support ephemeral containers']);
});

test('not on create, and not through a plain pod update', () => {
  assert.deepEqual(msgs(validate('pods', pod([debug()]))), ['spec.ephemeralContainers: Forbidden: cannot be set on create']);
  const errs = msgs(validate('pods', pod([debug()]), pod()));
  assert.equal(errs.length, 1);
  assert.match(errs[0], /^spec: Forbidden: pod updates may not change fields other than/);
});
