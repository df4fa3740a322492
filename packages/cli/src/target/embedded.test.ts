import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EmbeddedTarget, holderIsProcess } from './embedded.js';
import { Home, defaultConfig } from '../home.js';

test('a Lease holder names its process: scheduler by --identity, controller-manager by pid', () => {
  assert.equal(holderIsProcess('vm_scheduler-2', 'scheduler-2', 10), true);
  assert.equal(holderIsProcess('vm_scheduler-2', 'scheduler-1', 10), false);
  assert.equal(holderIsProcess('vm_1853_i48ik5', 'controller-manager-1', 1853), true);
  assert.equal(holderIsProcess('vm_1853_i48ik5', 'controller-manager-2', 1865), false);
  assert.equal(holderIsProcess('vm_1853_i48ik5', 'controller-manager-2', undefined), false);
});

test('no cluster in the home: a plain error naming it', () => {
  const dir = mkdtempSync(join(tmpdir(), 'k8ts-target-'));
  assert.throws(() => new EmbeddedTarget(new Home(dir)), new RegExp(`k8ts is not running here \\(no cluster in ${dir}`));
});

test('nodes, replicas and unknown names', async () => {
  const home = new Home(mkdtempSync(join(tmpdir(), 'k8ts-target-')));
  home.ensure();
  home.writeConfig({ ...defaultConfig, nodePrefix: 'n', agents: 2 });
  for (const p of ['apiserver', 'scheduler-1', 'scheduler-2', 'controller-manager-1', 'n-1', 'n-2']) writeFileSync(home.path('pids', `${p}.pid`), '999999999\n');
  const t = new EmbeddedTarget(home);
  assert.deepEqual(await t.nodes(), ['n-1', 'n-2']);
  assert.deepEqual(t.replicas('scheduler'), ['scheduler-1', 'scheduler-2']);
  assert.ok((await t.components()).includes('scheduler'));
  await assert.rejects(t.nodeFault('kill-agent', 'n-9'), /no node named n-9; the nodes are n-1, n-2/);
  await assert.rejects(t.kill('kubelet'), /unknown component kubelet; one of .*apiserver.*n-1, n-2/);
  await assert.rejects(t.kill('n-1'), /n-1 is not running/);
});
