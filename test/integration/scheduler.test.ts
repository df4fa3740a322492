// The scheduler against a real apiserver and etcd: Node objects created directly (no agents),
// pods created through gRPC, decisions read back from the API.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { startApiServer, type ApiServer } from '@k8ts/apiserver';
import { GrpcClient, createLogger, type Client } from '@k8ts/client';
import type { KubeObject, Pod } from '@k8ts/api';
import { startScheduler, type RunningScheduler } from '@k8ts/scheduler';
import { startEtcd, type TestEtcd } from '../support/etcd.js';
import { writeClusterAuth, type ClusterAuth } from '../support/cluster-auth.js';
import { until } from '../support/until.js';

const logger = createLogger('scheduler-it');
logger.level = process.env.K8TS_LOG_LEVEL ?? 'warn';

function node(name: string, o: { cpu?: string; labels?: Record<string, string>; taints?: any[] } = {}): KubeObject {
  const alloc = { cpu: o.cpu ?? '4', memory: '8Gi', pods: '110' };
  return {
    apiVersion: 'v1',
    kind: 'Node',
    metadata: { name, labels: { 'kubernetes.io/hostname': name, ...(o.labels ?? {}) } },
    spec: o.taints ? { taints: o.taints } : {},
    status: {
      capacity: alloc,
      allocatable: alloc,
      conditions: [{ type: 'Ready', status: 'True', reason: 'KubeletReady', message: 'hollow node', lastHeartbeatTime: new Date().toISOString().replace(/\.\d+Z$/, 'Z') }],
    },
  };
}

function pod(name: string, ns: string, spec: Record<string, unknown> = {}, labels: Record<string, string> = {}, cpu = '100m'): KubeObject {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, namespace: ns, labels },
    spec: { containers: [{ name: 'c', image: 'k8ts/busybox', resources: { requests: { cpu } } }], ...spec },
  };
}

describe('scheduler against a real apiserver', () => {
  let etcd: TestEtcd;
  let api: ApiServer;
  let c: Client;
  let sched: RunningScheduler;
  let tmp: string;
  let grpcAddress: string;
  // Node,RBAC; the test acts as admin, the scheduler as system:kube-scheduler.
  let auth: ClusterAuth;
  const children: ChildProcess[] = [];

  before(async () => {
    etcd = await startEtcd();
    tmp = mkdtempSync(path.join(os.tmpdir(), 'k8ts-sched-it-'));
    auth = writeClusterAuth(tmp);
    api = await startApiServer({ etcdServers: [etcd.url], port: 0, grpcPort: 0, ...auth.apiserver, logger });
    grpcAddress = `127.0.0.1:${api.grpcPort}`;
    c = new GrpcClient({ server: grpcAddress, token: auth.adminToken });
    sched = await startScheduler({ client: new GrpcClient({ server: grpcAddress, token: auth.componentToken('scheduler') }), closeClient: true, leaderElect: false, logger, queue: { initialBackoffMs: 200, maxBackoffMs: 1000 } });
  });

  after(async () => {
    for (const ch of children) {
      if (ch.exitCode !== null || ch.signalCode !== null || !ch.pid) continue;
      try {
        process.kill(ch.pid, 'SIGKILL');
      } catch {
        // already gone
      }
    }
    await sched?.stop();
    c?.close();
    await api?.stop();
    await etcd?.stop();
    const refused = auth?.componentRefusals() ?? [];
    if (tmp) rmSync(tmp, { recursive: true, force: true });
    assert.deepEqual(refused, [], 'the scheduler, as system:kube-scheduler, was refused nothing');
  });

  const nodesMade: string[] = [];
  async function makeNodes(...nodes: KubeObject[]): Promise<void> {
    for (const n of nodes) {
      await c.create('nodes', n);
      nodesMade.push(n.metadata.name!);
    }
  }
  async function cleanNodes(): Promise<void> {
    for (const n of nodesMade.splice(0)) await c.delete('nodes', '', n).catch(() => undefined);
  }
  async function namespace(name: string): Promise<string> {
    await c.create('namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name } });
    return name;
  }
  const get = (ns: string, name: string) => c.get<Pod & KubeObject>('pods', ns, name);
  const boundTo = async (ns: string, name: string) => (await get(ns, name)).spec?.nodeName;
  const scheduledCondition = async (ns: string, name: string) => (await get(ns, name)).status?.conditions?.find((x: { type: string }) => x.type === 'PodScheduled');

  it('pods/binding: binds sent together (their reads share one etcd transaction) are each answered and written on their own', async () => {
    const ns = await namespace('bind-many');
    const names = Array.from({ length: 40 }, (_, i) => `p-${i}`);
    for (const n of names) await c.create('pods', pod(n, ns, { schedulerName: 'nobody' }));
    const uidOf1 = (await get(ns, 'p-1')).metadata!.uid;
    const binding = (name: string, node: string, meta: Record<string, unknown> = {}) => ({ apiVersion: 'v1', kind: 'Binding', metadata: { name, namespace: ns, ...meta }, target: { apiVersion: 'v1', kind: 'Node', name: node } });
    const calls = [
      ...names.slice(2).map((n) => c.createSubresource('pods', ns, n, 'binding', binding(n, `node-${n}`))),
      // the same pod twice at once: one wins, the other finds it assigned
      c.createSubresource('pods', ns, 'p-0', 'binding', binding('p-0', 'node-a')),
      c.createSubresource('pods', ns, 'p-0', 'binding', binding('p-0', 'node-b')),
      c.createSubresource('pods', ns, 'p-1', 'binding', binding('p-1', 'node-x', { uid: 'not-the-uid' })),
      c.createSubresource('pods', ns, 'ghost', 'binding', binding('ghost', 'node-x')),
    ];
    const results = await Promise.allSettled(calls);
    const codeOf = (r: PromiseSettledResult<unknown>) => (r.status === 'fulfilled' ? 201 : (r.reason as { code: number }).code);
    assert.deepEqual(results.slice(0, 38).map(codeOf), new Array(38).fill(201));
    const [a, b, wrongUid, ghost] = results.slice(38);
    const [second] = await Promise.allSettled([c.createSubresource('pods', ns, 'p-2', 'binding', binding('p-2', 'node-y'))]);
    assert.deepEqual([codeOf(a!), codeOf(b!)].sort(), [201, 409]);
    assert.equal(codeOf(wrongUid!), 409);
    assert.match((wrongUid as PromiseRejectedResult).reason.message, /Precondition failed: UID in precondition: not-the-uid, UID in object meta: /);
    assert.equal(codeOf(ghost!), 404);
    assert.equal(codeOf(second!), 409);
    assert.match((second as PromiseRejectedResult).reason.message, /already assigned to node "node-p-2"/);
    const pods = await Promise.all(names.map((n) => get(ns, n)));
    assert.ok(['node-a', 'node-b'].includes(pods[0]!.spec!.nodeName!));
    assert.equal(pods[1]!.spec?.nodeName, undefined);
    assert.equal(pods[1]!.metadata!.uid, uidOf1);
    for (const p of pods.slice(2)) {
      assert.equal(p.spec?.nodeName, `node-${p.metadata!.name}`);
      assert.equal(p.status?.conditions?.find((x: { type: string }) => x.type === 'PodScheduled')?.status, 'True');
    }
    // One write per pod: every bound pod has a resourceVersion of its own.
    const rvs = pods.filter((p) => p.spec?.nodeName).map((p) => p.metadata!.resourceVersion);
    assert.equal(new Set(rvs).size, rvs.length);
    // Binding annotations are copied to the pod, as Kubernetes does.
    await c.create('pods', pod('annotated', ns, { schedulerName: 'nobody' }));
    await c.createSubresource('pods', ns, 'annotated', 'binding', binding('annotated', 'node-z', { annotations: { 'example.com/placed-by': 'test' } }));
    assert.equal((await get(ns, 'annotated')).metadata?.annotations?.['example.com/placed-by'], 'test');
  });

  it('nodeSelector gpu=true: the pod waits, then lands on the node once it is labelled, and only there', async () => {
    const ns = await namespace('gpu');
    await makeNodes(node('agent-1'), node('agent-2'), node('agent-3'));
    await c.create('pods', pod('trainer', ns, { nodeSelector: { gpu: 'true' } }));
    const cond = await until('Unschedulable', () => scheduledCondition(ns, 'trainer'));
    assert.equal(cond.reason, 'Unschedulable');
    assert.equal(cond.message, "0/3 nodes are available: 3 node(s) didn't match Pod's node affinity/selector.");
    await c.patch('nodes', '', 'agent-2', 'application/merge-patch+json', { metadata: { labels: { gpu: 'true' } } });
    assert.equal(await until('bound', () => boundTo(ns, 'trainer')), 'agent-2');
    for (let i = 0; i < 5; i++) await c.create('pods', pod(`more-${i}`, ns, { nodeSelector: { gpu: 'true' } }));
    for (let i = 0; i < 5; i++) assert.equal(await until('bound', () => boundTo(ns, `more-${i}`)), 'agent-2');
    const cond2 = await scheduledCondition(ns, 'trainer');
    assert.equal(cond2?.status, 'True'); // the binding set it
    await cleanNodes();
  });

  it('taints: pods without a toleration avoid the tainted node, tolerating pods may use it', async () => {
    const ns = await namespace('taints');
    await makeNodes(node('db-node', { taints: [{ key: 'dedicated', value: 'db', effect: 'NoSchedule' }] }), node('web-node'));
    for (let i = 0; i < 6; i++) await c.create('pods', pod(`web-${i}`, ns));
    for (let i = 0; i < 6; i++) assert.equal(await until('bound', () => boundTo(ns, `web-${i}`)), 'web-node');
    const tol = [{ key: 'dedicated', operator: 'Equal', value: 'db', effect: 'NoSchedule' }];
    await c.create('pods', pod('db-0', ns, { tolerations: tol, nodeSelector: { 'kubernetes.io/hostname': 'db-node' } }));
    assert.equal(await until('bound', () => boundTo(ns, 'db-0')), 'db-node');
    // Without the toleration, a pod pinned to the tainted node stays Pending.
    await c.create('pods', pod('db-1', ns, { nodeSelector: { 'kubernetes.io/hostname': 'db-node' } }));
    const cond = await until('Unschedulable', () => scheduledCondition(ns, 'db-1'));
    assert.equal(cond.message, "0/2 nodes are available: 1 node(s) didn't match Pod's node affinity/selector, 1 node(s) had untolerated taint(s).");
    await cleanNodes();
  });

  it('insufficient cpu: Pending with the message and a FailedScheduling event until a node with room appears', async () => {
    const ns = await namespace('cpu');
    await makeNodes(node('small-1', { cpu: '1' }), node('small-2', { cpu: '1' }));
    await c.create('pods', pod('hungry', ns, {}, {}, '2'));
    const cond = await until('Unschedulable', () => scheduledCondition(ns, 'hungry'));
    assert.equal(cond.status, 'False');
    assert.equal(cond.reason, 'Unschedulable');
    assert.equal(cond.message, '0/2 nodes are available: 2 Insufficient cpu.');
    assert.equal((await get(ns, 'hungry')).status?.phase ?? 'Pending', 'Pending');
    const ev = await until('FailedScheduling event', async () => (await c.list('events', { namespace: ns })).items.find((e: any) => e.reason === 'FailedScheduling' && e.involvedObject.name === 'hungry'));
    assert.equal((ev as any).type, 'Warning');
    assert.equal((ev as any).message, '0/2 nodes are available: 2 Insufficient cpu.');
    await sleep(500);
    assert.equal(await boundTo(ns, 'hungry'), undefined);
    await makeNodes(node('big', { cpu: '8' }));
    assert.equal(await until('bound', () => boundTo(ns, 'hungry')), 'big');
    const scheduled = await until('Scheduled event', async () => (await c.list('events', { namespace: ns })).items.find((e: any) => e.reason === 'Scheduled' && e.involvedObject.name === 'hungry'));
    assert.equal((scheduled as any).message, 'Successfully assigned cpu/hungry to big');
    await cleanNodes();
  });

  it('required anti-affinity spreads replicas one per node; a fourth replica has nowhere to go', async () => {
    const ns = await namespace('anti');
    await makeNodes(node('n-a'), node('n-b'), node('n-c'));
    const spec = {
      affinity: {
        podAntiAffinity: {
          requiredDuringSchedulingIgnoredDuringExecution: [{ labelSelector: { matchLabels: { app: 'cache' } }, topologyKey: 'kubernetes.io/hostname' }],
        },
      },
    };
    // Created back to back: the assumed-pod cache must keep them apart before the watch confirms.
    await Promise.all([0, 1, 2].map((i) => c.create('pods', pod(`cache-${i}`, ns, spec, { app: 'cache' }))));
    const placed = await Promise.all([0, 1, 2].map((i) => until('bound', () => boundTo(ns, `cache-${i}`))));
    assert.deepEqual([...placed].sort(), ['n-a', 'n-b', 'n-c']);
    await c.create('pods', pod('cache-3', ns, spec, { app: 'cache' }));
    const cond = await until('Unschedulable', () => scheduledCondition(ns, 'cache-3'));
    assert.equal(cond.message, "0/3 nodes are available: 3 node(s) didn't match pod anti-affinity rules.");
    await cleanNodes();
  });

  it('leader failover: two scheduler processes, the leader is killed, the other takes over; no pod bound twice', async () => {
    const ns = await namespace('failover');
    await makeNodes(node('f-1', { cpu: '64' }), node('f-2', { cpu: '64' }));
    const name = 'failover-scheduler';
    // Record every nodeName each pod ever had, from a watch on the namespace.
    const history = new Map<string, string[]>();
    const w = c.watch<Pod & KubeObject>('pods', { namespace: ns }, (ev) => {
      if (ev.type !== 'ADDED' && ev.type !== 'MODIFIED') return;
      const n = ev.object.spec?.nodeName;
      if (!n) return;
      const h = history.get(ev.object.metadata!.name!) ?? [];
      if (h[h.length - 1] !== n) h.push(n);
      history.set(ev.object.metadata!.name!, h);
    });
    const spawnScheduler = (id: string) => {
      const ch = spawn(
        process.execPath,
        ['--import', 'tsx', 'packages/scheduler/src/main.ts', '--server', grpcAddress, '--token-file', auth.tokenFile('scheduler'), '--ops-port', '-1', '--scheduler-name', name, '--identity', id],
        { stdio: ['ignore', 'ignore', 'inherit'], env: { ...process.env, K8TS_LOG_LEVEL: 'warn' } },
      );
      children.push(ch);
      return ch;
    };
    const procs = { a: spawnScheduler('sched-a'), b: spawnScheduler('sched-b') };
    const leader = await until('a leader', async () => (await c.get('leases', 'kube-system', 'k8ts-scheduler')).spec?.holderIdentity, 30_000);
    const first = (leader as string).endsWith('a') ? 'a' : 'b';
    for (let i = 0; i < 20; i++) await c.create('pods', pod(`p-${i}`, ns, { schedulerName: name }));
    for (let i = 0; i < 20; i++) await until('bound', () => boundTo(ns, `p-${i}`));
    // Kill the leader (no graceful release) while more pods arrive.
    const killedAt = Date.now();
    process.kill(procs[first].pid!, 'SIGKILL');
    for (let i = 20; i < 40; i++) await c.create('pods', pod(`p-${i}`, ns, { schedulerName: name }));
    for (let i = 20; i < 40; i++) await until('bound after failover', () => boundTo(ns, `p-${i}`), 30_000);
    const tookOver = Date.now() - killedAt;
    const holder = (await c.get('leases', 'kube-system', 'k8ts-scheduler')).spec?.holderIdentity;
    assert.equal(holder, first === 'a' ? 'sched-b' : 'sched-a');
    assert.ok(tookOver < 15_000, `took over after ${tookOver} ms`);
    await sleep(300);
    w.stop();
    assert.equal(history.size, 40);
    for (const [p, h] of history) assert.equal(h.length, 1, `${p} moved: ${h.join(' -> ')}`);
    const other = procs[first === 'a' ? 'b' : 'a'];
    process.kill(other.pid!, 'SIGTERM');
    await new Promise((r) => (other.exitCode !== null || other.signalCode !== null ? r(null) : other.once('exit', r)));
    await cleanNodes();
  });
});
