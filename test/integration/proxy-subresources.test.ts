// pods/NAME[:port]/proxy, services/NAME[:port]/proxy and nodes/NAME/proxy through the real
// apiserver, a real agent and Docker, driven by the real kubectl: `kubectl get --raw` and
// `kubectl proxy` (loopback, a free port). RBAC as upstream: a view-only user is refused
// the proxy subresources; an ExternalName Service, an endpoint that is no pod of the
// cluster and malformed names are 4xx before any byte moves.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import http from 'node:http';
import { clientFromOptions, nodeIdentity, type GrpcClient } from '@k8ts/client';
import { startKubectlCluster, freePort, runKubectl, kubectlOk, kubectlBin, kubectlHome, type KubectlCluster } from './kubectl-cluster.js';
import { AgentHarness, waitFor } from './agent-harness.js';

const NODE = `proxy-${Math.random().toString(36).slice(2, 7)}`;
const VIEW_TOKEN = `view-${Math.random().toString(36).slice(2)}`;
const KUBELET_ADMIN_TOKEN = `kubelet-admin-${Math.random().toString(36).slice(2)}`;
let cluster: KubectlCluster;
let client: GrpcClient;
let h: AgentHarness;
let podIP = '';
let proxy: ChildProcess | undefined;
let proxyPort = 0;

const k = (...args: string[]) => kubectlOk(cluster, args);
const raw = (path: string, token?: string) => runKubectl(cluster, ['get', '--raw', path, ...(token ? ['--token', token] : [])]);

function get(url: string): Promise<{ status: number; location?: string; body: string }> {
  return new Promise((resolve, reject) => {
    http
      .get(url, (res) => {
        let body = '';
        res.on('data', (b) => (body += b));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, location: res.headers.location, body }));
      })
      .on('error', reject);
  });
}

before(async () => {
  process.env.K8TS_LOG_LEVEL ??= 'warn';
  await AgentHarness.images();
  cluster = await startKubectlCluster({ nodes: [NODE], extraTokens: `${VIEW_TOKEN},viewer,viewer-uid,\n${KUBELET_ADMIN_TOKEN},kubelet-admin,kubelet-admin-uid,` });
  client = clientFromOptions({ server: cluster.grpcAddress, token: cluster.tokenFor(nodeIdentity(NODE)) });
  h = new AgentHarness(client);
  // An ops server of its own (loopback, any port): what nodes/NAME/proxy reaches through the tunnel.
  const agent = await h.start(NODE, { streams: true, opsPort: 0 });
  await waitFor('agent stream open', () => agent.streams?.connected, 10_000);
  await runKubectl(cluster, ['apply', '-f', '-'], {
    input: `apiVersion: v1
kind: Pod
metadata: {name: web, labels: {app: web}}
spec:
  nodeName: ${NODE}
  terminationGracePeriodSeconds: 0
  containers:
  - {name: hello, image: 'k8ts/hello:1.0', ports: [{name: http, containerPort: 8080}]}
---
apiVersion: v1
kind: Service
metadata: {name: web}
spec:
  selector: {app: web}
  ports: [{name: http, port: 80, targetPort: 8080}]
---
apiVersion: v1
kind: Service
metadata: {name: ext}
spec: {type: ExternalName, externalName: example.com}
---
apiVersion: v1
kind: Service
metadata: {name: outside}
spec:
  ports: [{port: 80}]
---
apiVersion: v1
kind: Endpoints
metadata: {name: outside}
subsets: [{addresses: [{ip: 127.0.0.1}], ports: [{port: 80}]}]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {name: viewer}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: system:aggregate-to-view}
subjects: [{apiGroup: rbac.authorization.k8s.io, kind: User, name: viewer}]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata: {name: kubelet-admin}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: system:kubelet-api-admin}
subjects: [{apiGroup: rbac.authorization.k8s.io, kind: User, name: kubelet-admin}]
`,
  }).then((r) => assert.equal(r.code, 0, r.stderr));
  await waitFor('web Running', async () => (await k('get', 'pod', 'web', '-o', 'jsonpath={.status.phase}')) === 'Running', 120_000, 300);
  podIP = await k('get', 'pod', 'web', '-o', 'jsonpath={.status.podIP}');
  // No controller-manager here: the Endpoints are what the endpoints controller would write
  // (and the viewer is bound to system:aggregate-to-view, the rules the clusterrole
  // aggregation controller would copy into view).
  await runKubectl(cluster, ['apply', '-f', '-'], {
    input: `apiVersion: v1
kind: Endpoints
metadata: {name: web}
subsets:
- addresses: [{ip: ${podIP}, nodeName: ${NODE}, targetRef: {kind: Pod, namespace: default, name: web}}]
  ports: [{name: http, port: 8080}]
`,
  }).then((r) => assert.equal(r.code, 0, r.stderr));
});

after(async () => {
  proxy?.kill();
  await h?.cleanup();
  client?.close();
  await cluster?.stop();
  assert.deepEqual(cluster?.componentRefusals() ?? [], [], `the agent, as system:node:${NODE}, was refused nothing`);
});

test('kubectl get --raw through pods/, services/ and nodes/…/proxy', async () => {
  const hello = `hello from web (${podIP})\n`;
  for (const path of ['/api/v1/namespaces/default/pods/web/proxy/', '/api/v1/namespaces/default/pods/web:8080/proxy/index.html?x=1', '/api/v1/namespaces/default/pods/http:web:http/proxy/']) {
    assert.equal(await k('get', '--raw', path), hello, path);
  }
  for (const id of ['web:80', 'web:http', 'http:web:80']) {
    assert.equal(await k('get', '--raw', `/api/v1/namespaces/default/services/${id}/proxy/`), hello, id);
  }
  assert.equal(await k('get', '--raw', `/api/v1/nodes/${NODE}/proxy/healthz`), 'ok');
  assert.match(await k('get', '--raw', `/api/v1/nodes/${NODE}/proxy/metrics`), /^# (HELP|TYPE) /m);
  assert.match(await k('get', '--raw', `/api/v1/nodes/${NODE}/proxy/metrics/resource`), /container_cpu_usage_seconds_total|node_cpu_usage_seconds_total/);
});

test('kubectl proxy on loopback reaches the same three', async () => {
  proxyPort = await freePort();
  proxy = spawn(kubectlBin(), ['--kubeconfig', cluster.kubeconfig, 'proxy', '--address=127.0.0.1', `--port=${proxyPort}`], { env: { PATH: process.env.PATH, HOME: kubectlHome(cluster) } });
  let out = '';
  proxy.stdout!.on('data', (b: Buffer) => (out += b.toString()));
  await waitFor('kubectl proxy serving', () => out.includes('Starting to serve'), 15_000);
  const base = `http://127.0.0.1:${proxyPort}`;
  const svc = await get(`${base}/api/v1/namespaces/default/services/web:http/proxy/`);
  assert.equal(svc.status, 200);
  assert.equal(svc.body, `hello from web (${podIP})\n`);
  const pod = await get(`${base}/api/v1/namespaces/default/pods/web:8080/proxy/index.html?y=1`);
  assert.equal(pod.body, `hello from web (${podIP})\n`);
  const bare = await get(`${base}/api/v1/namespaces/default/pods/web/proxy`);
  assert.equal(bare.status, 301, 'no trailing slash: redirected as kube-apiserver does');
  assert.equal(bare.location, '/api/v1/namespaces/default/pods/web/proxy/');
  const node = await get(`${base}/api/v1/nodes/${NODE}/proxy/healthz`);
  assert.equal(node.status, 200);
  assert.equal(node.body, 'ok');
});

test('RBAC: view may read pods but not proxy to them (upstream grants proxy from edit)', async () => {
  const pods = await runKubectl(cluster, ['get', 'pods', '--token', VIEW_TOKEN]);
  assert.equal(pods.code, 0, pods.stderr);
  for (const [path, resource] of [
    ['/api/v1/namespaces/default/pods/web/proxy/', 'pods/proxy'],
    ['/api/v1/namespaces/default/services/web:http/proxy/', 'services/proxy'],
    [`/api/v1/nodes/${NODE}/proxy/healthz`, 'nodes/proxy'],
  ]) {
    const r = await raw(path, VIEW_TOKEN);
    assert.notEqual(r.code, 0, path);
    assert.match(r.stderr, /Forbidden|forbidden/, path);
    assert.match(r.stderr, new RegExp(`cannot get resource "${resource}"`), path);
  }
});

test('RBAC: system:kubelet-api-admin may proxy to nodes, and only to nodes', async () => {
  const node = await raw(`/api/v1/nodes/${NODE}/proxy/healthz`, KUBELET_ADMIN_TOKEN);
  assert.equal(node.code, 0, node.stderr);
  assert.equal(node.stdout, 'ok');
  const pod = await raw('/api/v1/namespaces/default/pods/web/proxy/', KUBELET_ADMIN_TOKEN);
  assert.match(pod.stderr, /cannot get resource "pods\/proxy"/);
});

test('ExternalName, endpoints outside the cluster and malformed names are 4xx', async () => {
  const cases: [string, RegExp][] = [
    ['/api/v1/namespaces/default/services/ext/proxy/', /BadRequest|ExternalName/],
    ['/api/v1/namespaces/default/services/outside/proxy/', /BadRequest|is a pod of this cluster/],
    ['/api/v1/namespaces/default/pods/a:b:c:d/proxy/', /invalid pod request/],
    ['/api/v1/namespaces/default/pods/web:99999/proxy/', /invalid port/],
    ['/api/v1/namespaces/default/services/ftp:web:80/proxy/', /invalid service request/],
    [`/api/v1/nodes/${NODE}:22/proxy/`, /only the agent's port/],
    ['/api/v1/namespaces/default/pods/nobody/proxy/', /NotFound|not found/],
  ];
  for (const [path, message] of cases) {
    const r = await raw(path);
    assert.notEqual(r.code, 0, path);
    assert.match(r.stderr, message, `${path}: ${r.stderr}`);
  }
});
