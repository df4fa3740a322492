import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Pod } from '@k8ts/api';
import { prepareVolumes, removePodDir } from './volumes.js';
import { buildEnv } from './env.js';
import type { ObjectLookup, TokenRequestSpec } from './config-error.js';

const pod = {
  metadata: { name: 'p', namespace: 'ns1', uid: 'u-1' },
  spec: {
    serviceAccountName: 'robot',
    containers: [{ name: 'c', image: 'x' }],
    volumes: [
      {
        name: 'kube-api-access-abcde',
        projected: {
          defaultMode: 0o644,
          sources: [
            { serviceAccountToken: { expirationSeconds: 3607, path: 'token' } },
            { configMap: { name: 'kube-root-ca.crt', items: [{ key: 'ca.crt', path: 'ca.crt' }] } },
            { downwardAPI: { items: [{ path: 'namespace', fieldRef: { apiVersion: 'v1', fieldPath: 'metadata.namespace' } }] } },
          ],
        },
      },
    ],
  },
} as unknown as Pod;

test('projected volume: token bound to the pod, ca.crt, namespace; the token is refreshed before it expires', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'k8ts-projected-'));
  const asked: { ns: string; sa: string; spec: TokenRequestSpec }[] = [];
  let life = 1500; // ms: refreshed at 80 %, i.e. after ≈ 1.2 s
  const lookup: ObjectLookup = {
    configMap: async (_ns, name) => (name === 'kube-root-ca.crt' ? { data: { 'ca.crt': 'PEM' } } : undefined),
    secret: async () => undefined,
    serviceAccountToken: async (ns, sa, spec) => {
      asked.push({ ns, sa, spec });
      const t = { token: `token-${asked.length}`, expirationTimestamp: new Date(Date.now() + life).toISOString() };
      life = 3600_000;
      return t;
    },
    kubernetesService: async () => ({ host: '10.96.0.1', port: 443 }),
  };
  try {
    const vols = await prepareVolumes(pod, dir, lookup);
    const v = vols.get('kube-api-access-abcde')!;
    assert.equal(v.readOnly, true);
    assert.equal(readFileSync(join(v.hostPath, 'token'), 'utf8'), 'token-1');
    assert.equal(readFileSync(join(v.hostPath, 'ca.crt'), 'utf8'), 'PEM');
    assert.equal(readFileSync(join(v.hostPath, 'namespace'), 'utf8'), 'ns1');
    assert.equal(statSync(join(v.hostPath, 'token')).mode & 0o777, 0o644);
    assert.deepEqual(asked[0], { ns: 'ns1', sa: 'robot', spec: { expirationSeconds: 3607, boundObjectRef: { kind: 'Pod', apiVersion: 'v1', name: 'p', uid: 'u-1' } } });
    await new Promise((r) => setTimeout(r, 1600));
    assert.equal(readFileSync(join(v.hostPath, 'token'), 'utf8'), 'token-2');
    removePodDir(dir, 'u-1');
    const env = await buildEnv(pod, pod.spec!.containers[0], { podIP: '', hostIP: '', nodeName: '' }, lookup);
    assert.equal(env.get('KUBERNETES_SERVICE_HOST'), '10.96.0.1');
    assert.equal(env.get('KUBERNETES_SERVICE_PORT'), '443');
    assert.equal(env.get('KUBERNETES_PORT_443_TCP'), 'tcp://10.96.0.1:443');
  } finally {
    removePodDir(dir, 'u-1');
    rmSync(dir, { recursive: true, force: true });
  }
});

test('projected volume: a missing ConfigMap is a config error (the pod waits)', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'k8ts-projected-'));
  const lookup: ObjectLookup = { configMap: async () => undefined, secret: async () => undefined, serviceAccountToken: async () => ({ token: 't', expirationTimestamp: new Date(Date.now() + 3600_000).toISOString() }) };
  try {
    await assert.rejects(prepareVolumes(pod, dir, lookup), /configmap "kube-root-ca.crt" not found/);
  } finally {
    removePodDir(dir, 'u-1');
    rmSync(dir, { recursive: true, force: true });
  }
});
