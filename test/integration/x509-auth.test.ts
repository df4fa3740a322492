// x509 client-certificate authentication against the real apiserver (etcd, REST over TLS, gRPC
// over TLS): a certificate signed by the cluster CA is its CN/O identity on both faces, one
// signed by another CA is a 401 (gRPC Unauthenticated), tokens keep working over TLS, and
// `k8ts kubeconfig --user alice` gives kubectl 1.32 a credential that is alice. Authorization
// is on (Node,RBAC): a Role lets the group dev and the node agent-1 write ConfigMaps.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import https from 'node:https';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as grpc from '@grpc/grpc-js';
import { GrpcClient, createCa, issueClientCert, ApiError } from '@k8ts/client';
import type { KubeObject } from '@k8ts/api';
import { kubectlOk, runKubectl, startKubectlCluster, type KubectlCluster } from './kubectl-cluster.js';
import { execFile } from 'node:child_process';
import { readFileSync, statSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const CLI = fileURLToPath(new URL('../../packages/cli/src/main.ts', import.meta.url));

function runCli(args: string[], env: Record<string, string>): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, ['--import', 'tsx', CLI, ...args], { env: { ...process.env, ...env }, timeout: 60_000 }, (err, stdout, stderr) =>
      resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, stdout, stderr }),
    );
  });
}
import { nodeIdentity, type TestPki } from '../support/identities.js';

const cm = (name: string) => ({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, namespace: 'default' }, data: { a: '1' } });

interface Seen {
  name: string;
  user?: string;
  groups?: string[];
}

function restRequest(cluster: KubectlCluster, method: string, path: string, o: { cert?: string; key?: string; token?: string; body?: unknown } = {}): Promise<{ code: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = https.request(
      `${cluster.restUrl}${path}`,
      {
        method,
        ca: cluster.pki!.ca.certPem,
        cert: o.cert,
        key: o.key,
        headers: { 'content-type': 'application/json', ...(o.token ? { authorization: `Bearer ${o.token}` } : {}) },
      },
      (res) => {
        let body = '';
        res.on('data', (d) => (body += d));
        res.on('end', () => resolve({ code: res.statusCode ?? 0, body }));
      },
    );
    req.on('error', reject);
    req.end(o.body === undefined ? undefined : JSON.stringify(o.body));
  });
}

/** A Role to read and create ConfigMaps in default, bound to `subjects`; resolves once RBAC's cache allows it. */
async function grantConfigMaps(cluster: KubectlCluster, subjects: { kind: string; name: string }[]): Promise<void> {
  const meta = { name: 'configmap-writer', namespace: 'default' };
  const r = cluster.api.registry;
  await r.create('roles', 'default', { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'Role', metadata: meta, rules: [{ apiGroups: [''], resources: ['configmaps'], verbs: ['create', 'get', 'list', 'watch'] }] } as KubeObject);
  await r.create('rolebindings', 'default', {
    apiVersion: 'rbac.authorization.k8s.io/v1',
    kind: 'RoleBinding',
    metadata: meta,
    roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: meta.name },
    subjects: subjects.map((s) => ({ apiGroup: 'rbac.authorization.k8s.io', ...s })),
  } as KubeObject);
  const attrs = { user: { name: 'system:node:agent-1', groups: ['system:nodes', 'system:authenticated'] }, verb: 'create', resourceRequest: true, path: '', apiGroup: '', apiVersion: 'v1', resource: 'configmaps', subresource: '', namespace: 'default', name: '' };
  for (let i = 0; cluster.api.authorization.authorize(attrs).decision !== 'Allow'; i++) {
    if (i > 200) throw new Error('the RoleBinding never reached the RBAC cache');
    await new Promise((res) => setTimeout(res, 10));
  }
}

describe('x509 client certificates', () => {
  let cluster: KubectlCluster;
  let pki: TestPki;
  const seen: Seen[] = [];
  const clients: GrpcClient[] = [];

  before(async () => {
    cluster = await startKubectlCluster({ pki: true });
    pki = cluster.pki!;
    // Who created each ConfigMap, as admission (and so authorization) sees the caller.
    cluster.api.registry.registerAdmission({
      name: 'RecordUser',
      admit: (r) => {
        if (r.resource === 'configmaps' && r.operation === 'CREATE') seen.push({ name: r.object?.metadata?.name ?? r.name, user: r.user?.name, groups: r.user?.groups });
      },
    });
    await grantConfigMaps(cluster, [{ kind: 'Group', name: 'dev' }, { kind: 'User', name: 'system:node:agent-1' }]);
  });
  after(async () => {
    for (const c of clients) c.close();
    await cluster?.stop();
  });
  const creator = (name: string) => seen.find((s) => s.name === name);
  const grpcClient = (o: ConstructorParameters<typeof GrpcClient>[0]) => {
    const c = new GrpcClient({ server: cluster.grpcAddress, timeoutMs: 5000, ...o });
    clients.push(c);
    return c;
  };

  it('REST: a client certificate signed by the cluster CA is its CN and O groups', async () => {
    const alice = pki.clientCert({ user: 'alice', groups: ['dev', 'ops'] });
    const r = await restRequest(cluster, 'POST', '/api/v1/namespaces/default/configmaps', { cert: alice.certPem, key: alice.keyPem, body: cm('by-alice') });
    assert.equal(r.code, 201, r.body);
    assert.deepEqual(creator('by-alice'), { name: 'by-alice', user: 'alice', groups: ['dev', 'ops', 'system:authenticated'] });
    const get = await restRequest(cluster, 'GET', '/api/v1/namespaces/default/configmaps/by-alice', { cert: alice.certPem, key: alice.keyPem });
    assert.equal(get.code, 200);
  });

  it('REST: a certificate signed by another CA is 401 and changes nothing; tokens still work', async () => {
    const mallory = issueClientCert(createCa({ commonName: 'k8ts-ca' }), { user: 'kubernetes-admin', groups: ['system:masters'] });
    const r = await restRequest(cluster, 'POST', '/api/v1/namespaces/default/configmaps', { cert: mallory.certPem, key: mallory.keyPem, body: cm('by-mallory') });
    assert.equal(r.code, 401, r.body);
    assert.equal(JSON.parse(r.body).reason, 'Unauthorized');
    assert.equal(creator('by-mallory'), undefined);
    assert.equal((await restRequest(cluster, 'GET', '/api/v1/namespaces/default/configmaps/by-mallory', { token: cluster.token })).code, 404);
    assert.equal((await restRequest(cluster, 'GET', '/api/v1/namespaces', {})).code, 401);
    const t = await restRequest(cluster, 'POST', '/api/v1/namespaces/default/configmaps', { token: cluster.token, body: cm('by-token') });
    assert.equal(t.code, 201, t.body);
    assert.equal(creator('by-token')?.user, 'admin');
  });

  it('gRPC over TLS: a client certificate authenticates on unary calls, watches and the Exchange stream', async () => {
    const node = pki.clientCert(nodeIdentity('agent-1'));
    const c = grpcClient({ caFile: node.caFile, clientCertFile: node.clientCertFile, clientKeyFile: node.clientKeyFile });
    await c.create('configmaps', cm('by-node'));
    assert.deepEqual(creator('by-node'), { name: 'by-node', user: 'system:node:agent-1', groups: ['system:nodes', 'system:authenticated'] });
    const list = await c.list('configmaps', { namespace: 'default' });
    assert.ok(list.items.some((i) => i.metadata?.name === 'by-node'));
    const unary = grpcClient({ caFile: node.caFile, clientCertFile: node.clientCertFile, clientKeyFile: node.clientKeyFile, exchange: false });
    await unary.create('configmaps', cm('by-node-unary'));
    assert.equal(creator('by-node-unary')?.user, 'system:node:agent-1');
  });

  it('gRPC over TLS: a token without a certificate works; another CA\'s certificate and no credentials are Unauthenticated', async () => {
    const byToken = grpcClient({ caFile: pki.caFile, token: cluster.token });
    await byToken.create('configmaps', cm('grpc-token'));
    assert.equal(creator('grpc-token')?.user, 'admin');

    const dir = mkdtempSync(join(tmpdir(), 'k8ts-x509-'));
    try {
      const { writeFileSync } = await import('node:fs');
      const other = issueClientCert(createCa(), { user: 'kubernetes-admin', groups: ['system:masters'] });
      writeFileSync(join(dir, 'o.crt'), other.certPem);
      writeFileSync(join(dir, 'o.key'), other.keyPem, { mode: 0o600 });
      for (const o of [{ clientCertFile: join(dir, 'o.crt'), clientKeyFile: join(dir, 'o.key') }, {}]) {
        const c = grpcClient({ caFile: pki.caFile, exchange: false, ...o });
        await assert.rejects(c.create('configmaps', cm('grpc-bad')), (e: unknown) => e instanceof ApiError && e.code === 401);
        await assert.rejects(c.list('configmaps', { namespace: 'default' }), (e: unknown) => e instanceof ApiError && e.code === 401);
      }
      // The raw gRPC status is UNAUTHENTICATED.
      const { loadK8tsProto } = await import('@k8ts/client');
      const { Objects } = loadK8tsProto();
      const raw = new Objects(cluster.grpcAddress, grpc.credentials.createSsl(Buffer.from(pki.ca.certPem), Buffer.from(other.keyPem), Buffer.from(other.certPem)));
      const code = await new Promise<number | undefined>((resolve) => raw.Get({ resource: 'namespaces', namespace: '', name: 'default', subresource: '' }, (err) => resolve(err?.code)));
      raw.close();
      assert.equal(code, grpc.status.UNAUTHENTICATED);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
    assert.equal(creator('grpc-bad'), undefined);
  });

  it('kubectl 1.32 with `k8ts kubeconfig --user alice` is alice; the file is 0600', async () => {
    const out = join(cluster.dir, 'alice.kubeconfig');
    const r = await runCli(['kubeconfig', '--user', 'alice', '--group', 'dev', '--group', 'qa', '--server', cluster.restUrl, '--out', out], { K8TS_HOME: cluster.dir });
    assert.equal(r.code, 0, r.stderr);
    assert.equal(statSync(out).mode & 0o777, 0o600);
    const yaml = readFileSync(out, 'utf8');
    assert.match(yaml, /client-certificate-data/);
    assert.doesNotMatch(yaml, /token/);
    await kubectlOk(cluster, ['create', 'configmap', 'by-kubectl-alice', '--from-literal=a=1'], { kubeconfig: out });
    assert.deepEqual(creator('by-kubectl-alice'), { name: 'by-kubectl-alice', user: 'alice', groups: ['dev', 'qa', 'system:authenticated'] });
    const got = await kubectlOk(cluster, ['get', 'configmap', 'by-kubectl-alice', '-o', 'name'], { kubeconfig: out });
    assert.equal(got.trim(), 'configmap/by-kubectl-alice');
    // Printed to stdout without --out; a bad name is refused.
    const printed = await runCli(['kubeconfig', '--user', 'bob', '--server', cluster.restUrl], { K8TS_HOME: cluster.dir });
    assert.equal(printed.code, 0, printed.stderr);
    assert.match(printed.stdout, /name: bob/);
    const bad = await runCli(['kubeconfig', '--user', 'a,b'], { K8TS_HOME: cluster.dir });
    assert.notEqual(bad.code, 0);
  });

  it('kubectl with a kubeconfig whose certificate another CA signed gets 401 (Unauthorized)', async () => {
    const other = createCa({ commonName: 'k8ts-ca' });
    const fake = issueClientCert(other, { user: 'kubernetes-admin', groups: ['system:masters'] });
    const { clientCertKubeconfigYaml } = await import('../../packages/cli/src/kubeconfig.js');
    const path = join(cluster.dir, 'fake.kubeconfig');
    const { writeFileSync } = await import('node:fs');
    writeFileSync(path, clientCertKubeconfigYaml({ server: cluster.restUrl, user: 'kubernetes-admin', certPem: fake.certPem, keyPem: fake.keyPem, caPem: pki.ca.certPem }), { mode: 0o600 });
    const r = await runKubectl(cluster, ['get', 'configmaps'], { kubeconfig: path });
    assert.notEqual(r.code, 0);
    assert.match(r.stderr, /Unauthorized|must be logged in/);
  });

  it('gRPC: a plaintext client cannot talk to the TLS face', async () => {
    const c = grpcClient({ token: cluster.token, exchange: false, timeoutMs: 2000 });
    await assert.rejects(c.get('namespaces', '', 'default'), (e: unknown) => e instanceof ApiError && e.code >= 500);
  });
});
