// The client-compatibility suite: clients nobody here wrote, against a `k8ts up` cluster of
// its own (one agent; ports, network, ranges and node names of its own; `k8ts down --purge`
// at the end whatever happened). kubectl 1.27, 1.30 and 1.33 each run the same command list
// (compat/kubectl-steps.ts), and @kubernetes/client-node, Debian's python3-kubernetes and
// Helm 3 run theirs, all at once in namespaces of their own. A step's failure names the client and
// the command; the matrix of results is printed at the end (the README keeps a copy).
import { after, before, describe, test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { execFile, execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { upCluster, type SoakCluster } from '../soak/cluster.js';
import { kubectlOk } from '../integration/kubectl-cluster.js';
import { kubectlSteps, type Step, type Target } from './compat/kubectl-steps.js';
import { clientNodeSteps } from './compat/client-node.js';
import { HELM, helmSteps } from './compat/helm-steps.js';

const KUBECTL_MINORS = [27, 30, 33];
const CLIENTS_NS = 'compat-clients';
const results = new Map<string, Map<string, boolean>>();
let cluster: SoakCluster;
let target: Target;

// Debian's python3-kubernetes is installed for Debian's python3, which another python3 on
// PATH (pyenv's, say) would not see.
const PYTHON = existsSync('/usr/bin/python3') ? '/usr/bin/python3' : 'python3';
const hasPythonClient = (() => {
  try {
    execFileSync(PYTHON, ['-c', 'import kubernetes'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
})();

before(async () => {
  cluster = await upCluster({ agents: 1, prefix: 'compat', log: (s) => console.log(s) });
  target = { dir: mkdtempSync(join(tmpdir(), 'k8ts-compat-')), kubeconfig: cluster.env.KUBECONFIG! };
  // The pod the library clients read logs from and exec into: a busybox httpd.
  await kubectlOk(target, ['create', 'namespace', CLIENTS_NS]);
  await kubectlOk(target, ['-n', CLIENTS_NS, 'run', 'tools', '--image=k8ts/busybox:1.36', '--restart=Never', '--', 'sh', '-c', 'echo compat-log-line; mkdir -p /www; echo compat-http > /www/index.html; exec httpd -f -p 8080 -h /www']);
  await kubectlOk(target, ['-n', CLIENTS_NS, 'wait', '--for=condition=Ready', 'pod/tools', '--timeout=180s'], { timeoutMs: 200_000 });
});

after(async () => {
  console.log(matrix());
  await cluster?.down();
  if (target) rmSync(target.dir, { recursive: true, force: true });
});

/** Runs the steps in order as subtests, each recorded under the client's name. */
async function runSteps(t: TestContext, client: string, steps: Step[]): Promise<void> {
  const row = new Map<string, boolean>();
  results.set(client, row);
  for (const s of steps) {
    await t.test(s.name, async () => {
      row.set(s.name, false);
      await s.run();
      row.set(s.name, true);
    });
  }
}

// Every client at once, each in namespaces of its own: the suite takes about as long as its
// slowest client.
describe('clients', { concurrency: true }, () => {
  for (const minor of KUBECTL_MINORS) test(`kubectl 1.${minor}`, (t) => runSteps(t, `kubectl 1.${minor}`, kubectlSteps(target, minor)));

  test('@kubernetes/client-node', (t) => runSteps(t, '@kubernetes/client-node', clientNodeSteps(target.kubeconfig, CLIENTS_NS, 'tools')));

  test('python3-kubernetes', { skip: !hasPythonClient && 'python3-kubernetes is not installed (scripts/setup.sh installs it)' }, async (t) => {
    const lines = await new Promise<string>((resolve, reject) =>
      execFile(PYTHON, [join(import.meta.dirname, 'compat', 'python_client.py'), target.kubeconfig, CLIENTS_NS, 'tools'], { timeout: 180_000 }, (err, stdout, stderr) =>
        err ? reject(new Error(`${PYTHON}: ${stderr || err.message}`)) : resolve(stdout),
      ),
    );
    const checks = lines.split('\n').filter(Boolean).map((l) => JSON.parse(l) as { name: string; ok: boolean; error?: string });
    assert.ok(checks.length >= 4, `the Python checks printed ${checks.length} results: ${lines}`);
    await runSteps(t, 'python3-kubernetes', checks.map((c) => ({ name: c.name, run: async () => assert.ok(c.ok, c.error) })));
  });

  test('helm 3', { skip: !existsSync(HELM) && `no helm at ${HELM} (scripts/setup.sh installs it)` }, (t) => runSteps(t, 'helm 3', helmSteps(target.dir, target.kubeconfig, 'compat-helm')));
});

function matrix(): string {
  const lines = ['client compatibility (✓ passed, ✗ failed):'];
  for (const [client, row] of results) lines.push(`  ${client}: ${[...row].map(([s, ok]) => `${ok ? '✓' : '✗'} ${s}`).join(' · ')}`);
  return lines.join('\n');
}
