// A StatefulSet through the real kubectl on real Docker: the apiserver and etcd, one agent,
// the scheduler, the controller-manager (statefulset, endpoints, garbage collector) and the
// cluster DNS on the agent network's gateway, each component as its own identity. Ordered
// start, a deleted pod back under its name, per-pod DNS names from a pod, rollout status,
// undo and scale, and bad input refused with nothing stored.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { clientFromOptions, nodeIdentity, GrpcClient, createLogger, type Client } from '@k8ts/client';
import type { Pod } from '@k8ts/api';
import { startScheduler, type RunningScheduler } from '@k8ts/scheduler';
import { startControllerManager, type RunningControllerManager } from '@k8ts/controller-manager';
import { startDns, type RunningDns } from '@k8ts/dns';
import { CONTROLLER_MANAGER_IDENTITY, DNS_IDENTITY, SCHEDULER_IDENTITY } from '../support/identities.js';
import { startKubectlCluster, runKubectl, kubectlOk, type KubectlCluster } from './kubectl-cluster.js';
import { AgentHarness, waitFor } from './agent-harness.js';

const NODE = `agent-sts-${Math.random().toString(36).slice(2, 7)}`;
let cluster: KubectlCluster;
let nodeClient: Client;
let h: AgentHarness;
let sched: RunningScheduler | undefined;
let cm: RunningControllerManager | undefined;
let dns: RunningDns | undefined;

const kubectl = (args: string[], input?: string, timeoutMs = 30_000) => runKubectl(cluster, args, { input, timeoutMs });
const k = (...args: string[]) => kubectlOk(cluster, args);
const podsJson = async (): Promise<Pod[]> => JSON.parse(await k('get', 'pods', '-l', 'app=web', '-o', 'json')).items;
const ready = (p: Pod | undefined) => p?.status?.conditions?.find((c) => c.type === 'Ready');

const manifest = `apiVersion: v1
kind: Service
metadata: {name: web}
spec:
  clusterIP: None
  selector: {app: web}
  ports: [{name: http, port: 8080}]
---
apiVersion: apps/v1
kind: StatefulSet
metadata: {name: web}
spec:
  serviceName: web
  replicas: 3
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      terminationGracePeriodSeconds: 1
      containers:
      - name: hello
        image: k8ts/hello:1.0
        ports: [{name: http, containerPort: 8080}]
        readinessProbe: {httpGet: {path: /, port: 8080}, periodSeconds: 1}
---
apiVersion: v1
kind: Pod
metadata: {name: client}
spec:
  terminationGracePeriodSeconds: 0
  containers:
  - name: c
    image: k8ts/busybox:1.36
    command: [sh, -c, 'trap "exit 0" TERM; while true; do sleep 1; done']
`;

before(async () => {
  process.env.K8TS_LOG_LEVEL ??= 'warn';
  await AgentHarness.images();
  cluster = await startKubectlCluster({ nodes: [NODE] });
  const server = cluster.grpcAddress;
  nodeClient = clientFromOptions({ server, token: cluster.tokenFor(nodeIdentity(NODE)) });
  h = new AgentHarness(nodeClient);
  // The range (and so the gateway the cluster DNS listens on) is chosen when the network is made.
  const net = await h.network();
  const agent = await h.start(NODE, { streams: true, clusterDns: net.gateway });
  await waitFor('agent stream open', () => agent.streams?.connected, 10_000);
  const logger = createLogger('statefulset-it');
  logger.level = process.env.K8TS_LOG_LEVEL ?? 'warn';
  sched = await startScheduler({ client: new GrpcClient({ server, token: cluster.tokenFor(SCHEDULER_IDENTITY) }), closeClient: true, leaderElect: false, logger });
  cm = await startControllerManager({
    client: new GrpcClient({ server, token: cluster.tokenFor(CONTROLLER_MANAGER_IDENTITY) }),
    opsPort: -1,
    leaderElect: false,
    controllers: ['statefulset', 'endpoints', 'garbagecollector'],
  });
  dns = await startDns({ server, token: cluster.tokenFor(DNS_IDENTITY), listen: `${h.net.gateway}:53`, upstream: '127.0.0.1:9', opsPort: -1 });
});

after(async () => {
  await dns?.stop().catch(() => undefined);
  await cm?.stop().catch(() => undefined);
  await sched?.stop().catch(() => undefined);
  await h?.cleanup();
  nodeClient?.close();
  await cluster?.stop();
  assert.deepEqual(cluster?.componentRefusals() ?? [], [], 'the agent, scheduler, controller-manager and dns were refused nothing');
});

test('bad StatefulSets are refused with 422 and nothing is stored', async () => {
  const bad = (spec: string) => `apiVersion: apps/v1\nkind: StatefulSet\nmetadata: {name: bad}\nspec:\n${spec}`;
  const tpl = '  template: {metadata: {labels: {app: bad}}, spec: {containers: [{name: c, image: k8ts/hello:1.0}]}}\n';
  const mismatch = await kubectl(['apply', '-f', '-'], bad(`  serviceName: bad\n  selector: {matchLabels: {app: other}}\n${tpl}`));
  assert.notEqual(mismatch.code, 0);
  assert.match(mismatch.stderr, /StatefulSet "bad" is invalid: spec.template.metadata.labels: Invalid value: .*`selector` does not match template `labels`/);
  const negative = await kubectl(['apply', '-f', '-'], bad(`  serviceName: bad\n  replicas: -1\n  selector: {matchLabels: {app: bad}}\n${tpl}`));
  assert.notEqual(negative.code, 0);
  assert.match(negative.stderr, /spec.replicas: Invalid value: -1: must be greater than or equal to 0/);
  const get = await kubectl(['get', 'statefulset', 'bad']);
  assert.match(get.stderr, /NotFound|not found/);
});

test('OrderedReady: web-0, web-1, web-2 start in order, each after the one before is Ready', async () => {
  const r = await kubectl(['apply', '-f', '-'], manifest);
  assert.equal(r.code, 0, r.stderr);
  const status = await kubectl(['rollout', 'status', 'statefulset/web', '--timeout=150s'], undefined, 160_000);
  assert.equal(status.code, 0, status.stderr);
  assert.match(status.stdout, /partitioned roll out complete: 3 new pods have been updated/);
  const pods = (await podsJson()).sort((a, b) => a.metadata.name!.localeCompare(b.metadata.name!));
  assert.deepEqual(pods.map((p) => p.metadata.name), ['web-0', 'web-1', 'web-2']);
  for (let i = 1; i < 3; i++) {
    const created = Date.parse(pods[i]!.metadata.creationTimestamp!);
    const prevReady = Date.parse(ready(pods[i - 1])!.lastTransitionTime!);
    assert.ok(created >= prevReady, `web-${i} created at ${pods[i]!.metadata.creationTimestamp}, web-${i - 1} ready at ${ready(pods[i - 1])!.lastTransitionTime}`);
  }
  for (const [i, p] of pods.entries()) {
    assert.equal(p.spec!.hostname, `web-${i}`);
    assert.equal(p.spec!.subdomain, 'web');
    assert.equal(p.metadata.labels!['statefulset.kubernetes.io/pod-name'], `web-${i}`);
    assert.equal(p.metadata.labels!['apps.kubernetes.io/pod-index'], String(i));
  }
  const sts = await k('get', 'sts', 'web');
  assert.match(sts, /web\s+3\/3\s/);
});

test('an immutable field cannot change: 422, the StatefulSet as it was', async () => {
  const r = await kubectl(['patch', 'sts', 'web', '-p', '{"spec":{"serviceName":"other"}}']);
  assert.notEqual(r.code, 0);
  assert.match(r.stderr, /Forbidden: updates to statefulset spec for fields other than 'replicas', 'ordinals', 'template', 'updateStrategy'/);
  assert.equal(await k('get', 'sts', 'web', '-o', 'jsonpath={.spec.serviceName}'), 'web');
});

test('per-pod DNS names and the headless Service name answer from a pod', async () => {
  await waitFor('client Running', async () => (await k('get', 'pod', 'client', '-o', 'jsonpath={.status.phase}')) === 'Running', 60_000, 300);
  const ips = Object.fromEntries((await podsJson()).map((p) => [p.metadata.name!, p.status!.podIP!]));
  const lookup = (name: string) => kubectl(['exec', 'client', '--', 'nslookup', '-type=a', name]);
  for (const name of ['web-0', 'web-1', 'web-2']) {
    let last = '';
    const out = await waitFor(`${name} resolves`, async () => {
      const r = await lookup(`${name}.web.default.svc.cluster.local`);
      last = `exit ${r.code}: ${r.stdout}${r.stderr}`;
      return r.code === 0 && r.stdout.includes(`Address: ${ips[name]}`) ? r.stdout : undefined;
    }, 20_000, 300).catch((e: Error) => assert.fail(`${e.message}; last nslookup: ${last}`));
    assert.ok(out);
  }
  const all = await waitFor('web resolves to every pod', async () => {
    const r = await lookup('web.default.svc.cluster.local');
    return Object.values(ips).every((ip) => r.stdout.includes(`Address: ${ip}`)) ? r.stdout : undefined;
  }, 20_000, 300);
  assert.ok(all);
  // The search path finds the short form, and the pod answers under its own name.
  const hello = await k('exec', 'client', '--', 'wget', '-qO-', 'http://web-2.web:8080/');
  assert.equal(hello.trim(), `hello from web-2 (${ips['web-2']})`);
});

test('a deleted pod comes back under the same name, with a new uid', async () => {
  const before = await k('get', 'pod', 'web-1', '-o', 'jsonpath={.metadata.uid}');
  const del = await kubectl(['delete', 'pod', 'web-1', '--wait=true'], undefined, 60_000);
  assert.equal(del.code, 0, del.stderr);
  await waitFor('web-1 back and Ready', async () => {
    const p: Pod = JSON.parse((await kubectl(['get', 'pod', 'web-1', '-o', 'json'])).stdout || '{}');
    return p.metadata?.uid && p.metadata.uid !== before && ready(p)?.status === 'True';
  }, 90_000, 300);
  assert.equal(await k('get', 'pod', 'web-1', '-o', 'jsonpath={.spec.hostname}'), 'web-1');
});

test('rolling update, rollout status and undo; scale down removes the highest ordinal', async () => {
  const rev1 = await k('get', 'sts', 'web', '-o', 'jsonpath={.status.currentRevision}');
  await k('set', 'env', 'statefulset/web', 'GREETING=v2');
  const st = await kubectl(['rollout', 'status', 'statefulset/web', '--timeout=150s'], undefined, 160_000);
  assert.equal(st.code, 0, st.stderr);
  await waitFor('update revision current', async () => {
    const s = JSON.parse(await k('get', 'sts', 'web', '-o', 'json')).status;
    return s.currentRevision === s.updateRevision && s.updatedReplicas === 3 && s.currentRevision !== rev1 ? s : undefined;
  }, 60_000, 300);
  for (const p of await podsJson()) assert.deepEqual(p.spec!.containers[0]!.env, [{ name: 'GREETING', value: 'v2' }], p.metadata.name);
  assert.match(await k('rollout', 'history', 'statefulset/web'), /1\s+<none>\s*\n2\s+<none>/);

  const undo = await kubectl(['rollout', 'undo', 'statefulset/web']);
  assert.equal(undo.code, 0, undo.stderr);
  assert.match(undo.stdout, /rolled back/);
  const st2 = await kubectl(['rollout', 'status', 'statefulset/web', '--timeout=150s'], undefined, 160_000);
  assert.equal(st2.code, 0, st2.stderr);
  await waitFor('back at the first revision', async () => {
    const s = JSON.parse(await k('get', 'sts', 'web', '-o', 'json')).status;
    return s.currentRevision === rev1 && s.updateRevision === rev1 && s.updatedReplicas === 3 ? s : undefined;
  }, 90_000, 300);
  for (const p of await podsJson()) {
    assert.equal(p.spec!.containers[0]!.env, undefined, p.metadata.name);
    assert.equal(p.metadata.labels!['controller-revision-hash'], rev1);
  }

  await k('scale', 'statefulset/web', '--replicas=2');
  await waitFor('web-2 gone', async () => (await podsJson()).map((p) => p.metadata.name).sort().join() === 'web-0,web-1', 60_000, 300);
  await waitFor('status follows', async () => (await k('get', 'sts', 'web', '-o', 'jsonpath={.status.replicas}/{.status.readyReplicas}')) === '2/2', 30_000, 300);
});

test('deleting the StatefulSet takes its pods and revisions with it (garbage collector)', async () => {
  const del = await kubectl(['delete', 'statefulset', 'web', '--wait=true'], undefined, 60_000);
  assert.equal(del.code, 0, del.stderr);
  await waitFor('pods gone', async () => (await podsJson()).length === 0, 90_000, 300);
  await waitFor('revisions gone', async () => (await k('get', 'controllerrevisions', '-o', 'name')).trim() === '', 30_000, 300);
});
