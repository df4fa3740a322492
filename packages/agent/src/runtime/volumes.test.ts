import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, existsSync, symlinkSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import type { Pod } from '@k8ts/api';
import { bindsFor, prepareVolumes, removePodDir } from './volumes.js';
import { ConfigError, type ObjectLookup } from './config-error.js';

const lookup: ObjectLookup = {
  configMap: async (_ns, name) => (name === 'cm' ? { data: { 'a.conf': 'A', b: 'B' } } : undefined),
  secret: async (_ns, name) => (name === 's' ? { data: { token: Buffer.from('T').toString('base64') } } : undefined),
};

test('emptyDir, configMap (items), secret and hostPath become binds', async (t) => {
  const dir = mkdtempSync(join(os.tmpdir(), 'k8ts-vol-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const pod = {
    metadata: { name: 'p', namespace: 'default', uid: 'uid1' },
    spec: {
      containers: [],
      volumes: [
        { name: 'scratch', emptyDir: {} },
        { name: 'cfg', configMap: { name: 'cm', items: [{ key: 'a.conf', path: 'conf/app.conf' }] } },
        { name: 'sec', secret: { secretName: 's', defaultMode: 0o400 } },
        { name: 'host', hostPath: { path: join(dir, 'hp'), type: 'DirectoryOrCreate' } },
      ],
    },
  } as unknown as Pod;
  const vols = await prepareVolumes(pod, dir, lookup);
  assert.equal(readFileSync(join(vols.get('cfg')!.hostPath, 'conf/app.conf'), 'utf8'), 'A');
  assert.equal(existsSync(join(vols.get('cfg')!.hostPath, 'b')), false, 'only the listed items');
  assert.equal(readFileSync(join(vols.get('sec')!.hostPath, 'token'), 'utf8'), 'T');
  assert.equal(statSync(join(vols.get('sec')!.hostPath, 'token')).mode & 0o777, 0o400);
  assert.ok(existsSync(join(dir, 'hp')));
  const binds = bindsFor({ name: 'c', volumeMounts: [{ name: 'scratch', mountPath: '/s' }, { name: 'cfg', mountPath: '/etc/c' }, { name: 'host', mountPath: '/h', readOnly: true }, { name: 'scratch', mountPath: '/sub', subPath: 'x' }] }, vols);
  assert.equal(binds[0], `${vols.get('scratch')!.hostPath}:/s`);
  assert.equal(binds[1], `${vols.get('cfg')!.hostPath}:/etc/c:ro`);
  assert.equal(binds[2], `${join(dir, 'hp')}:/h:ro`);
  assert.equal(binds[3], `${join(vols.get('scratch')!.hostPath, 'x')}:/sub`);
  removePodDir(dir, 'uid1');
  assert.equal(existsSync(vols.get('scratch')!.hostPath), false);
});

test('missing ConfigMap and unknown mounts are ConfigErrors; subPath may not escape', async (t) => {
  const dir = mkdtempSync(join(os.tmpdir(), 'k8ts-vol-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const pod = { metadata: { name: 'p', uid: 'u2' }, spec: { containers: [], volumes: [{ name: 'v', configMap: { name: 'missing' } }] } } as unknown as Pod;
  await assert.rejects(prepareVolumes(pod, dir, lookup), (e: Error) => e instanceof ConfigError && /configmap "missing" not found/.test(e.message));
  const optional = { ...pod, spec: { containers: [], volumes: [{ name: 'v', configMap: { name: 'missing', optional: true } }] } } as unknown as Pod;
  const vols = await prepareVolumes(optional, dir, lookup);
  assert.throws(() => bindsFor({ name: 'c', volumeMounts: [{ name: 'nope', mountPath: '/x' }] }, vols), ConfigError);
  assert.throws(() => bindsFor({ name: 'c', volumeMounts: [{ name: 'v', mountPath: '/x', subPath: '../../etc' }] }, vols), ConfigError);
});

test('a subPath through a symlink the container made is refused, wherever the link points', async (t) => {
  const dir = mkdtempSync(join(os.tmpdir(), 'k8ts-vol-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const pod = { metadata: { name: 'p', uid: 'u3' }, spec: { containers: [], volumes: [{ name: 'data', emptyDir: {} }] } } as unknown as Pod;
  const vols = await prepareVolumes(pod, dir, lookup);
  const root = vols.get('data')!.hostPath;
  // what a container writing the emptyDir can do: links out to the host's / and to the state dir
  symlinkSync('/', join(root, 'host'));
  mkdirSync(join(root, 'ok', 'deeper'), { recursive: true });
  symlinkSync(dir, join(root, 'ok', 'state'));
  const mount = (subPath: string) => bindsFor({ name: 'c', volumeMounts: [{ name: 'data', mountPath: '/m', subPath }] }, vols);
  assert.throws(() => mount('host'), (e: Error) => e instanceof ConfigError && /goes through the symlink "host"/.test(e.message));
  assert.throws(() => mount('host/root/.k8ts'), (e: Error) => e instanceof ConfigError && /symlink "host"/.test(e.message));
  assert.throws(() => mount('ok/state/pods'), (e: Error) => e instanceof ConfigError && /symlink "ok\/state"/.test(e.message));
  assert.deepEqual(mount('ok/deeper'), [`${join(root, 'ok', 'deeper')}:/m`]);
  assert.deepEqual(mount('new/dir'), [`${join(root, 'new', 'dir')}:/m`]);
  assert.ok(statSync(join(root, 'new', 'dir')).isDirectory(), 'a missing subPath is made as a directory');
});
