import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Pod } from '@k8ts/api';
import { buildEnv, expandVars } from './env.js';
import { ConfigError, type ObjectLookup } from './config-error.js';

const lookup: ObjectLookup = {
  configMap: async (_ns, name) => (name === 'cm' ? { data: { k: 'v', other: 'o' } } : undefined),
  secret: async (_ns, name) => (name === 's' ? { data: { pw: Buffer.from('p@ss').toString('base64') } } : undefined),
};
const pod = { metadata: { name: 'p1', namespace: 'ns1', uid: 'u', labels: { app: 'web' } }, spec: { nodeName: 'n1', containers: [] } } as unknown as Pod;
const facts = { podIP: '10.1.0.5', hostIP: '10.1.0.1', nodeName: 'n1' };

test('value, valueFrom, envFrom with prefix, later entries win', async () => {
  const env = await buildEnv(pod, {
    name: 'c',
    envFrom: [{ configMapRef: { name: 'cm' } }, { secretRef: { name: 's' }, prefix: 'S_' }],
    env: [
      { name: 'k', value: 'overridden' },
      { name: 'NAME', valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } },
      { name: 'NS', valueFrom: { fieldRef: { fieldPath: 'metadata.namespace' } } },
      { name: 'IP', valueFrom: { fieldRef: { fieldPath: 'status.podIP' } } },
      { name: 'HOST', valueFrom: { fieldRef: { fieldPath: 'status.hostIP' } } },
      { name: 'NODE', valueFrom: { fieldRef: { fieldPath: 'spec.nodeName' } } },
      { name: 'APP', valueFrom: { fieldRef: { fieldPath: "metadata.labels['app']" } } },
      { name: 'CM', valueFrom: { configMapKeyRef: { name: 'cm', key: 'other' } } },
      { name: 'PW', valueFrom: { secretKeyRef: { name: 's', key: 'pw' } } },
      { name: 'REF', value: '$(NAME)-$(MISSING)-$$(NAME)' },
    ],
  }, facts, lookup);
  assert.deepEqual(Object.fromEntries(env), {
    k: 'overridden', other: 'o', S_pw: 'p@ss', NAME: 'p1', NS: 'ns1', IP: '10.1.0.5', HOST: '10.1.0.1', NODE: 'n1', APP: 'web', CM: 'o', PW: 'p@ss', REF: 'p1-$(MISSING)-$(NAME)',
  });
});

test('missing ConfigMap, Secret or key: ConfigError unless optional', async () => {
  await assert.rejects(buildEnv(pod, { name: 'c', env: [{ name: 'X', valueFrom: { configMapKeyRef: { name: 'nope', key: 'k' } } }] }, facts, lookup), (e: Error) => e instanceof ConfigError && /configmap "nope" not found/.test(e.message));
  await assert.rejects(buildEnv(pod, { name: 'c', env: [{ name: 'X', valueFrom: { configMapKeyRef: { name: 'cm', key: 'zz' } } }] }, facts, lookup), /couldn't find key zz in ConfigMap ns1\/cm/);
  await assert.rejects(buildEnv(pod, { name: 'c', envFrom: [{ secretRef: { name: 'nope' } }] }, facts, lookup), /secret "nope" not found/);
  const ok = await buildEnv(pod, { name: 'c', env: [{ name: 'X', valueFrom: { secretKeyRef: { name: 'nope', key: 'k', optional: true } } }] }, facts, lookup);
  assert.equal(ok.has('X'), false);
});

test('expandVars', () => {
  const v = new Map([['A', '1']]);
  assert.equal(expandVars('$(A)$(B)$$(A)$', v), '1$(B)$(A)$');
});

test('resourceFieldRef: CPU in millicores, memory in bytes, rounded up per divisor', async () => {
  const c = {
    name: 'c',
    resources: { limits: { cpu: '70m', memory: '128Mi' }, requests: { cpu: '250m', memory: '1e3' } },
    env: [
      // 70m / 10m is 7: the local parser this replaced computed 0.07 / 0.01 in floating point
      { name: 'CPU_10M', valueFrom: { resourceFieldRef: { resource: 'limits.cpu', divisor: '10m' } } },
      { name: 'CPU', valueFrom: { resourceFieldRef: { resource: 'requests.cpu' } } },
      { name: 'MEM_MI', valueFrom: { resourceFieldRef: { resource: 'limits.memory', divisor: '1Mi' } } },
      { name: 'MEM', valueFrom: { resourceFieldRef: { resource: 'requests.memory' } } },
      { name: 'NONE', valueFrom: { resourceFieldRef: { resource: 'limits.ephemeral-storage' } } },
    ],
  };
  const env = await buildEnv(pod, c, facts, lookup);
  assert.deepEqual(Object.fromEntries(['CPU_10M', 'CPU', 'MEM_MI', 'MEM', 'NONE'].map((k) => [k, env.get(k)])), { CPU_10M: '7', CPU: '1', MEM_MI: '128', MEM: '1000', NONE: '0' });
  const bad = { name: 'c', resources: { limits: { cpu: '1' } }, env: [{ name: 'X', valueFrom: { resourceFieldRef: { resource: 'limits.cpu', divisor: '0' } } }] };
  await assert.rejects(buildEnv(pod, bad, facts, lookup), ConfigError);
});
