// Services end to end on the real host: etcd, the apiserver (with the Service allocators),
// proxy and dns as processes, driven by kubectl. Backends are plain containers on a test
// network, published through Endpoints written with kubectl (Services without selector, as
// Kubernetes allows); a controller-manager running only endpointslicemirroring turns them
// into the EndpointSlices cluster DNS reads, so nothing else of the cluster is needed.
// Authorization is on (Node,RBAC): kubectl is the admin, proxy, dns and the controller-manager
// run as system:kube-proxy, system:k8ts-dns and system:kube-controller-manager with nothing
// but their bootstrap roles (test/support/cluster-auth.ts).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cleanupProxy } from '@k8ts/proxy';
import { selfSignedCertificate } from '@k8ts/apiserver';
import { NetFixture, httpGet, sh, waitFor } from './helpers/netfixture.js';
import { freePort } from '../support/ports.js';
import { startEtcd, type TestEtcd } from '../support/etcd.js';
import { writeClusterAuth } from '../support/cluster-auth.js';
import { terminate } from '../support/processes.js';

const root = join(import.meta.dirname, '..', '..');
const dir = mkdtempSync(join(tmpdir(), 'k8ts-svc-e2e-'));
const prefix = `KE${Math.random().toString(36).slice(2, 6).toUpperCase().replace(/[^A-Z0-9]/g, 'X')}`;
const serviceRange = '10.241.0.0/24';
const lbPool = '10.242.0.0/24';
const gateway = '10.240.0.1';
const auth = writeClusterAuth(dir);
const procs: ChildProcess[] = [];
let apiserver: ChildProcess | undefined;
let fx: NetFixture | undefined;
let kubeconfig = '';
let ip1 = '';
let ip2 = '';
let proxy: ChildProcess | undefined;
let etcd: TestEtcd | undefined;


function start(name: string, cmd: string, args: string[]): ChildProcess {
  const p = spawn(cmd, args, { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
  let log = '';
  p.stdout!.on('data', (d) => (log = (log + d).slice(-4000)));
  p.stderr!.on('data', (d) => (log = (log + d).slice(-4000)));
  p.on('exit', (code) => code && code !== 0 && code !== 143 && console.error(`${name} exited ${code}:\n${log}`));
  procs.push(p);
  return p;
}
const tsx = (file: string, args: string[]): [string, string[]] => [process.execPath, ['--import', 'tsx', file, ...args]];
const kubectl = (args: string[], input?: string) => sh('kubectl', ['--kubeconfig', kubeconfig, ...args], { input });
const jsonpath = async (what: string[], path: string) => (await kubectl(['get', ...what, '-o', `jsonpath=${path}`])).trim();

before(async () => {
  const [restPort, grpcPort] = [await freePort(), await freePort()];
  etcd = await startEtcd();
  // REST over TLS: kubectl sends its bearer token only over TLS.
  const tls = selfSignedCertificate();
  writeFileSync(join(dir, 'tls.crt'), tls.cert);
  writeFileSync(join(dir, 'tls.key'), tls.key, { mode: 0o600 });
  apiserver = start('apiserver', ...tsx('packages/apiserver/src/main.ts', [
    '--etcd-servers', etcd.url, '--port', String(restPort), '--grpc-port', String(grpcPort),
    '--service-cluster-ip-range', serviceRange, '--load-balancer-pool', lbPool,
    '--tls-cert-file', join(dir, 'tls.crt'), '--tls-private-key-file', join(dir, 'tls.key'),
    ...auth.apiserverFlags,
  ]));
  kubeconfig = join(dir, 'kubeconfig');
  writeFileSync(
    kubeconfig,
    `apiVersion: v1\nkind: Config\nclusters: [{name: t, cluster: {server: "https://127.0.0.1:${restPort}", certificate-authority-data: ${Buffer.from(tls.cert).toString('base64')}}}]\nusers: [{name: t, user: {token: ${auth.adminToken}}}]\ncontexts: [{name: t, context: {cluster: t, user: t}}]\ncurrent-context: t\n`,
  );
  await waitFor('apiserver', () => kubectl(['get', 'ns', 'default', '-o', 'name']).then((o) => o.includes('default')), 60_000);

  fx = await NetFixture.create('10.240.0.0/16');
  [ip1, ip2] = await Promise.all([fx.httpServer('web-1'), fx.httpServer('web-2')]);
  await fx.shell('client', ['--dns', gateway, '--dns-search', 'default.svc.cluster.local', '--dns-search', 'svc.cluster.local', '--dns-search', 'cluster.local', '--dns-option', 'ndots:5']);

  const client = (pkg: string) => ['--server', `127.0.0.1:${grpcPort}`, '--token-file', auth.tokenFile(pkg), '--ops-port', '-1'];
  proxy = start('proxy', ...tsx('packages/proxy/src/main.ts', [...client('proxy'), '--chain-prefix', prefix, '--network', fx.network, '--service-cluster-ip-range', serviceRange, '--load-balancer-pool', lbPool, '--node-name', 'node-a', '--cleanup-on-exit']));
  start('dns', ...tsx('packages/dns/src/main.ts', [...client('dns'), '--listen', `${gateway}:53`, '--upstream', '127.0.0.1:9']));
  start('controller-manager', ...tsx('packages/controller-manager/src/main.ts', [...client('controller-manager'), '--controllers', 'endpointslicemirroring', '--leader-elect', 'false']));

  const manifests = `
apiVersion: v1
kind: Service
metadata: {name: nginx-svc}
spec: {ports: [{name: http, port: 80, targetPort: 8080}]}
---
apiVersion: v1
kind: Service
metadata: {name: nginx-np}
spec: {type: NodePort, ports: [{name: http, port: 80, targetPort: 8080}]}
---
apiVersion: v1
kind: Service
metadata: {name: nginx-lb}
spec: {type: LoadBalancer, ports: [{name: http, port: 80, targetPort: 8080}]}
---
apiVersion: v1
kind: Service
metadata: {name: nginx-headless}
spec: {clusterIP: None, ports: [{name: http, port: 8080}]}
---
apiVersion: v1
kind: Service
metadata: {name: db}
spec: {type: ExternalName, externalName: nginx-svc.default.svc.cluster.local}
---
apiVersion: v1
kind: Service
metadata: {name: empty}
spec: {ports: [{name: http, port: 80}]}
`;
  const eps = (name: string) => `
apiVersion: v1
kind: Endpoints
metadata: {name: ${name}}
subsets: [{addresses: [{ip: "${ip1}", nodeName: node-a}, {ip: "${ip2}", nodeName: node-a}], ports: [{name: http, port: 8080, protocol: TCP}]}]
---`;
  await kubectl(['apply', '-f', '-'], manifests);
  await kubectl(['apply', '-f', '-'], ['nginx-svc', 'nginx-np', 'nginx-lb', 'nginx-headless'].map(eps).join('\n'));
});

after(async () => {
  for (const p of procs.filter((p) => p !== proxy && p !== apiserver)) p.kill('SIGKILL');
  if (proxy && proxy.exitCode === null) proxy.kill('SIGKILL');
  // SIGTERM: the apiserver writes the rest of its audit log before it exits.
  await terminate(apiserver);
  await cleanupProxy({ chainPrefix: prefix, serviceClusterIpRange: serviceRange, loadBalancerPool: lbPool }).catch(() => {});
  await fx?.remove();
  await etcd?.stop();
  const refused = auth.componentRefusals();
  rmSync(dir, { recursive: true, force: true });
  assert.deepEqual(refused, [], 'proxy, dns and the controller-manager, each as itself, were refused nothing');
});

test('allocated addresses: ClusterIP in the range, node port, LoadBalancer ingress in the pool', async () => {
  assert.match(await jsonpath(['svc', 'nginx-svc'], '{.spec.clusterIP}'), /^10\.241\.0\.\d+$/);
  const np = Number(await jsonpath(['svc', 'nginx-np'], '{.spec.ports[0].nodePort}'));
  assert.ok(np >= 30000 && np <= 32767, String(np));
  assert.match(await jsonpath(['svc', 'nginx-lb'], '{.status.loadBalancer.ingress[0].ip}'), /^10\.242\.0\.\d+$/);
  assert.equal(await jsonpath(['svc', 'nginx-headless'], '{.spec.clusterIP}'), 'None');
  const dup = await kubectl(['apply', '-f', '-'], `apiVersion: v1\nkind: Service\nmetadata: {name: dup}\nspec: {clusterIP: ${await jsonpath(['svc', 'nginx-svc'], '{.spec.clusterIP}')}, ports: [{name: http, port: 80}]}\n`).then(
    () => 'created',
    (e: Error) => e.message,
  );
  assert.match(dup, /spec\.clusterIPs: Invalid value: \[\]string\{"10\.241\.0\.\d+"\}: failed to allocate IP 10\.241\.0\.\d+: provided IP is already allocated/);
});

// No packet may go to a service address before the proxy routes the range and has the
// rule: until then the host would send it to its default gateway.
async function ruleFor(ip: string): Promise<void> {
  await waitFor(`proxy rule for ${ip}`, async () => {
    const routed = (await sh('ip', ['route', 'show', serviceRange])).includes('dev') && (await sh('ip', ['route', 'show', lbPool])).includes('dev');
    return routed && (await sh('iptables-save', ['-t', 'nat'])).includes(`-A ${prefix}-SERVICES -d ${ip}/32`);
  }, 20_000);
}

test('from the host: ClusterIP spreads over both pods, NodePort on 127.0.0.1, LoadBalancer address', async () => {
  const vip = await jsonpath(['svc', 'nginx-svc'], '{.spec.clusterIP}');
  await ruleFor(vip);
  await ruleFor(await jsonpath(['svc', 'nginx-lb'], '{.status.loadBalancer.ingress[0].ip}'));
  const seen = new Set<string>();
  await waitFor('both pods through the VIP', async () => {
    seen.add(await httpGet(vip, 80));
    return seen.size === 2;
  }, 15_000);
  assert.deepEqual([...seen].sort(), ['web-1', 'web-2']);
  const np = Number(await jsonpath(['svc', 'nginx-np'], '{.spec.ports[0].nodePort}'));
  assert.match(await waitFor('node port', () => httpGet('127.0.0.1', np), 5000), /^web-[12]$/);
  const lb = await jsonpath(['svc', 'nginx-lb'], '{.status.loadBalancer.ingress[0].ip}');
  assert.match(await waitFor('load balancer', () => httpGet(lb, 80), 5000), /^web-[12]$/);
});

test('from a pod: short and long names, answers from both pods; headless and ExternalName in DNS', async () => {
  await waitFor('dns serving', () => fx!.exec('client', 'nslookup -type=a nginx-svc.default.svc.cluster.local').then((o) => /Address: 10\.241/.test(o)), 15_000);
  const out = await fx!.exec('client', 'for i in $(seq 20); do timeout 3 wget -qO- http://nginx-svc/; done');
  assert.deepEqual([...new Set(out.trim().split('\n'))].sort(), ['web-1', 'web-2']);
  assert.match(await fx!.exec('client', 'timeout 3 wget -qO- http://nginx-svc.default.svc.cluster.local/'), /web-[12]/);
  // Answered from the slices the controller-manager mirrors from the hand-written Endpoints.
  const bothIps = (o: string) => o.includes(`Address: ${ip1}`) && o.includes(`Address: ${ip2}`) && o;
  await waitFor('headless answers from the mirrored slices', () => fx!.exec('client', 'nslookup -type=a nginx-headless.default.svc.cluster.local').then(bothIps), 15_000);
  assert.match(await fx!.exec('client', 'nslookup -type=a db.default.svc.cluster.local'), /canonical name = nginx-svc\.default\.svc\.cluster\.local/);
});

test('no endpoints: refused at once; endpoints removed: refused within a second', async () => {
  const empty = await jsonpath(['svc', 'empty'], '{.spec.clusterIP}');
  await waitFor('reject rule for the empty Service', async () => (await sh('iptables-save', ['-t', 'filter'])).includes(`-d ${empty}/32`), 10_000);
  await waitFor('empty refused', () => httpGet(empty, 80).then(() => false, (e) => e.code === 'ECONNREFUSED'), 5000);
  await kubectl(['delete', 'endpoints', 'nginx-svc']);
  const vip = await jsonpath(['svc', 'nginx-svc'], '{.spec.clusterIP}');
  const t0 = Date.now();
  await waitFor('refused after endpoints went', () => httpGet(vip, 80, 500).then(() => false, (e) => e.code === 'ECONNREFUSED'), 3000);
  assert.ok(Date.now() - t0 < 1500, `${Date.now() - t0} ms`);
});

test('deleting a Service frees its address; SIGTERM with --cleanup-on-exit leaves no rule or route', async () => {
  const ip = await jsonpath(['svc', 'nginx-lb'], '{.spec.clusterIP}');
  await kubectl(['delete', 'svc', 'nginx-lb']);
  await kubectl(['apply', '-f', '-'], `apiVersion: v1\nkind: Service\nmetadata: {name: reuse}\nspec: {clusterIP: ${ip}, ports: [{name: http, port: 80}]}\n`);
  assert.equal(await jsonpath(['svc', 'reuse'], '{.spec.clusterIP}'), ip);
  proxy!.kill('SIGTERM');
  await new Promise((r) => (proxy!.exitCode !== null ? r(null) : proxy!.once('exit', r)));
  assert.equal(proxy!.exitCode, 0);
  assert.deepEqual((await sh('iptables-save', [])).split('\n').filter((l) => l.includes(`${prefix}-`)), []);
  assert.equal((await sh('ip', ['route', 'show', serviceRange])).trim(), '');
});
