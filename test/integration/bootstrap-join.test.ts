// A fourth agent joins with a bootstrap token only (kubelet TLS bootstrap): the real agent
// process posts a CSR as system:bootstrap:<id>, the controller-manager's csrapproving and
// csrsigning approve and sign it with the cluster CA, and the agent registers its Node as
// system:node:<name> over gRPC TLS with the issued client certificate; restarted, it reuses
// it. Bad input: expired or unknown bootstrap tokens are 401, a CSR for system:masters or for
// another node's name is not approved, a certificate from another CA is 401. Needs Docker
// (the agent reports Ready only with its engine reachable); no pod is started.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import https from 'node:https';
import Docker from 'dockerode';
import { isNodeReady, type KubeObject, type Node } from '@k8ts/api';
import { ApiError, CONTROLLER_MANAGER_IDENTITY, GrpcClient, createCa, createKeyAndCsr, issueClientCert } from '@k8ts/client';
import { startControllerManager, type RunningControllerManager } from '@k8ts/controller-manager';
import { bootstrapTokenSecret, newBootstrapToken } from '@k8ts/cli';
import { kubectlOk, startKubectlCluster, type KubectlCluster } from './kubectl-cluster.js';
import { testNetwork, waitFor } from './agent-harness.js';

const CSRS = 'certificatesigningrequests';
const tag = Math.random().toString(36).slice(2, 7);
const NODE = `agent-4-${tag}`;
const OTHER = `agent-1-${tag}`;

function csrObject(name: string, cn: string, orgs: string[], signerName = 'kubernetes.io/kube-apiserver-client-kubelet'): KubeObject {
  const { csrPem } = createKeyAndCsr({ commonName: cn, organizations: orgs }, 1024);
  return { apiVersion: 'certificates.k8s.io/v1', kind: 'CertificateSigningRequest', metadata: { name }, spec: { request: Buffer.from(csrPem).toString('base64'), signerName, usages: ['digital signature', 'client auth'] } } as KubeObject;
}

function restStatus(cluster: KubectlCluster, path: string, token: string): Promise<number> {
  return new Promise((resolve, reject) => {
    https
      .get(`${cluster.restUrl}${path}`, { ca: cluster.pki!.ca.certPem, headers: { authorization: `Bearer ${token}` } }, (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode ?? 0));
      })
      .on('error', reject);
  });
}

describe('bootstrap-token join of a fourth agent', () => {
  let cluster: KubectlCluster;
  let cm: RunningControllerManager | undefined;
  let agent: ChildProcess | undefined;
  let agentLog = '';
  const dir = mkdtempSync(join(tmpdir(), 'k8ts-join-'));
  const certDir = join(dir, 'agent-4-pki');
  const net = testNetwork();
  const clients: GrpcClient[] = [];
  const token = newBootstrapToken();
  const creators = new Map<string, { user?: string; groups?: string[] }>();

  const grpcClient = (o: ConstructorParameters<typeof GrpcClient>[0]) => {
    const c = new GrpcClient({ server: cluster.grpcAddress, caFile: cluster.pki!.caFile, timeoutMs: 5000, ...o });
    clients.push(c);
    return c;
  };
  const admin = () => grpcClient({ token: cluster.token });

  function startAgentProcess(): ChildProcess {
    const args = [
      '--import', 'tsx', 'packages/agent/src/main.ts',
      '--server', cluster.grpcAddress, '--ca-file', cluster.pki!.caFile,
      '--bootstrap-token', token.token, '--cert-dir', certDir,
      '--node-name', NODE, '--network', net.name, '--subnet', net.subnet, '--ip-range', net.ipRange, '--gateway', net.gateway,
      '--state-dir', join(dir, 'state'), '--ops-port', '0',
    ];
    const p = spawn(process.execPath, args, { env: { PATH: process.env.PATH, HOME: dir, K8TS_LOG_LEVEL: 'info' }, stdio: ['ignore', 'pipe', 'pipe'] });
    p.stdout!.on('data', (d) => (agentLog += d));
    p.stderr!.on('data', (d) => (agentLog += d));
    return p;
  }

  async function stopAgentProcess(): Promise<void> {
    const p = agent;
    agent = undefined;
    if (!p || p.exitCode !== null) return;
    const exited = new Promise((r) => p.once('exit', r));
    p.kill('SIGTERM');
    const t = setTimeout(() => p.kill('SIGKILL'), 10_000);
    await exited;
    clearTimeout(t);
  }

  before(async () => {
    cluster = await startKubectlCluster({ pki: true, enableBootstrapTokenAuth: true });
    const pki = cluster.pki!;
    const caKeyFile = join(pki.dir, 'ca.key');
    writeFileSync(caKeyFile, pki.ca.keyPem, { mode: 0o600 });
    cluster.api.registry.registerAdmission({
      name: 'RecordNodeCreator',
      admit: (r) => {
        if (r.resource === 'nodes' && r.operation === 'CREATE') creators.set(r.name, { user: r.user?.name, groups: r.user?.groups });
      },
    });
    // The controller-manager as system:kube-controller-manager (Node,RBAC is on).
    cm = await startControllerManager({
      client: grpcClient({ token: cluster.tokenFor(CONTROLLER_MANAGER_IDENTITY), timeoutMs: 10_000 }),
      opsPort: -1,
      leaderElect: false,
      controllers: ['csrapproving', 'csrsigning', 'tokencleaner'],
      controllerOptions: { clusterSigningCertFile: pki.caFile, clusterSigningKeyFile: caKeyFile },
    });
    await cluster.api.registry.create('secrets', 'kube-system', bootstrapTokenSecret(token, 3600_000));
    // A live node of another name, as the first agents would be.
    await admin().create('nodes', { apiVersion: 'v1', kind: 'Node', metadata: { name: OTHER } });
    const n = await admin().get<Node>('nodes', '', OTHER);
    n.status = { conditions: [{ type: 'Ready', status: 'True', reason: 'KubeletReady', lastHeartbeatTime: new Date().toISOString(), lastTransitionTime: new Date().toISOString() }] };
    await admin().update('nodes', n, { subresource: 'status' });
  });

  after(async () => {
    await stopAgentProcess();
    await cm?.stop().catch(() => undefined);
    for (const c of clients) c.close();
    await cluster?.stop();
    const refused = cluster?.componentRefusals() ?? [];
    const docker = new Docker();
    const nets = await docker.listNetworks({ filters: { name: [net.name] } }).catch(() => []);
    for (const n of nets.filter((x) => x.Name === net.name)) await docker.getNetwork(n.Id).remove().catch(() => undefined);
    rmSync(dir, { recursive: true, force: true });
    assert.deepEqual(refused, [], 'the controller-manager and the joined agent, each as itself, were refused nothing');
  });

  it('the agent joins with the bootstrap token only: CSR approved and issued, Node Ready, registered as system:node:<name>', async () => {
    agent = startAgentProcess();
    const c = admin();
    await waitFor(`node ${NODE} Ready\n${agentLog}`, async () => {
      const n = await c.get<Node>('nodes', '', NODE).catch(() => undefined);
      return n && isNodeReady(n) ? n : undefined;
    }, 60_000, 250);
    assert.deepEqual(creators.get(NODE), { user: `system:node:${NODE}`, groups: ['system:nodes', 'system:authenticated'] });
    const csrs = (await c.list(CSRS)).items.filter((x: any) => x.spec.username === `system:bootstrap:${token.id}`);
    assert.equal(csrs.length, 1);
    const csr: any = csrs[0];
    assert.deepEqual(csr.spec.groups, ['system:bootstrappers', 'system:bootstrappers:k8ts:default-node-token', 'system:authenticated']);
    assert.equal(csr.status.conditions[0].type, 'Approved');
    assert.ok(csr.status.certificate);
    const files = readdirSync(certDir);
    for (const f of files) assert.equal(statSync(join(certDir, f)).mode & 0o077, 0, `${f} is private`);
    assert.ok(!agentLog.includes(token.secret), 'the bootstrap token is never logged');
    const table = await kubectlOk(cluster, ['get', 'csr']);
    assert.match(table, new RegExp(`${csr.metadata.name}\\s+\\S+\\s+kubernetes.io/kube-apiserver-client-kubelet\\s+system:bootstrap:${token.id}\\s+<none>\\s+Approved,Issued`));
  });

  it('restarted, the agent reuses its certificate and asks for nothing', async () => {
    await stopAgentProcess();
    const before = (await admin().list(CSRS)).items.length;
    agentLog = '';
    agent = startAgentProcess();
    await waitFor(`agent restarted\n${agentLog}`, () => agentLog.includes('agent ready'), 60_000, 200);
    assert.match(agentLog, /using the existing client certificate/);
    assert.equal((await admin().list(CSRS)).items.length, before);
  });

  it('expired and unknown bootstrap tokens are 401; the tokencleaner deletes the expired one', async () => {
    const expired = newBootstrapToken();
    await cluster.api.registry.create('secrets', 'kube-system', bootstrapTokenSecret(expired, 1000));
    await new Promise((r) => setTimeout(r, 1500));
    assert.equal(await restStatus(cluster, '/api/v1/nodes', expired.token), 401);
    assert.equal(await restStatus(cluster, '/api/v1/nodes', newBootstrapToken().token), 401);
    assert.equal(await restStatus(cluster, '/api/v1/nodes', `${token.id}.${'x'.repeat(16)}`), 401, 'right id, wrong secret');
    const c = grpcClient({ token: expired.token, exchange: false });
    await assert.rejects(c.create(CSRS, csrObject('expired-csr', 'system:node:x', ['system:nodes'])), (e: unknown) => e instanceof ApiError && e.code === 401);
    await waitFor('expired token deleted', async () => !(await admin().get('secrets', 'kube-system', `bootstrap-token-${expired.id}`).catch(() => undefined)), 15_000, 200);
  });

  it('CSRs for system:masters or for another node are not approved', async () => {
    const boot = grpcClient({ token: token.token });
    await boot.create(CSRS, csrObject('masters-kubelet', `system:node:${NODE}-x`, ['system:masters']));
    await assert.rejects(boot.create(CSRS, csrObject('masters-client', 'evil', ['system:masters'], 'kubernetes.io/kube-apiserver-client')), (e: unknown) => e instanceof ApiError && e.code === 403);
    await boot.create(CSRS, csrObject('steal-live-node', `system:node:${OTHER}`, ['system:nodes']));
    const node = grpcClient({ clientCertFile: join(certDir, 'k8ts-agent-client.crt'), clientKeyFile: join(certDir, 'k8ts-agent-client.key') });
    await node.create(CSRS, csrObject('node-for-other', `system:node:${OTHER}`, ['system:nodes']));
    const decided = async (name: string) =>
      waitFor(`${name} decided`, async () => {
        const x: any = await admin().get(CSRS, '', name);
        return x.status?.conditions?.length ? x : undefined;
      }, 15_000, 200);
    const expect = { 'masters-kubelet': 'InvalidKubeletClientCSR', 'steal-live-node': 'NodeAlreadyRegistered', 'node-for-other': 'NodeNameMismatch' };
    for (const [name, reason] of Object.entries(expect)) {
      const x = await decided(name);
      assert.equal(x.status.conditions[0].type, 'Denied', name);
      assert.equal(x.status.conditions[0].reason, reason, name);
      assert.equal(x.status.certificate, undefined, name);
    }
    const fromNode: any = await admin().get(CSRS, '', 'node-for-other');
    assert.equal(fromNode.spec.username, `system:node:${NODE}`, 'the requester is the node, from its certificate');
  });

  it('kubectl certificate approve and deny; the signer issues kube-apiserver-client certificates once approved', async () => {
    await admin().create(CSRS, csrObject('dev-alice', 'alice', ['developers'], 'kubernetes.io/kube-apiserver-client'));
    await admin().create(CSRS, csrObject('dev-bob', 'bob', ['developers'], 'kubernetes.io/kube-apiserver-client'));
    await kubectlOk(cluster, ['certificate', 'approve', 'dev-alice']);
    await kubectlOk(cluster, ['certificate', 'deny', 'dev-bob']);
    const alice: any = await waitFor('alice issued', async () => {
      const x: any = await admin().get(CSRS, '', 'dev-alice');
      return x.status?.certificate ? x : undefined;
    }, 15_000, 200);
    assert.equal(alice.status.conditions[0].reason, 'KubectlApprove');
    const bob: any = await admin().get(CSRS, '', 'dev-bob');
    assert.equal(bob.status.conditions[0].type, 'Denied');
    assert.equal(bob.status.certificate, undefined);
  });

  it('a client certificate for the node from another CA is 401', async () => {
    const other = issueClientCert(createCa({ commonName: 'k8ts-ca' }), { user: `system:node:${NODE}`, groups: ['system:nodes'] });
    writeFileSync(join(dir, 'forged.crt'), other.certPem);
    writeFileSync(join(dir, 'forged.key'), other.keyPem, { mode: 0o600 });
    const c = grpcClient({ clientCertFile: join(dir, 'forged.crt'), clientKeyFile: join(dir, 'forged.key'), exchange: false });
    await assert.rejects(c.get('nodes', '', NODE), (e: unknown) => e instanceof ApiError && e.code === 401);
    assert.ok(existsSync(join(certDir, 'k8ts-agent-client.crt')));
  });
});
