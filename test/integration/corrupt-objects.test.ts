// Values in etcd the apiserver did not write (by hand, by an older version): garbage under
// /registry/services/default/bad and pods whose fields have the wrong types (issue 12).
// kubectl keeps listing everything else; GET names the broken value; a DELETE with
// ignoreStoreReadErrorWithClusterBreakingPotential removes it.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import type { Store } from '@k8ts/apiserver';
import { kubectlBin, kubectlHome, runKubectl, startKubectlCluster, type KubectlCluster } from './kubectl-cluster.js';

const MINOR = 33;
let cluster: KubectlCluster;

before(async () => {
  cluster = await startKubectlCluster();
});

after(async () => {
  await cluster?.stop();
});

const kubectl = (...args: string[]) => runKubectl(cluster, args, { minor: MINOR });

/** The apiserver's own etcd client (its registry's storage is etcd here). */
const etcdOf = (c: KubectlCluster) => (c.api.registry.store as Store).etcd;

/** A write straight to etcd, as etcdctl would make it. */
async function putRaw(key: string, value: string): Promise<void> {
  await etcdOf(cluster).put(key).value(value);
}

test('garbage under /registry/services/default/bad: kubectl get svc -A lists the rest, get names it, the unsafe delete removes it', async () => {
  for (const name of ['alpha', 'zulu']) assert.equal((await kubectl('create', 'service', 'clusterip', name, '--tcp=80:8080')).code, 0);
  await putRaw('/registry/services/default/bad', 'this is not JSON {');

  const list = await kubectl('get', 'svc', '-A');
  assert.equal(list.code, 0, list.stderr);
  assert.match(list.stdout, /alpha/);
  assert.match(list.stdout, /zulu/);
  assert.doesNotMatch(list.stdout, /\bbad\b/);
  assert.equal((await kubectl('get', 'svc', '-A', '-o', 'json')).code, 0);
  assert.equal((await kubectl('get', 'svc', '-A', '--field-selector', 'spec.type=ClusterIP')).code, 0);

  const get = await kubectl('get', 'svc', 'bad');
  assert.notEqual(get.code, 0);
  assert.match(get.stderr, /data corruption.*\/registry\/services\/default\/bad/);

  const plain = await kubectl('delete', 'svc', 'bad');
  assert.notEqual(plain.code, 0, 'a plain delete leaves it, as kube-apiserver does');
  assert.match(plain.stderr, /ignoreStoreReadErrorWithClusterBreakingPotential/);

  const unsafe = await kubectl('delete', '--raw', '/api/v1/namespaces/default/services/bad?ignoreStoreReadErrorWithClusterBreakingPotential=true');
  assert.equal(unsafe.code, 0, unsafe.stderr);
  assert.equal((await etcdOf(cluster).get('/registry/services/default/bad').string()), null);
  const after = await kubectl('get', 'svc', '-A');
  assert.equal(after.code, 0);
  assert.match(after.stdout, /alpha[\s\S]*zulu/);
});

test('pods stored with fields of the wrong types (podIPs "x", conditions 1.5) break neither kubectl get pods -A nor field-selected lists', async () => {
  const pod = (name: string, status: unknown) =>
    JSON.stringify({ apiVersion: 'v1', kind: 'Pod', metadata: { name, namespace: 'default', uid: name, creationTimestamp: '2026-01-01T00:00:00Z' }, spec: { nodeName: 'node-1', containers: [{ name: 'c', image: 'busybox' }] }, status });
  assert.equal((await kubectl('run', 'good', '--image=busybox')).code, 0);
  const watch = execFile(kubectlBin(MINOR), ['--kubeconfig', cluster.kubeconfig, 'get', 'pods', '-A', '-w', '--field-selector', 'spec.nodeName=node-1'], { env: { PATH: process.env.PATH, HOME: kubectlHome(cluster, MINOR) } });
  try {
    await new Promise((r) => setTimeout(r, 1000));
    await putRaw('/registry/pods/default/ips', pod('ips', { podIPs: 'x' }));
    await putRaw('/registry/pods/default/conditions', pod('conditions', { conditions: 1.5, containerStatuses: 7 }));
    await putRaw('/registry/pods/default/broken', '{"metadata":');
    await new Promise((r) => setTimeout(r, 1000));
    const all = await kubectl('get', 'pods', '-A');
    assert.equal(all.code, 0, all.stderr);
    for (const n of ['good', 'ips', 'conditions']) assert.match(all.stdout, new RegExp(`\\b${n}\\b`));
    const selected = await kubectl('get', 'pods', '-A', '--field-selector', 'spec.nodeName=node-1', '-o', 'name');
    assert.equal(selected.code, 0, selected.stderr);
    assert.deepEqual(selected.stdout.trim().split('\n').sort(), ['pod/conditions', 'pod/ips']);
    assert.equal((await kubectl('get', 'pods', '-A', '--field-selector', 'status.podIPs=10.0.0.1')).code, 0);
    assert.equal(watch.exitCode, null, 'the watch is still open');
  } finally {
    watch.kill();
  }
  const ready = await kubectl('get', '--raw', '/readyz');
  assert.equal(ready.stdout.trim(), 'ok');
});
