// Ingress end to end on the real host: etcd, the apiserver, the scheduler, the
// controller-manager, one agent on a Docker network of the test's own and the ingress
// controller, each under its own identity (Node,RBAC), driven by the real kubectl. Two
// Deployments of k8ts/hello:1.0 behind two Services, one Ingress routing two hosts and a
// path to them, and requests with Host headers to the controller on loopback.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import { GrpcClient, CONTROLLER_MANAGER_IDENTITY, INGRESS_IDENTITY, SCHEDULER_IDENTITY, nodeIdentity } from '@k8ts/client';
import { startScheduler, type RunningScheduler } from '@k8ts/scheduler';
import { startControllerManager, type RunningControllerManager } from '@k8ts/controller-manager';
import { startIngress, type RunningIngress } from '@k8ts/ingress';
import { startKubectlCluster, runKubectl, kubectlOk, type KubectlCluster } from './kubectl-cluster.js';
import { AgentHarness, waitFor } from './agent-harness.js';

const NODE = `agent-ing-${Math.random().toString(36).slice(2, 7)}`;
let cluster: KubectlCluster;
let h: AgentHarness | undefined;
let sched: RunningScheduler | undefined;
let cm: RunningControllerManager | undefined;
let ingress: RunningIngress | undefined;
const clients: GrpcClient[] = [];

const k = (...args: string[]) => kubectlOk(cluster, args);
const kubectl = (args: string[], input?: string) => runKubectl(cluster, args, { input });
const clientAs = (token: string) => {
  const c = new GrpcClient({ server: cluster.grpcAddress, token });
  clients.push(c);
  return c;
};

/** One request to the controller with this Host header, on a new connection. */
function get(host: string, path = '/'): Promise<{ status: number; body: string; reason?: string }> {
  return new Promise((resolve, reject) => {
    const req = http.get({ host: '127.0.0.1', port: ingress!.port, path, headers: { host }, agent: false, timeout: 5000 }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c) => (body += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body, reason: res.headers['x-k8ts-ingress-reason'] as string | undefined }));
    });
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', reject);
  });
}

before(async () => {
  process.env.K8TS_LOG_LEVEL ??= 'warn';
  await AgentHarness.images();
  cluster = await startKubectlCluster({ nodes: [NODE] });
  sched = await startScheduler({ client: clientAs(cluster.tokenFor(SCHEDULER_IDENTITY)), leaderElect: false, opsPort: -1 });
  cm = await startControllerManager({ client: clientAs(cluster.tokenFor(CONTROLLER_MANAGER_IDENTITY)), opsPort: -1, leaderElect: false });
  h = new AgentHarness(clientAs(cluster.tokenFor(nodeIdentity(NODE))));
  await h.start(NODE);
  ingress = await startIngress({ client: clientAs(cluster.tokenFor(INGRESS_IDENTITY)), listen: '127.0.0.1:0', opsPort: -1 });
  for (const name of ['web-a', 'web-b']) {
    await k('create', 'deployment', name, '--image=k8ts/hello:1.0', '--port=8080');
    await k('expose', 'deployment', name, '--port=80', '--target-port=8080');
  }
  await k('create', 'service', 'clusterip', 'nobody', '--tcp=80:8080');
});

after(async () => {
  await ingress?.stop();
  await cm?.stop();
  await sched?.stop();
  await h?.cleanup();
  for (const c of clients) c.close();
  await cluster?.stop();
  assert.deepEqual(cluster?.componentRefusals() ?? [], [], 'the ingress controller, scheduler, controller-manager and node were refused nothing');
});

test('the default IngressClass k8ts exists and `kubectl create ingress` gets it', async () => {
  assert.match(await k('get', 'ingressclass'), /k8ts\s+k8ts\.io\/ingress-controller\s+<none>/);
  await k('create', 'ingress', 'demo', '--rule=a.test/*=web-a:80', '--rule=a.test/api*=web-b:80', '--rule=b.test/*=web-b:80');
  assert.equal(await k('get', 'ing', 'demo', '-o', 'jsonpath={.spec.ingressClassName}'), 'k8ts');
});

test('kubectl get ing shows CLASS, HOSTS, ADDRESS (the controller\'s) and PORTS', async () => {
  const row = await waitFor('ADDRESS', async () => {
    const out = await k('get', 'ing', 'demo');
    return /127\.0\.0\.1/.test(out) && out;
  }, 30_000, 200);
  assert.match(row, /^NAME\s+CLASS\s+HOSTS\s+ADDRESS\s+PORTS\s+AGE\n/);
  assert.match(row, /\ndemo\s+k8ts\s+a\.test,b\.test\s+127\.0\.0\.1\s+80\s+\d+s\n/);
});

test('requests reach each Service by Host header and path', async () => {
  const hello = (svc: string) => new RegExp(`^hello from ${svc}-[a-z0-9]+-[a-z0-9]+ \\(`);
  await waitFor('a.test → web-a', async () => (await get('a.test')).status === 200, 120_000, 500);
  await waitFor('b.test → web-b', async () => (await get('b.test')).status === 200, 120_000, 500);
  const a = await get('a.test');
  assert.match(a.body, hello('web-a'));
  const b = await get('B.TEST:8080', '/');
  assert.match(b.body, hello('web-b'));
  // hello answers its one line on every path, with 404 on paths other than /: the line names who answered.
  const api = await get('a.test', '/api/users?x=1');
  assert.match(api.body, hello('web-b'), 'a.test/api* goes to web-b');
  assert.equal(api.reason, undefined, 'answered by the backend, not the controller');
  assert.match((await get('a.test', '/apiary')).body, hello('web-a'), 'Prefix /api does not match /apiary');
});

test('an unknown host gets 404; a Service without ready endpoints 503', async () => {
  const unknown = await get('nobody.test');
  assert.equal(unknown.status, 404);
  assert.equal(unknown.reason, 'NoRule');
  await k('create', 'ingress', 'empty', '--rule=empty.test/*=nobody:80');
  await waitFor('empty.test routed', async () => (await get('empty.test')).reason !== 'NoRule', 10_000, 100);
  const r = await get('empty.test');
  assert.equal(r.status, 503);
  assert.equal(r.reason, 'NoReadyEndpoints');
});

test('bad Ingresses are refused with 422 and nothing is stored', async () => {
  const ingressYaml = (name: string, rule: string) => `apiVersion: networking.k8s.io/v1
kind: Ingress
metadata: {name: ${name}}
spec:
  rules:
${rule}`;
  const path = (extra: string) => `  - host: ok.test
    http:
      paths:
      - path: /
${extra}`;
  const cases: [string, string, RegExp][] = [
    ['no-pathtype', path('        backend: {service: {name: web-a, port: {number: 80}}}'), /spec\.rules\[0\]\.http\.paths\[0\]\.pathType: Required value: pathType must be specified/],
    ['bad-host', `  - host: "bad_host!"\n    http:\n      paths:\n      - {path: /, pathType: Prefix, backend: {service: {name: web-a, port: {number: 80}}}}`, /spec\.rules\[0\]\.host: Invalid value: "bad_host!"/],
    ['both-backends', path('        pathType: Prefix\n        backend: {service: {name: web-a, port: {number: 80}}, resource: {kind: Bucket, name: b}}'), /cannot set both resource and service backends/],
    ['port-range', path('        pathType: Prefix\n        backend: {service: {name: web-a, port: {number: 70000}}}'), /service\.port\.number: Invalid value: 70000: must be between 1 and 65535, inclusive/],
  ];
  for (const [name, rule, message] of cases) {
    const r = await kubectl(['apply', '--validate=false', '-f', '-'], ingressYaml(name, rule));
    assert.notEqual(r.code, 0, name);
    assert.match(r.stderr, /is invalid/, name);
    assert.match(r.stderr, message, name);
    const got = await kubectl(['get', 'ing', name]);
    assert.match(got.stderr, /NotFound/, `${name} was not stored`);
  }
  // An update is held to the same rules, and the stored Ingress stays as it was.
  const before = await k('get', 'ing', 'demo', '-o', 'jsonpath={.metadata.resourceVersion}');
  const r = await kubectl(['patch', 'ing', 'demo', '--type=json', '-p', '[{"op":"remove","path":"/spec/rules/0/http/paths/0/pathType"}]']);
  assert.notEqual(r.code, 0);
  assert.match(r.stderr, /pathType: Required value: pathType must be specified/);
  assert.equal(await k('get', 'ing', 'demo', '-o', 'jsonpath={.metadata.resourceVersion}'), before);
});

test('kubectl describe ing names the rules and backends', async () => {
  const out = await k('describe', 'ing', 'demo');
  assert.match(out, /Ingress Class:\s+k8ts/);
  assert.match(out, /a\.test\s+\n?\s*\/\s+web-a:80/);
  assert.match(out, /\/api\s+web-b:80/);
});
