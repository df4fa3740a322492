// The compatibility suite's Helm 3 checks: the chart `helm create` makes, pointed at
// k8ts/hello:1.0, through install, upgrade, rollback, test (its own test pod fetches the
// release's Service by name, so DNS and the proxy take part) and uninstall.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Step } from './kubectl-steps.js';

export const HELM = process.env.K8TS_HELM ?? '/usr/local/bin/helm';

export function helmSteps(dir: string, kubeconfig: string, ns: string): Step[] {
  const home = join(dir, 'helm-home');
  mkdirSync(home, { recursive: true });
  const chart = join(dir, 'compat');
  const helm = (...args: string[]) =>
    new Promise<string>((resolve, reject) =>
      execFile(HELM, [...args, '--kubeconfig', kubeconfig], { cwd: dir, env: { PATH: process.env.PATH, HOME: home }, timeout: 240_000 }, (err, stdout, stderr) =>
        err ? reject(new Error(`helm ${args.join(' ')}: ${stderr || err.message}`)) : resolve(stdout),
      ),
    );
  const pinned = ['--set', 'image.repository=k8ts/hello', '--set', 'image.tag=1.0', '--set', 'service.port=8080'];
  const revisionOf = async () => JSON.parse(await helm('status', 'compat', '-n', ns, '-o', 'json')).version as number;
  const step = (name: string, run: () => Promise<unknown>): Step => ({ name, run: async () => void (await run()) });

  return [
    step('create a chart', async () => {
      await helm('create', 'compat');
      // The generated test pod uses `busybox` (that is :latest, pulled every time): pinned here.
      const test = join(chart, 'templates', 'tests', 'test-connection.yaml');
      writeFileSync(test, readFileSync(test, 'utf8').replace(/image: busybox\b/, 'image: k8ts/busybox:1.36'));
    }),
    step('install --wait', async () => {
      await helm('install', 'compat', chart, '-n', ns, '--create-namespace', '--wait', '--timeout', '180s', ...pinned);
      assert.equal(await revisionOf(), 1);
    }),
    step('upgrade --wait', async () => {
      await helm('upgrade', 'compat', chart, '-n', ns, '--wait', '--timeout', '180s', ...pinned, '--set', 'replicaCount=2');
      assert.equal(await revisionOf(), 2);
    }),
    step('rollback --wait', async () => {
      await helm('rollback', 'compat', '1', '-n', ns, '--wait', '--timeout', '180s');
      assert.equal(await revisionOf(), 3);
      const values = JSON.parse(await helm('get', 'values', 'compat', '-n', ns, '-o', 'json'));
      assert.equal(values.replicaCount, undefined, 'the rollback restored revision 1 values');
    }),
    step('test', async () => assert.match(await helm('test', 'compat', '-n', ns, '--timeout', '180s'), /Phase:\s+Succeeded/)),
    step('uninstall', async () => {
      await helm('uninstall', 'compat', '-n', ns, '--wait', '--timeout', '120s');
      assert.match(await helm('list', '-n', ns, '-a'), /^NAME[^\n]*\n?$/);
    }),
  ];
}
