// PodDisruptionBudget, ResourceQuota and LimitRange through the real kubectl: the apiserver
// (TLS, Node,RBAC), the scheduler, the controller-manager's replicaset, deployment,
// disruption, resourcequota and clusterrole-aggregation controllers, each as itself, and
// three hollow nodes playing the kubelet (no Docker). A drain blocked by a budget until a
// replacement is Ready; a quota refusing the pod over it, with describe quota; LimitRange
// defaults on a bare pod; the edit role's reach over these kinds.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { setTimeout as sleep } from 'node:timers/promises';
import type { KubeObject, Pod } from '@k8ts/api';
import { CONTROLLER_MANAGER_IDENTITY, GrpcClient, SCHEDULER_IDENTITY, createLogger, nodeIdentity, type Client } from '@k8ts/client';
import { startScheduler, type RunningScheduler } from '@k8ts/scheduler';
import { startControllerManager, type RunningControllerManager } from '@k8ts/controller-manager';
import { kubectlBin, kubectlHome, kubectlOk, runKubectl, startKubectlCluster, type KubectlCluster } from './kubectl-cluster.js';
import { HollowKubelet } from './hollow-kubelet.js';
import { until } from '../support/until.js';

const logger = createLogger('pdb-quota-it');
logger.level = process.env.K8TS_LOG_LEVEL ?? 'warn';
const NODES = ['node-1', 'node-2', 'node-3'];

describe('PodDisruptionBudget, ResourceQuota and LimitRange through kubectl', () => {
  let cluster: KubectlCluster;
  let admin: Client;
  let sched: RunningScheduler | undefined;
  let cm: RunningControllerManager | undefined;
  const kubelets: HollowKubelet[] = [];
  const clients: Client[] = [];
  const client = (token: string) => {
    const c = new GrpcClient({ server: cluster.grpcAddress, token });
    clients.push(c);
    return c;
  };
  const kubectl = (args: string[], input?: string) => kubectlOk(cluster, args, input === undefined ? {} : { input });

  before(async () => {
    cluster = await startKubectlCluster({ nodes: NODES });
    admin = client(cluster.token);
    for (const [i, name] of NODES.entries()) {
      const k = new HollowKubelet(client(cluster.tokenFor(nodeIdentity(name))), name, i + 1);
      await k.register();
      k.start();
      kubelets.push(k);
    }
    sched = await startScheduler({ client: client(cluster.tokenFor(SCHEDULER_IDENTITY)), leaderElect: false, logger, queue: { initialBackoffMs: 200, maxBackoffMs: 1000 } });
    cm = await startControllerManager({
      client: client(cluster.tokenFor(CONTROLLER_MANAGER_IDENTITY)),
      opsPort: -1,
      leaderElect: false,
      controllers: ['replicaset', 'deployment', 'disruption', 'resourcequota', 'clusterrole-aggregation'],
    });
  });

  after(async () => {
    for (const k of kubelets) k.stop();
    await cm?.stop().catch(() => undefined);
    await sched?.stop().catch(() => undefined);
    for (const c of clients) c.close();
    await cluster?.stop();
    // The quota's refusals of the ReplicaSet's pods are the point of one test, not missing rights.
    const refused = (cluster?.componentRefusals() ?? []).filter((r) => !/^system:kube-controller-manager create pods quota-rs\/: .* exceeded quota: two-pods,/.test(r));
    assert.deepEqual(refused, [], 'the scheduler, the controller-manager and the nodes, each as itself, were refused nothing');
  });

  const pdbOf = (ns: string, name: string) => admin.get('poddisruptionbudgets', ns, name);
  const podsOf = async (ns: string) => (await admin.list<Pod & KubeObject>('pods', { namespace: ns, labelSelector: 'app=web' })).items.filter((p) => !p.metadata.deletionTimestamp);

  it('a PDB with both minAvailable and maxUnavailable, or a bad percent, is refused with 422', async () => {
    await kubectl(['create', 'namespace', 'pdb-bad']);
    const manifest = (spec: string) => `apiVersion: policy/v1\nkind: PodDisruptionBudget\nmetadata: {name: bad, namespace: pdb-bad}\nspec:\n  selector: {matchLabels: {app: web}}\n${spec}\n`;
    const both = await runKubectl(cluster, ['create', '-f', '-'], { input: manifest('  minAvailable: 1\n  maxUnavailable: 1') });
    assert.notEqual(both.code, 0);
    assert.match(both.stderr, /The PodDisruptionBudget "bad" is invalid: spec: Invalid value: .*minAvailable and maxUnavailable cannot be both set/);
    const pct = await runKubectl(cluster, ['create', '-f', '-'], { input: manifest('  minAvailable: "150%"') });
    assert.match(pct.stderr, /spec\.minAvailable: Invalid value: .*must not be greater than 100%/);
    assert.equal((await admin.list('poddisruptionbudgets', { namespace: 'pdb-bad' })).items.length, 0);
  });

  it('an eviction is refused with 429 by the budget, and kubectl drain gets through once a replacement pod is Ready', async () => {
    const ns = 'pdb';
    await kubectl(['create', 'namespace', ns]);
    await kubectl(['create', 'deployment', 'web', '--image=k8ts/hello:1.0', '--replicas=2', '-n', ns]);
    await kubectl(['create', 'pdb', 'web', '--selector=app=web', '--min-available=2', '-n', ns]);
    const pods = await until('2 ready pods', async () => {
      const ps = await podsOf(ns);
      return ps.length === 2 && ps.every((p) => p.status?.conditions?.some((c: { type: string; status: string }) => c.type === 'Ready' && c.status === 'True')) && ps;
    });
    const pdb = await until('the budget observed, with no disruption allowed', async () => {
      const b = await pdbOf(ns, 'web');
      return b.status?.observedGeneration === b.metadata.generation && b.status?.currentHealthy === 2 && b;
    });
    assert.deepEqual([pdb.status.desiredHealthy, pdb.status.disruptionsAllowed, pdb.status.expectedPods], [2, 0, 2]);
    assert.deepEqual(pdb.status.conditions.map((c: any) => [c.type, c.status, c.reason]), [['DisruptionAllowed', 'False', 'InsufficientPods']]);
    const table = await kubectl(['get', 'pdb', 'web', '-n', ns]);
    assert.match(table, /^NAME\s+MIN AVAILABLE\s+MAX UNAVAILABLE\s+ALLOWED DISRUPTIONS\s+AGE\nweb\s+2\s+N\/A\s+0\s+\S+\n$/);

    // The eviction subresource answers 429 (not 5xx), again and again, and deletes nothing.
    const victim = pods[0]!.metadata.name!;
    const eviction = JSON.stringify({ apiVersion: 'policy/v1', kind: 'Eviction', metadata: { name: victim, namespace: ns } });
    for (let i = 0; i < 2; i++) {
      const r = await runKubectl(cluster, ['create', '--raw', `/api/v1/namespaces/${ns}/pods/${victim}/eviction`, '-f', '-'], { input: eviction });
      assert.notEqual(r.code, 0);
      assert.match(r.stderr, /Error from server \(TooManyRequests\): Cannot evict pod as it would violate the pod's disruption budget\./);
    }
    assert.equal((await podsOf(ns)).length, 2);

    // kubectl drain retries every 5 s while the budget refuses.
    const node = pods[0]!.spec!.nodeName!;
    const drain = spawn(kubectlBin(), ['--kubeconfig', cluster.kubeconfig, 'drain', node, '--ignore-daemonsets', '--timeout=120s'], {
      env: { PATH: process.env.PATH, HOME: kubectlHome(cluster) },
    });
    let out = '';
    drain.stdout.on('data', (d) => (out += d));
    drain.stderr.on('data', (d) => (out += d));
    const exited = new Promise<number>((resolve) => drain.on('exit', (code) => resolve(code ?? 1)));
    try {
      await until('drain refused by the budget', async () => /error when evicting pods\/".*" -n "pdb" \(will retry after 5s\): Cannot evict pod as it would violate the pod's disruption budget\./.test(out), 60_000);
      const refused = await pdbOf(ns, 'web');
      assert.equal(refused.status.disruptionsAllowed, 0);
      // A replacement: a third pod, scheduled away from the cordoned node, becomes Ready.
      await kubectl(['scale', 'deployment', 'web', '--replicas=3', '-n', ns]);
      const code = await Promise.race([exited, sleep(110_000).then(() => -1)]);
      assert.equal(code, 0, `drain: ${out}`);
    } finally {
      if (drain.exitCode === null && drain.signalCode === null) drain.kill('SIGKILL');
    }
    assert.match(out, /evicted/);
    assert.match(out, new RegExp(`node/${node} drained`));
    await until('pods again running elsewhere, the budget met', async () => {
      const ps = await podsOf(ns);
      const b = await pdbOf(ns, 'web');
      return ps.length === 3 && ps.every((p) => p.spec?.nodeName !== node) && b.status?.currentHealthy >= 2 && b;
    });
    await kubectl(['uncordon', node]);
  });

  it('a quota refuses the pod over it, changes nothing, and describe quota shows used/hard', async () => {
    const ns = 'quota';
    await kubectl(['create', 'namespace', ns]);
    await kubectl(['create', 'quota', 'compute', '--hard=pods=3,requests.cpu=1,limits.memory=1Gi', '-n', ns]);
    await until('the quota counted', async () => (await admin.get('resourcequotas', ns, 'compute')).status?.used?.pods === '0');
    const pod = (name: string, cpu?: string) =>
      `apiVersion: v1\nkind: Pod\nmetadata: {name: ${name}, namespace: ${ns}}\nspec:\n  containers:\n  - name: web\n    image: k8ts/hello:1.0\n${cpu ? `    resources: {requests: {cpu: ${cpu}}, limits: {memory: 256Mi}}\n` : ''}`;
    await kubectl(['create', '-f', '-'], pod('a', '500m'));
    await kubectl(['create', '-f', '-'], pod('b', '400m'));
    const over = await runKubectl(cluster, ['create', '-f', '-'], { input: pod('c', '200m') });
    assert.notEqual(over.code, 0);
    assert.match(over.stderr, /Error from server \(Forbidden\): .*pods "c" is forbidden: exceeded quota: compute, requested: requests\.cpu=200m, used: requests\.cpu=900m, limited: requests\.cpu=1/);
    const bare = await runKubectl(cluster, ['create', '-f', '-'], { input: pod('d') });
    assert.match(bare.stderr, /pods "d" is forbidden: failed quota: compute: must specify limits\.memory for: web; requests\.cpu for: web/);
    assert.deepEqual((await admin.list('pods', { namespace: ns })).items.map((p) => p.metadata.name).sort(), ['a', 'b']);
    const described = await until('describe quota with the usage', async () => {
      const d = await kubectl(['describe', 'quota', 'compute', '-n', ns]);
      return /requests\.cpu\s+900m\s+1\n/.test(d) && d;
    });
    assert.match(described, /^Name:\s+compute\nNamespace:\s+quota\nResource\s+Used\s+Hard\n-+\s+-+\s+-+\n/);
    assert.match(described, /limits\.memory\s+512Mi\s+1Gi\n/);
    assert.match(described, /pods\s+2\s+3\n/);
    const table = await kubectl(['get', 'quota', '-n', ns]);
    assert.match(table, /^NAME\s+AGE\s+REQUEST\s+LIMIT\ncompute\s+\S+\s+pods: 2\/3, requests\.cpu: 900m\/1\s+limits\.memory: 512Mi\/1Gi\n$/);
    // Deleting a pod gives its share back (the controller recounts).
    await kubectl(['delete', 'pod', 'b', '-n', ns, '--wait=false']);
    await until('usage given back', async () => (await admin.get('resourcequotas', ns, 'compute')).status?.used?.['requests.cpu'] === '500m');
  });

  it('a ReplicaSet held back by a quota says so in FailedCreate events; the quota stays at its limit', async () => {
    const ns = 'quota-rs';
    await kubectl(['create', 'namespace', ns]);
    await kubectl(['create', 'quota', 'two-pods', '--hard=pods=2', '-n', ns]);
    await until('the quota counted', async () => (await admin.get('resourcequotas', ns, 'two-pods')).status?.used?.pods === '0');
    await kubectl(['create', 'deployment', 'web', '--image=k8ts/hello:1.0', '--replicas=3', '-n', ns]);
    const refused = await until('a FailedCreate event naming the quota', async () =>
      (await admin.list('events', { namespace: ns })).items.find((e) => e.reason === 'FailedCreate' && /exceeded quota: two-pods/.test(String(e.message))),
    );
    assert.match(String(refused.message), /^Error creating: pods "web-[a-z0-9]+-[a-z0-9]{5}" is forbidden: exceeded quota: two-pods, requested: pods=1, used: pods=2, limited: pods=2$/);
    assert.equal((await admin.list('pods', { namespace: ns })).items.length, 2);
    assert.equal((await admin.get('resourcequotas', ns, 'two-pods')).status.used.pods, '2');
  });

  it('edit may write budgets and read quotas and limit ranges, not write them (upstream aggregated roles)', async () => {
    await kubectl(['create', 'namespace', 'team']);
    await kubectl(['create', 'rolebinding', 'dev-edit', '--clusterrole=edit', '--user=dev', '-n', 'team']);
    const can = async (verb: string, what: string) => (await runKubectl(cluster, ['auth', 'can-i', verb, what, '-n', 'team', '--as=dev'])).stdout.trim();
    await until('the binding in effect', async () => (await can('create', 'poddisruptionbudgets.policy')) === 'yes');
    assert.equal(await can('get', 'resourcequotas'), 'yes');
    assert.equal(await can('list', 'limitranges'), 'yes');
    assert.equal(await can('create', 'resourcequotas'), 'no');
    assert.equal(await can('delete', 'limitranges'), 'no');
  });

  it('LimitRange defaults are applied to a pod created without resources', async () => {
    const ns = 'limits';
    await kubectl(['create', 'namespace', ns]);
    await kubectl(['apply', '-f', '-'], `apiVersion: v1\nkind: LimitRange\nmetadata: {name: defaults, namespace: ${ns}}\nspec:\n  limits:\n  - type: Container\n    default: {cpu: 500m, memory: 128Mi}\n    defaultRequest: {cpu: 100m, memory: 64Mi}\n    max: {cpu: "1"}\n`);
    assert.match(await kubectl(['get', 'limits', '-n', ns]), /^NAME\s+CREATED AT\ndefaults\s+\d{4}-/);
    const p = await until('the pod created with defaults', async () => {
      await runKubectl(cluster, ['run', 'bare', '--image=k8ts/hello:1.0', '-n', ns]);
      return JSON.parse(await kubectl(['get', 'pod', 'bare', '-n', ns, '-o', 'json']));
    });
    assert.deepEqual(p.spec.containers[0].resources, { limits: { cpu: '500m', memory: '128Mi' }, requests: { cpu: '100m', memory: '64Mi' } });
    assert.equal(p.metadata.annotations['kubernetes.io/limit-ranger'], 'LimitRanger plugin set: cpu, memory request for container bare; cpu, memory limit for container bare');
    const big = await runKubectl(cluster, ['create', '-f', '-'], {
      input: `apiVersion: v1\nkind: Pod\nmetadata: {name: big, namespace: ${ns}}\nspec:\n  containers:\n  - name: web\n    image: k8ts/hello:1.0\n    resources: {limits: {cpu: "2"}}\n`,
    });
    assert.match(big.stderr, /pods "big" is forbidden: maximum cpu usage per Container is 1, but limit is 2/);
  });
});
