// fsGroup on the folders the agent makes for a pod's volumes: group, group permissions and
// setgid folders, hostPath untouched, symlinks never followed.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import type { Pod } from '@k8ts/api';
import { applyFsGroup } from './fs-group.js';

const root = process.getuid?.() === 0;

test('fsGroup: group-owned volumes with group access, read-only ones without group write; hostPath and links left alone', { skip: !root && 'chown needs root' }, (t) => {
  const dir = mkdtempSync(join(os.tmpdir(), 'k8ts-fsgroup-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const empty = join(dir, 'empty');
  const secret = join(dir, 'secret');
  const host = join(dir, 'host');
  for (const d of [empty, secret, host]) mkdirSync(d);
  writeFileSync(join(secret, 'key'), 'x', { mode: 0o400 });
  writeFileSync(join(host, 'f'), 'x', { mode: 0o600 });
  writeFileSync(join(dir, 'outside'), 'x', { mode: 0o600 });
  symlinkSync(join(dir, 'outside'), join(empty, 'link'));
  const pod = { metadata: { name: 'p' }, spec: { securityContext: { fsGroup: 4321 }, volumes: [{ name: 'e', emptyDir: {} }, { name: 's', secret: { secretName: 's' } }, { name: 'h', hostPath: { path: host } }], containers: [] } } as unknown as Pod;
  applyFsGroup(pod, new Map([['e', { hostPath: empty, readOnly: false }], ['s', { hostPath: secret, readOnly: true }], ['h', { hostPath: host, readOnly: false }]]));
  assert.equal(statSync(empty).gid, 4321);
  assert.equal(statSync(empty).mode & 0o2070, 0o2070);
  assert.equal(statSync(join(secret, 'key')).gid, 4321);
  assert.equal(statSync(join(secret, 'key')).mode & 0o777, 0o440);
  assert.notEqual(statSync(join(host, 'f')).gid, 4321);
  assert.notEqual(statSync(join(dir, 'outside')).gid, 4321, 'the link target outside the volume is untouched');
});
