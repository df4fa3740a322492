// The fixed command list the compatibility suite runs with each kubectl version, each in a
// namespace of its own: what people type every day, from apply to port-forward, checked by
// what kubectl prints (or writes), so a version whose client-side code disagrees with the
// apiserver fails by name.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { kubectlBin, kubectlHome, runKubectl, type KubectlOptions } from '../../integration/kubectl-cluster.js';
import { getThroughPort } from '../../support/get-through-port.js';

export const FIXTURES = join(import.meta.dirname, 'fixtures');

export interface Target {
  /** Holds kubectl's per-version HOME (discovery and OpenAPI caches). */
  dir: string;
  kubeconfig: string;
}

export interface Step {
  name: string;
  run(): Promise<void>;
}

export function kubectlSteps(target: Target, minor: number): Step[] {
  const ns = `compat-1-${minor}`;
  const k = (args: string[], opts: KubectlOptions = {}) => runKubectl(target, args, { minor, timeoutMs: 150_000, ...opts });
  const ok = async (args: string[], expect: RegExp, opts: KubectlOptions = {}) => {
    const r = await k(args, opts);
    assert.equal(r.code, 0, `kubectl 1.${minor} ${args.join(' ')} exited ${r.code}: ${r.stderr}`);
    assert.match(r.stdout, expect, `kubectl 1.${minor} ${args.join(' ')} printed: ${r.stdout}${r.stderr}`);
    return r.stdout;
  };
  const inNs = (...args: string[]) => ['-n', ns, ...args];
  const scratch = mkdtempSync(join(target.dir, `scratch-1.${minor}-`));
  const step = (name: string, run: () => Promise<unknown>): Step => ({ name, run: async () => void (await run()) });

  return [
    step('create namespace', () => ok(['create', 'namespace', ns], /created/)),
    step('apply (client-side)', () => ok(inNs('apply', '-f', join(FIXTURES, 'web.yaml')), /deployment.apps\/web created[\s\S]*service\/web created/)),
    step('rollout status', () => ok(inNs('rollout', 'status', 'deployment/web', '--timeout=120s'), /successfully rolled out/)),
    step('get -o wide', () => ok(inNs('get', 'deployments,services,pods', '-o', 'wide'), /deployment.apps\/web[\s\S]*service\/web[\s\S]*pod\/web-/)),
    step('describe', () => ok(inNs('describe', 'deployment', 'web'), /Replicas:\s+1 desired/)),
    step('diff', async () => {
      // kubectl diff exits 1 when there are differences, as `diff` does.
      const r = await k(inNs('diff', '-f', join(FIXTURES, 'web-v2.yaml')));
      assert.equal(r.code, 1, `diff exited ${r.code}: ${r.stderr}`);
      assert.match(r.stdout, /^-\s+replicas: 1$/m);
      assert.match(r.stdout, /^\+\s+replicas: 2$/m);
    }),
    step('apply --server-side', () => ok(inNs('apply', '--server-side', '--force-conflicts', '-f', join(FIXTURES, 'web-v2.yaml')), /deployment.apps\/web serverside-applied/)),
    step('wait --for=condition=Available', () => ok(inNs('wait', '--for=condition=Available', 'deployment/web', '--timeout=120s'), /condition met/)),
    step('patch (strategic merge)', () => ok(inNs('patch', 'deployment', 'web', '-p', '{"spec":{"template":{"metadata":{"annotations":{"compat":"patched"}}}}}'), /patched/)),
    step('rollout history', () => ok(inNs('rollout', 'history', 'deployment/web'), /REVISION[\s\S]*\n1 [\s\S]*\n2 /)),
    step('rollout undo', async () => {
      await ok(inNs('rollout', 'undo', 'deployment/web'), /rolled back/);
      await ok(inNs('rollout', 'status', 'deployment/web', '--timeout=120s'), /successfully rolled out/);
    }),
    step('run', () =>
      ok(inNs('run', 'tools', '--image=k8ts/busybox:1.36', '--restart=Never', '--', 'sh', '-c', 'echo compat-log-line; mkdir -p /www; echo compat-http > /www/index.html; exec httpd -f -p 8080 -h /www'), /pod\/tools created/),
    ),
    step('wait --for=condition=Ready', () => ok(inNs('wait', '--for=condition=Ready', 'pod/tools', '--timeout=120s'), /condition met/)),
    step('logs', () => ok(inNs('logs', 'tools'), /compat-log-line/)),
    step('exec', () => ok(inNs('exec', 'tools', '--', 'cat', '/www/index.html'), /compat-http/)),
    step('exec -i (stdin)', () => ok(inNs('exec', '-i', 'tools', '--', 'cat'), /from-stdin/, { input: 'from-stdin\n' })),
    step('cp both ways', async () => {
      writeFileSync(join(scratch, 'up.txt'), `copied-by-1.${minor}\n`);
      await ok(['cp', join(scratch, 'up.txt'), `${ns}/tools:/tmp/up.txt`], /^/);
      await ok(inNs('exec', 'tools', '--', 'cat', '/tmp/up.txt'), new RegExp(`copied-by-1.${minor}`));
      await ok(['cp', `${ns}/tools:/www/index.html`, join(scratch, 'down.txt')], /^/);
      assert.match(readFileSync(join(scratch, 'down.txt'), 'utf8'), /compat-http/);
    }),
    step('run -i --rm (attach)', () =>
      ok(inNs('run', 'reader', '-i', '--rm', '--restart=Never', '--image=k8ts/busybox:1.36', '--', 'sh', '-c', 'read x; echo got-$x'), /got-compat/, { input: 'compat\n' }),
    ),
    step('port-forward', () => portForward(target, minor, ns)),
    step('events', () => ok(inNs('events'), /Scheduled|Started|Created/)),
    step('explain', () => ok(['explain', 'deployment.spec.replicas'], /replicas\s*<integer>/)),
    step('debug --copy-to', async () => {
      await ok(inNs('debug', 'tools', '--copy-to=tools-debug', '--image=k8ts/busybox:1.36', '--container=debugger', '--', 'sleep', '3600'), /^/);
      await ok(inNs('get', 'pod', 'tools-debug', '-o', 'jsonpath={.spec.containers[*].name}'), /tools debugger|debugger tools/);
    }),
    step('debug --target (ephemeral container)', async () => {
      // Without -i kubectl adds the container and returns; sharing the target's process
      // namespace, its ps lists the target's httpd.
      await ok(inNs('debug', 'tools', '--image=k8ts/busybox:1.36', '--container=eph', '--target=tools', '--', 'ps'), /^/);
      for (let i = 0; ; i++) {
        const r = await k(inNs('logs', 'tools', '-c', 'eph'));
        if (r.code === 0 && /httpd -f -p 8080/.test(r.stdout)) return;
        if (i >= 100) assert.fail(`the ephemeral container's ps never listed the target's httpd: ${r.stdout}${r.stderr}`);
        await new Promise((res) => setTimeout(res, 300));
      }
    }),
    step('auth can-i', async () => {
      await ok(inNs('auth', 'can-i', 'create', 'pods'), /^yes$/m);
      // The admin is in system:masters, bound to cluster-admin: every verb on every resource.
      await ok(inNs('auth', 'can-i', '--list'), /^\*\.\*\s+\[\]\s+\[\]\s+\[\*\]/m);
    }),
    step('auth whoami', async () => {
      if (minor >= 28) return ok(['auth', 'whoami'], /system:masters/);
      // kubectl 1.27 asks authentication.k8s.io/v1beta1, which kube-apiserver 1.32 no longer
      // serves by default (betaAPIGroupVersionsDisabledByDefault): it fails there the same way.
      const r = await k(['auth', 'whoami']);
      assert.notEqual(r.code, 0);
      assert.match(r.stderr, /selfsubjectreviews API is not enabled in the cluster/);
    }),
    step('apply -k (kustomize)', async () => {
      await ok(inNs('apply', '-k', join(FIXTURES, 'kustomize')), /configmap\/kz-settings-\w+ created[\s\S]*deployment.apps\/kz-app created/);
      await ok(inNs('get', 'configmaps', '-l', 'app.kubernetes.io/part-of=compat-kustomize', '-o', 'jsonpath={.items[0].data.greeting}'), /hello-from-kustomize/);
    }),
    step('delete namespace', () => ok(['delete', 'namespace', ns, '--wait=false'], /deleted/)),
  ];
}

/** `kubectl port-forward` to the tools pod's httpd on a port kubectl picks, one request through it. */
async function portForward(target: Target, minor: number, ns: string): Promise<void> {
  const child = spawn(kubectlBin(minor), ['--kubeconfig', target.kubeconfig, '-n', ns, 'port-forward', 'pod/tools', ':8080'], {
    env: { PATH: process.env.PATH, HOME: kubectlHome(target, minor) },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  try {
    const port = await new Promise<number>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`port-forward printed no port: ${out}`)), 60_000);
      const onData = (d: Buffer) => {
        out += d.toString();
        const m = /Forwarding from 127\.0\.0\.1:(\d+)/.exec(out);
        if (m) {
          clearTimeout(timer);
          resolve(Number(m[1]));
        }
      };
      child.stdout.on('data', onData);
      child.stderr.on('data', onData);
      child.once('exit', (code) => reject(new Error(`port-forward exited ${code}: ${out}`)));
    });
    const body = await getThroughPort(port, 30_000);
    assert.match(body, /compat-http/);
  } finally {
    child.kill('SIGTERM');
  }
}
