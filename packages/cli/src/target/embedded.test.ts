import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EmbeddedTarget, holderIsProcess } from './embedded.js';
import { Home, defaultConfig } from '../home.js';

const dirs: string[] = [];
const tempDir = () => {
  const d = mkdtempSync(join(tmpdir(), 'k8ts-target-'));
  dirs.push(d);
  return d;
};
after(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

test('a Lease holder names its process: scheduler by --identity, controller-manager by pid', () => {
  assert.equal(holderIsProcess('vm_scheduler-2', 'scheduler-2', 10), true);
  assert.equal(holderIsProcess('vm_scheduler-2', 'scheduler-1', 10), false);
  assert.equal(holderIsProcess('vm_1853_i48ik5', 'controller-manager-1', 1853), true);
  assert.equal(holderIsProcess('vm_1853_i48ik5', 'controller-manager-2', 1865), false);
  assert.equal(holderIsProcess('vm_1853_i48ik5', 'controller-manager-2', undefined), false);
});

test('no cluster in the home: a plain error naming it', () => {
  const dir = tempDir();
  assert.throws(() => new EmbeddedTarget(new Home(dir)), new RegExp(`k8ts is not running here \\(no cluster in ${dir}`));
});

test('nodes, replicas and unknown names', async () => {
  const home = new Home(tempDir());
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
