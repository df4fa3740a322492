// Service accounts end to end on the real host: etcd, the apiserver (TLS, a service account
// key, advertising the cluster gateway), the controller-manager (default ServiceAccounts,
// kube-root-ca.crt), one agent on a network of its own and the proxy (the kubernetes
// Service's ClusterIP → the apiserver). A pod running @kubernetes/client-node with
// loadFromCluster() lists pods through the `kubernetes` Service with its projected token;
// kubectl create token mints tokens the apiserver accepts until they expire or their pod goes.
// Authorization is on (Node,RBAC): kubectl is the admin; the controller-manager, the agent
// (system:node:<name>) and the proxy run with their own tokens and are refused nothing.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, execFile, type ChildProcess } from 'node:child_process';
import { generateKeyPairSync, sign } from 'node:crypto';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { cleanupProxy } from '@k8ts/proxy';
import { selfSignedCertificate, signingKeyFromPem, firstServiceIP, DEFAULT_ISSUER } from '@k8ts/apiserver';
import { startEtcd, type TestEtcd } from '../support/etcd.js';
import { freePort } from '../support/ports.js';
import { writeClusterAuth } from '../support/cluster-auth.js';
import { terminate } from '../support/processes.js';
import { AgentHarness, docker, testNetwork, waitFor } from './agent-harness.js';

const run = promisify(execFile);
const KUBECTL_132 = existsSync('/usr/lib/google-cloud-sdk/bin/kubectl.1.32') ? '/usr/lib/google-cloud-sdk/bin/kubectl.1.32' : 'kubectl';
const root = join(import.meta.dirname, '..', '..');
const dir = mkdtempSync(join(tmpdir(), 'k8ts-sa-e2e-'));
const net = testNetwork();
const n = Number(net.subnet.split('.')[1]);
const serviceRange = `10.${n - 20}.0.0/24`;
const lbPool = `10.${n - 20}.1.0/24`;
const kubernetesIP = firstServiceIP(serviceRange);
const prefix = `KS${Math.random().toString(36).slice(2, 6).toUpperCase().replace(/[^A-Z0-9]/g, 'X')}`;
const node = `sa-node-${Math.random().toString(36).slice(2, 6)}`;
const auth = writeClusterAuth(dir, { nodes: [node] });
const keyPem = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ type: 'pkcs8', format: 'pem' }) as string;
const otherKeyPem = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ type: 'pkcs8', format: 'pem' }) as string;
const procs: ChildProcess[] = [];
let proxy: ChildProcess | undefined;
let apiserver: ChildProcess | undefined;
let etcd: TestEtcd | undefined;
let restPort = 0;
let kubeconfig = '';
let ca = '';

function start(name: string, file: string, args: string[]): ChildProcess {
  const p = spawn(process.execPath, ['--import', 'tsx', file, ...args], { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
  let log = '';
  p.stdout!.on('data', (d) => (log = (log + d).slice(-4000)));
  p.stderr!.on('data', (d) => (log = (log + d).slice(-4000)));
  p.on('exit', (code) => code && code !== 143 && code !== 137 && console.error(`${name} exited ${code}:\n${log}`));
  procs.push(p);
  return p;
}

async function kubectl(args: string[], input?: string): Promise<string> {
  const p = run('kubectl', ['--kubeconfig', kubeconfig, ...args], { timeout: 60_000 });
  if (input !== undefined) p.child.stdin!.end(input);
  return (await p).stdout;
}
const kubectlErr = (args: string[]) => kubectl(args).then((o) => `unexpected success: ${o}`, (e: { stderr?: string }) => e.stderr ?? String(e));

/** GET pods with a bearer token over the apiserver's TLS: the status code. */
async function statusWith(token: string): Promise<number> {
  const { request } = await import('node:https');
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port: restPort, path: '/api/v1/namespaces/default/pods', ca, headers: { authorization: `Bearer ${token}` } }, (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    req.on('error', reject);
    req.end();
  });
}

function jwt(keyText: string, claims: Record<string, unknown>): string {
  const key = signingKeyFromPem(keyText);
  const enc = (o: unknown) => Buffer.from(JSON.stringify(o)).toString('base64url');
  const body = `${enc({ alg: 'RS256', kid: key.kid })}.${enc(claims)}`;
  return `${body}.${sign('sha256', Buffer.from(body), key.privateKey).toString('base64url')}`;
}
const claimsOf = (token: string) => JSON.parse(Buffer.from(token.split('.')[1], 'base64url').toString());

before(async () => {
  await AgentHarness.images();
  const cert = selfSignedCertificate({ ips: ['127.0.0.1', kubernetesIP, net.gateway] });
  ca = cert.cert;
  writeFileSync(join(dir, 'apiserver.crt'), cert.cert);
  writeFileSync(join(dir, 'apiserver.key'), cert.key, { mode: 0o600 });
  writeFileSync(join(dir, 'sa.key'), keyPem, { mode: 0o600 });
  [restPort] = [await freePort()];
  const grpcPort = await freePort();
  etcd = await startEtcd();
  apiserver = start('apiserver', 'packages/apiserver/src/main.ts', [
    '--etcd-servers', etcd.url, '--port', String(restPort), '--grpc-port', String(grpcPort),
    ...auth.apiserverFlags, '--tls-cert-file', join(dir, 'apiserver.crt'), '--tls-private-key-file', join(dir, 'apiserver.key'),
    '--service-cluster-ip-range', serviceRange, '--load-balancer-pool', lbPool,
    '--service-account-signing-key-file', join(dir, 'sa.key'), '--advertise-address', net.gateway,
  ]);
  kubeconfig = join(dir, 'kubeconfig');
  writeFileSync(
    kubeconfig,
    `apiVersion: v1\nkind: Config\nclusters: [{name: t, cluster: {server: "https://127.0.0.1:${restPort}", certificate-authority-data: ${Buffer.from(ca).toString('base64')}}}]\nusers: [{name: t, user: {token: ${auth.adminToken}}}]\ncontexts: [{name: t, context: {cluster: t, user: t}}]\ncurrent-context: t\n`,
  );
  await waitFor('apiserver', () => kubectl(['get', 'ns', 'default', '-o', 'name']).then((o) => o.includes('default')), 60_000, 300);
  const client = (pkg: string, nodeName?: string) => ['--server', `127.0.0.1:${grpcPort}`, '--token-file', auth.tokenFile(pkg, nodeName), '--ops-port', '-1'];
  start('controller-manager', 'packages/controller-manager/src/main.ts', [...client('controller-manager'), '--leader-elect', 'false', '--root-ca-file', join(dir, 'apiserver.crt')]);
  start('agent', 'packages/agent/src/main.ts', [
    ...client('agent', node), '--node-name', node, '--network', net.name, '--subnet', net.subnet, '--ip-range', net.ipRange, '--gateway', net.gateway,
    '--state-dir', join(dir, 'agent'), '--relist-period', '2s', '--backoff-base', '1s', '--backoff-max', '4s',
  ]);
  await waitFor('node Ready', () => kubectl(['get', 'node', node, '-o', 'jsonpath={.status.conditions[?(@.type=="Ready")].status}']).then((s) => s === 'True'), 90_000, 500);
  proxy = start('proxy', 'packages/proxy/src/main.ts', [...client('proxy'), '--chain-prefix', prefix, '--network', net.name, '--service-cluster-ip-range', serviceRange, '--load-balancer-pool', lbPool, '--node-name', node, '--cleanup-on-exit']);
  await waitFor('default ServiceAccount and kube-root-ca.crt', () => kubectl(['get', 'sa/default', 'cm/kube-root-ca.crt', '-o', 'name']).then((o) => o.split('\n').filter(Boolean).length === 2), 60_000, 300);
});

after(async () => {
  for (const p of procs.filter((p) => p !== proxy && p !== apiserver)) p.kill('SIGKILL');
  if (proxy && proxy.exitCode === null) {
    proxy.kill('SIGTERM');
    await new Promise((r) => setTimeout(r, 1500));
    proxy.kill('SIGKILL');
  }
  await cleanupProxy({ chainPrefix: prefix, serviceClusterIpRange: serviceRange, loadBalancerPool: lbPool }).catch(() => {});
  const found = await docker.listContainers({ all: true, filters: { label: [`io.k8ts.node=${node}`] } });
  await Promise.all(found.map((c) => docker.getContainer(c.Id).remove({ force: true, v: true }).catch(() => undefined)));
  const nets = await docker.listNetworks({ filters: { name: [net.name] } });
  for (const x of nets.filter((x) => x.Name === net.name)) await docker.getNetwork(x.Id).remove().catch(() => undefined);
  // SIGTERM: the apiserver writes the rest of its audit log before it exits.
  await terminate(apiserver);
  await etcd?.stop();
  const refused = auth.componentRefusals();
  rmSync(dir, { recursive: true, force: true });
  assert.deepEqual(refused, [], 'the controller-manager, the agent and the proxy, each as itself, were refused nothing');
});

test('the kubernetes Service: ClusterIP the first service address, endpoint the apiserver at the gateway', async () => {
  assert.equal(await kubectl(['get', 'svc', 'kubernetes', '-o', 'jsonpath={.spec.clusterIP} {.spec.ports[0].port} {.spec.ports[0].targetPort}']), `${kubernetesIP} 443 ${restPort}`);
  assert.equal(await kubectl(['get', 'endpointslice', 'kubernetes', '-o', 'jsonpath={.endpoints[0].addresses[0]} {.ports[0].port}']), `${net.gateway} ${restPort}`);
});

test('the default ServiceAccount and kube-root-ca.crt are made again when deleted', async () => {
  const uid = await kubectl(['get', 'sa', 'default', '-o', 'jsonpath={.metadata.uid}']);
  await kubectl(['delete', 'sa', 'default']);
  await kubectl(['delete', 'cm', 'kube-root-ca.crt']);
  await waitFor('a new default ServiceAccount', () => kubectl(['get', 'sa', 'default', '-o', 'jsonpath={.metadata.uid}']).then((u) => u && u !== uid), 30_000, 200);
  await waitFor('kube-root-ca.crt again', () => kubectl(['get', 'cm', 'kube-root-ca.crt', '-o', 'jsonpath={.data.ca\\.crt}']).then((pem) => pem.trim() === ca.trim()), 30_000, 200);
});

test('kubectl create token: the duration is respected, the token authenticates; expired or foreign tokens are 401', async () => {
  // kubectl 1.32 itself, whatever version the dispatcher would pick.
  const token = (await run(KUBECTL_132, ['--kubeconfig', kubeconfig, 'create', 'token', 'default', '--duration=10m'])).stdout.trim();
  const c = claimsOf(token);
  assert.equal(c.exp - c.iat, 600);
  assert.equal(c.sub, 'system:serviceaccount:default:default');
  assert.deepEqual(c.aud, [DEFAULT_ISSUER]);
  assert.equal(await statusWith(token), 403, 'authenticated, and allowed nothing by the bootstrap policy');
  assert.match(await kubectlErr(['create', 'token', 'default', '--duration=5m']), /may not specify a duration less than 10 minutes/);
  const expired = jwt(keyPem, { ...c, exp: c.iat - 120, nbf: c.iat - 800, iat: c.iat - 800 });
  assert.equal(await statusWith(expired), 401);
  assert.equal(await statusWith(jwt(otherKeyPem, c)), 401);
  assert.equal(await statusWith(jwt(keyPem, c)), 403); // the same claims under our key: authenticated
});

test('a token bound to a pod is refused once the pod is deleted', async () => {
  await kubectl(['apply', '-f', '-'], `apiVersion: v1\nkind: Pod\nmetadata: {name: holder}\nspec: {nodeName: ${node}, terminationGracePeriodSeconds: 0, containers: [{name: c, image: k8ts/busybox:1.36, command: [sleep, "3600"]}]}\n`);
  const token = (await kubectl(['create', 'token', 'default', '--bound-object-kind', 'Pod', '--bound-object-name', 'holder'])).trim();
  const c = claimsOf(token);
  assert.equal(c['kubernetes.io'].pod.name, 'holder');
  assert.equal(c['kubernetes.io'].node?.name, node);
  assert.equal(await statusWith(token), 403);
  // Deleted once the agent runs it (a pod deleted while its agent still sets it up is the
  // Node authorizer's to refuse: its Secrets and ConfigMaps left the graph with it).
  await waitFor('holder Running', () => kubectl(['get', 'pod', 'holder', '-o', 'jsonpath={.status.phase}']).then((p) => p === 'Running'), 60_000, 300);
  await kubectl(['delete', 'pod', 'holder', '--grace-period=0', '--force']);
  await waitFor('the bound token refused', async () => (await statusWith(token)) === 401, 15_000, 200);
});

async function runInCluster(name: string, serviceAccount: string): Promise<Record<string, any>> {
  const pod = `apiVersion: v1
kind: Pod
metadata: {name: ${name}}
spec:
  nodeName: ${node}
  serviceAccountName: ${serviceAccount}
  restartPolicy: Never
  terminationGracePeriodSeconds: 0
  volumes: [{name: repo, hostPath: {path: ${root}}}]
  containers:
  - name: client
    image: k8ts/node:20
    command: [node, ${root}/test/integration/in-cluster/list-pods.mjs]
    volumeMounts: [{name: repo, mountPath: ${root}, readOnly: true}]
`;
  await kubectl(['apply', '-f', '-'], pod);
  const phase = await waitFor(`${name} done`, () => kubectl(['get', 'pod', name, '-o', 'jsonpath={.status.phase}']).then((p) => (p === 'Succeeded' || p === 'Failed' ? p : undefined)), 120_000, 500);
  const uid = (await kubectl(['get', 'pod', name, '-o', 'jsonpath={.metadata.uid}'])).trim();
  const [c] = await docker.listContainers({ all: true, filters: { label: [`io.kubernetes.pod.uid=${uid}`, 'io.kubernetes.container.name=client'] } });
  const logs = (await docker.getContainer(c.Id).logs({ stdout: true, stderr: true })).toString('utf8');
  const line = logs.split('\n').find((l) => l.includes('{"env"'));
  assert.ok(line, `pod ${name} (${phase}) printed no result:\n${logs.slice(-2000)}`);
  return JSON.parse(line.slice(line.indexOf('{')));
}

test('a pod using @kubernetes/client-node loadFromCluster() lists pods with its service account token', async () => {
  await kubectl(['create', 'serviceaccount', 'reader']);
  await kubectl(['create', 'role', 'pod-reader', '--verb=list,get', '--resource=pods']);
  await kubectl(['create', 'rolebinding', 'reader-pods', '--role=pod-reader', '--serviceaccount=default:reader']);
  const spec = JSON.parse(await kubectl(['get', 'sa', 'reader', '-o', 'json']));
  assert.equal(spec.metadata.name, 'reader');
  const out = await runInCluster('lister', 'reader');
  assert.deepEqual(out.env, { host: kubernetesIP, port: '443', url: `tcp://${kubernetesIP}:443` });
  assert.deepEqual(out.files, ['ca.crt', 'namespace', 'token']);
  assert.equal(out.namespace, 'default');
  assert.equal(out.ok, true, JSON.stringify(out));
  assert.ok(out.pods.includes('lister'), JSON.stringify(out.pods));
  const mounted = JSON.parse(await kubectl(['get', 'pod', 'lister', '-o', 'json']));
  assert.match(mounted.spec.volumes.find((v: { name: string }) => v.name.startsWith('kube-api-access-')).name, /^kube-api-access-\w{5}$/);
});

test('without a RoleBinding the same pod gets 403', async () => {
  const out = await runInCluster('denied', 'default');
  assert.equal(out.ok, false, JSON.stringify(out));
  assert.equal(out.code, 403);
  // The error is the Status body the client got.
  assert.match(JSON.parse(out.error).message, /^pods is forbidden: User "system:serviceaccount:default:default" cannot list resource "pods" in API group "" in the namespace "default"$/);
});
