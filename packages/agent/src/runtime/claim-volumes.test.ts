import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import type { KubeObject } from '@k8ts/api';
import { claimVolumePath } from './claim-volumes.js';
import { VolumeMountError, type ObjectLookup } from './config-error.js';

function lookup(claims: KubeObject[], volumes: KubeObject[]): ObjectLookup {
  return {
    configMap: async () => undefined,
    secret: async () => undefined,
    persistentVolumeClaim: async (ns, name) => claims.find((c) => c.metadata.namespace === ns && c.metadata.name === name),
    persistentVolume: async (name) => volumes.find((v) => v.metadata.name === name),
  };
}
const claim = (name: string, volumeName?: string, phase = 'Bound', extra: any = {}): KubeObject => ({ apiVersion: 'v1', kind: 'PersistentVolumeClaim', metadata: { name, namespace: 'default', uid: `u-${name}`, ...extra }, spec: { volumeName }, status: { phase } });
const volume = (name: string, claimName: string, source: any): KubeObject => ({ apiVersion: 'v1', kind: 'PersistentVolume', metadata: { name }, spec: { claimRef: { namespace: 'default', name: claimName, uid: `u-${claimName}` }, ...source } });

test('a bound hostPath claim: its folder made on first mount (0777) and kept', async () => {
  const dir = mkdtempSync(join(os.tmpdir(), 'k8ts-claim-'));
  try {
    const path = join(dir, 'local-path', 'pvc-1_default_data');
    const l = lookup([claim('data', 'pvc-1')], [volume('pvc-1', 'data', { hostPath: { path, type: 'DirectoryOrCreate' } })]);
    assert.equal(await claimVolumePath('default', 'data', l), path);
    assert.ok(existsSync(path));
    assert.equal(statSync(path).mode & 0o777, 0o777);
    assert.equal(await claimVolumePath('default', 'data', l), path, 'again: the same folder');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('claims that cannot be mounted yet say why, in the kubelet\'s words', async () => {
  const l = lookup(
    [claim('pending', undefined, 'Pending'), claim('lost', 'gone'), claim('deleting', 'pv', 'Bound', { deletionTimestamp: '2026-01-01T00:00:00Z' }), claim('nfs', 'pv-nfs'), claim('stolen', 'pv-other')],
    [volume('pv-nfs', 'nfs', { nfs: { server: 'x', path: '/' } }), volume('pv-other', 'someone-else', { hostPath: { path: '/tmp' } })],
  );
  const why = async (name: string) => {
    try {
      await claimVolumePath('default', name, l);
      return 'mounted';
    } catch (e) {
      assert.ok(e instanceof VolumeMountError);
      return (e as Error).message;
    }
  };
  assert.equal(await why('missing'), 'error processing PVC default/missing: failed to fetch PVC from API server: persistentvolumeclaims "missing" not found');
  assert.equal(await why('pending'), 'error processing PVC default/pending: PVC is not bound');
  assert.equal(await why('deleting'), "error processing PVC default/deleting: can't start pod because PVC is being deleted");
  assert.match(await why('lost'), /failed to fetch PV gone from API server/);
  assert.match(await why('nfs'), /mounts only hostPath and local volumes/);
  assert.match(await why('stolen'), /is not bound to this claim/);
});
