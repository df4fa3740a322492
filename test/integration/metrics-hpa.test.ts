// The Metrics API and the HorizontalPodAutoscaler through the real kubectl and real Docker:
// a real apiserver and etcd (scraping every second), one agent on a network of its own
// with its Connect tunnel, the scheduler, and the controller-manager's deployment,
// replicaset and horizontalpodautoscaling controllers, each under its own identity.
// `kubectl top nodes|pods` show numbers; `kubectl autoscale` (autoscaling/v1) makes an HPA
// that scales a Deployment of k8ts/hello:1.0 up while a busybox pod loops wget against it,
// and back down once the load is gone (short windows set for the test); bad HPAs show
// their trouble in status, conditions and events and change nothing else.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { CONTROLLER_MANAGER_IDENTITY, GrpcClient, SCHEDULER_IDENTITY, createLogger, nodeIdentity, type Client } from '@k8ts/client';
import { startScheduler, type RunningScheduler } from '@k8ts/scheduler';
import { startControllerManager, type RunningControllerManager } from '@k8ts/controller-manager';
import { startKubectlCluster, runKubectl, kubectlOk, type KubectlCluster } from './kubectl-cluster.js';
import { AgentHarness, waitFor } from './agent-harness.js';

const NODE = `hpa-node-${Math.random().toString(36).slice(2, 7)}`;
let cluster: KubectlCluster;
let h: AgentHarness;
let sched: RunningScheduler | undefined;
let cm: RunningControllerManager | undefined;
const clients: Client[] = [];

const k = (...args: string[]) => kubectlOk(cluster, args, { timeoutMs: 60_000 });
const kRun = (args: string[], input?: string) => runKubectl(cluster, args, { input, timeoutMs: 60_000 });
const apply = async (manifest: string) => {
  const r = await kRun(['apply', '-f', '-'], manifest);
  assert.equal(r.code, 0, r.stderr);
};
const replicas = async (name: string) => Number((await k('get', 'deployment', name, '-o', 'jsonpath={.spec.replicas}')) || 0);
const hpaJson = async (name: string) => JSON.parse(await k('get', 'hpa', name, '-o', 'json'));
const condition = (hpa: any, type: string) => (hpa.status?.conditions ?? []).find((c: any) => c.type === type);

function deployment(name: string, requests: string): string {
  return `apiVersion: apps/v1
kind: Deployment
metadata: {name: ${name}}
spec:
  replicas: 1
  selector: {matchLabels: {app: ${name}}}
  template:
    metadata: {labels: {app: ${name}}}
    spec:
      terminationGracePeriodSeconds: 1
      containers:
      - name: hello
        image: k8ts/hello:1.0
        ports: [{containerPort: 8080}]
${requests}`;
}

before(async () => {
  process.env.K8TS_LOG_LEVEL ??= 'warn';
  await AgentHarness.images();
  cluster = await startKubectlCluster({ nodes: [NODE], metricResolutionMs: 1000 });
  const server = cluster.grpcAddress;
  const client = (token: string) => {
    const c = new GrpcClient({ server, token });
    clients.push(c);
    return c;
  };
  h = new AgentHarness(client(cluster.tokenFor(nodeIdentity(NODE))));
  const agent = await h.start(NODE, { streams: true });
  await waitFor('agent stream open', () => agent.streams?.connected, 10_000);
  const logger = createLogger('metrics-hpa-it');
  logger.level = process.env.K8TS_LOG_LEVEL ?? 'warn';
  sched = await startScheduler({ client: client(cluster.tokenFor(SCHEDULER_IDENTITY)), leaderElect: false, logger });
  cm = await startControllerManager({
    client: client(cluster.tokenFor(CONTROLLER_MANAGER_IDENTITY)),
    opsPort: -1,
    leaderElect: false,
    controllers: ['deployment', 'replicaset', 'horizontalpodautoscaling'],
    controllerOptions: { hpa: { syncPeriodMs: 1000 } },
  });
});

after(async () => {
  await cm?.stop().catch(() => undefined);
  await sched?.stop().catch(() => undefined);
  await h?.cleanup();
  for (const c of clients) c.close();
  await cluster?.stop();
  assert.deepEqual(cluster?.componentRefusals() ?? [], [], 'the agent, scheduler and controller-manager, each as itself, were refused nothing');
});

test('kubectl top nodes and kubectl top pods --containers show the agents\' numbers', { timeout: 120_000 }, async () => {
  await apply(deployment('top', '        resources: {requests: {cpu: 10m, memory: 16Mi}}'));
  await waitFor('a top pod Running', async () => (await k('get', 'pods', '-l', 'app=top', '-o', 'jsonpath={.items[*].status.phase}')) === 'Running', 60_000, 300);
  const nodes = await waitFor('kubectl top nodes', async () => {
    const r = await kRun(['top', 'nodes']);
    return r.code === 0 && r.stdout.includes(NODE) ? r.stdout : undefined;
  }, 60_000, 500);
  assert.match(nodes, /^NAME\s+CPU\(cores\)\s+CPU\(%\)\s+MEMORY\(bytes\)\s+MEMORY\(%\)/);
  assert.match(nodes, new RegExp(`^${NODE}\\s+\\d+m\\s+\\d+%\\s+\\d+Mi\\s+\\d+%`, 'm'));
  let last = '';
  const pods = await waitFor('kubectl top pods', async () => {
    const r = await kRun(['top', 'pods', '-l', 'app=top']);
    last = `${r.stdout}${r.stderr}`;
    return r.code === 0 && /top-/.test(r.stdout) ? r.stdout : undefined;
  }, 60_000, 500).catch((e) => {
    throw new Error(`${(e as Error).message}; last answer: ${last}`);
  });
  assert.match(pods, /^NAME\s+CPU\(cores\)\s+MEMORY\(bytes\)/);
  assert.match(pods, /^top-\S+\s+\d+m\s+\d+Mi/m);
  const containers = await k('top', 'pods', '-l', 'app=top', '--containers');
  assert.match(containers, /^POD\s+NAME\s+CPU\(cores\)\s+MEMORY\(bytes\)/);
  assert.match(containers, /^top-\S+\s+hello\s+\d+m\s+\d+Mi/m);
  // The raw API answers as metrics-server does, and a pod without metrics is its NotFound.
  const list = JSON.parse(await k('get', '--raw', '/apis/metrics.k8s.io/v1beta1/namespaces/default/pods'));
  assert.equal(list.kind, 'PodMetricsList');
  assert.match(list.items[0].window, /^\d+(\.\d+)?s$/);
  const missing = await kRun(['get', '--raw', '/apis/metrics.k8s.io/v1beta1/namespaces/default/pods/nope']);
  assert.match(missing.stderr, /podmetrics.metrics.k8s.io "default\/nope" not found/);
  const write = await kRun(['delete', '--raw', '/apis/metrics.k8s.io/v1beta1/nodes/' + NODE]);
  assert.match(write.stderr, /MethodNotAllowed|method not allowed|405/i, 'metrics are read-only');
  await k('delete', 'deployment', 'top', '--wait=false');
});

test('an HPA from kubectl autoscale scales hello up under load and back down when it stops', { timeout: 300_000 }, async () => {
  await apply(deployment('hello', '        resources: {requests: {cpu: 10m, memory: 16Mi}}'));
  await waitFor('hello ready', async () => (await k('get', 'deployment', 'hello', '-o', 'jsonpath={.status.readyReplicas}')) === '1', 60_000, 300);
  // kubectl autoscale writes autoscaling/v1 when asked: the v1 view converts it to v2.
  const created = await kRun(['create', '-f', '-'], `apiVersion: autoscaling/v1
kind: HorizontalPodAutoscaler
metadata: {name: from-v1}
spec: {scaleTargetRef: {apiVersion: apps/v1, kind: Deployment, name: nothing-here}, minReplicas: 1, maxReplicas: 2, targetCPUUtilizationPercentage: 70}
`);
  assert.equal(created.code, 0, created.stderr);
  const asV2 = await hpaJson('from-v1');
  assert.equal(asV2.apiVersion, 'autoscaling/v2');
  assert.deepEqual(asV2.spec.metrics, [{ type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 70 } } }]);
  const asV1 = JSON.parse(await k('get', '--raw', '/apis/autoscaling/v1/namespaces/default/horizontalpodautoscalers/from-v1'));
  assert.deepEqual([asV1.apiVersion, asV1.spec.targetCPUUtilizationPercentage, asV1.spec.metrics], ['autoscaling/v1', 70, undefined]);
  await k('delete', 'hpa', 'from-v1');

  await k('autoscale', 'deployment/hello', '--cpu-percent=50', '--min=1', '--max=3');
  // Short windows for the test: scale down 3 s after the load is gone, all at once.
  await k('patch', 'hpa', 'hello', '--type=merge', '-p', JSON.stringify({ spec: { behavior: { scaleDown: { stabilizationWindowSeconds: 3, policies: [{ type: 'Percent', value: 100, periodSeconds: 1 }] } } } }));
  const idle = await waitFor('the HPA reads the idle pod', async () => {
    const o = await hpaJson('hello');
    return condition(o, 'ScalingActive')?.status === 'True' ? o : undefined;
  }, 90_000, 500);
  assert.equal(idle.status.currentReplicas, 1);
  const table = await k('get', 'hpa', 'hello');
  assert.match(table, /^NAME\s+REFERENCE\s+TARGETS\s+MINPODS\s+MAXPODS\s+REPLICAS\s+AGE/);
  assert.match(table, /^hello\s+Deployment\/hello\s+cpu: \d+%\/50%\s+1\s+3\s+1\s+/m);

  const ip = await k('get', 'pods', '-l', 'app=hello', '-o', 'jsonpath={.items[0].status.podIP}');
  assert.match(ip, /^\d+\.\d+\.\d+\.\d+$/);
  // Bounded: the loop ends by itself after 4 minutes if the test does not delete it first.
  await apply(`apiVersion: v1
kind: Pod
metadata: {name: load}
spec:
  terminationGracePeriodSeconds: 0
  containers:
  - name: load
    image: k8ts/busybox:1.36
    command: [sh, -c, 'end=$(($(date +%s)+240)); while [ $(date +%s) -lt $end ]; do wget -q -O /dev/null http://${ip}:8080/ || sleep 0.1; done']
`);
  await waitFor('scaled up under load', async () => (await replicas('hello')) > 1, 180_000, 1000);
  const up = await hpaJson('hello');
  assert.ok(up.status.lastScaleTime);
  const events = await k('get', 'events', '--field-selector', 'involvedObject.kind=HorizontalPodAutoscaler,involvedObject.name=hello', '-o', 'jsonpath={range .items[*]}{.reason}: {.message}{"\\n"}{end}');
  assert.match(events, /SuccessfulRescale: New size: [23]; reason: cpu resource utilization \(percentage of request\) above target/);

  await k('delete', 'pod', 'load', '--grace-period=0', '--force');
  await waitFor('scaled back down once the load stopped', async () => (await replicas('hello')) === 1, 180_000, 1000);
  const down = await k('get', 'events', '--field-selector', 'involvedObject.kind=HorizontalPodAutoscaler,involvedObject.name=hello', '-o', 'jsonpath={range .items[*]}{.reason}: {.message}{"\\n"}{end}');
  assert.match(down, /SuccessfulRescale: New size: 1; reason: All metrics below target/);
  await k('delete', 'hpa', 'hello');
});

test('bad HPAs: min above max is a 422; no requests and a missing target show in conditions and events, and nothing else moves', { timeout: 120_000 }, async () => {
  const bad = await kRun(['create', '-f', '-'], `apiVersion: autoscaling/v2
kind: HorizontalPodAutoscaler
metadata: {name: inverted}
spec: {scaleTargetRef: {apiVersion: apps/v1, kind: Deployment, name: hello}, minReplicas: 5, maxReplicas: 2}
`);
  assert.notEqual(bad.code, 0);
  assert.match(bad.stderr, /The HorizontalPodAutoscaler "inverted" is invalid: spec.maxReplicas: Invalid value: 2: must be greater than or equal to `minReplicas`/);

  await apply(deployment('norequests', ''));
  await apply(`apiVersion: autoscaling/v2
kind: HorizontalPodAutoscaler
metadata: {name: norequests}
spec:
  scaleTargetRef: {apiVersion: apps/v1, kind: Deployment, name: norequests}
  minReplicas: 1
  maxReplicas: 3
  metrics: [{type: Resource, resource: {name: cpu, target: {type: Utilization, averageUtilization: 50}}}]
---
apiVersion: autoscaling/v2
kind: HorizontalPodAutoscaler
metadata: {name: ghost}
spec:
  scaleTargetRef: {apiVersion: apps/v1, kind: Deployment, name: ghost}
  maxReplicas: 3
`);
  const noReq = await waitFor('norequests ScalingActive False', async () => {
    const o = await hpaJson('norequests');
    const c = condition(o, 'ScalingActive');
    return c?.status === 'False' && c.reason === 'FailedGetResourceMetric' && /missing request/.test(c.message) ? c : undefined;
  }, 90_000, 500);
  assert.match(noReq.message, /^the HPA was unable to compute the replica count: failed to get cpu utilization: missing request for cpu in container hello of Pod norequests-/);
  const ghost = await waitFor('ghost AbleToScale False', async () => {
    const c = condition(await hpaJson('ghost'), 'AbleToScale');
    return c?.status === 'False' ? c : undefined;
  }, 30_000, 500);
  assert.equal(ghost.reason, 'FailedGetScale');
  assert.match(ghost.message, /deployments.apps "ghost" not found/);
  const events = await k('get', 'events', '--field-selector', 'involvedObject.kind=HorizontalPodAutoscaler', '-o', 'jsonpath={range .items[*]}{.involvedObject.name} {.reason}{"\\n"}{end}');
  assert.match(events, /^norequests FailedGetResourceMetric$/m);
  assert.match(events, /^ghost FailedGetScale$/m);
  await sleep(2000);
  assert.equal(await replicas('norequests'), 1, 'the target without requests was left alone');
  assert.equal((await kRun(['get', 'deployment', 'ghost'])).code, 1, 'nothing made the missing target');
  await k('delete', 'hpa', 'norequests', 'ghost');
});
