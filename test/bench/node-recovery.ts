// Node failure recovery: a 3-node cluster (real etcd, apiserver, scheduler and
// controller-manager in-process, three real agents on Docker) runs a 6-replica Deployment;
// one agent is stopped (its containers keep running, as after a kubelet crash) and the time
// until all 6 replicas are Ready on the other nodes is measured, 5 times. Printed next to
// the cold start of the same 6 replicas in the same run (create → all Ready), as a ratio.
// Defaults under test: --node-monitor-grace-period 4s, --default-toleration-seconds 2.
// Authorization is on as in `k8ts up` (Node,RBAC): each component and agent runs as itself.
//   node --import tsx test/bench/node-recovery.ts [--runs 5]
import Docker from 'dockerode';
import type { KubeObject, Pod } from '@k8ts/api';
import { GrpcClient, createLogger, type Client } from '@k8ts/client';
import { startApiServer } from '@k8ts/apiserver';
import { startAgent, type Agent } from '@k8ts/agent';
import { buildImages } from '@k8ts/cli';
import { startScheduler } from '@k8ts/scheduler';
import { startControllerManager } from '@k8ts/controller-manager';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startEtcd } from '../support/etcd.js';
import { writeClusterAuth } from '../support/cluster-auth.js';

const RUNS = Number(process.argv[process.argv.indexOf('--runs') + 1]) || 5;
const REPLICAS = 6;
const docker = new Docker();
process.env.K8TS_LOG_LEVEL ??= 'warn';
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function pct(xs: number[], p: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil((p / 100) * s.length) - 1))]!;
}
const sec = (ms: number) => `${(ms / 1000).toFixed(2)} s`;
const isReady = (p: Pod) => !p.metadata.deletionTimestamp && !!p.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True');

async function until<T>(what: string, f: () => Promise<T | undefined | false>, timeoutMs: number, everyMs = 50): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await f().catch(() => undefined);
    if (v) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(everyMs);
  }
}

async function main(): Promise<void> {
  await buildImages({});
  const tag = Math.random().toString(36).slice(2, 8);
  const octet = 220 + Math.floor(Math.random() * 30);
  const net = { network: `k8ts-rec-${tag}`, subnet: `10.${octet}.0.0/16`, ipRange: `10.${octet}.0.0/17`, gateway: `10.${octet}.0.1` };
  const nodes = [1, 2, 3].map((i) => `rec-${tag}-${i}`);
  const logger = createLogger('bench');
  logger.level = 'warn';
  const etcd = await startEtcd();
  const authDir = mkdtempSync(join(tmpdir(), 'k8ts-bench-recovery-'));
  const auth = writeClusterAuth(authDir, { nodes, audit: false });
  const api = await startApiServer({ etcdServers: [etcd.url], port: 0, grpcPort: 0, ...auth.apiserver, logger, defaultTolerationSeconds: 2 });
  const server = `127.0.0.1:${api.grpcPort}`;
  const mk = (token: string): Client => new GrpcClient({ server, token });
  const c = mk(auth.adminToken);
  const agents = new Map<string, Agent>();
  const startNode = async (name: string) => agents.set(name, await startAgent({ client: mk(auth.componentToken('agent', name)), nodeName: name, ...net, opsPort: -1, streams: false, log: logger }));
  const sched = await startScheduler({ client: mk(auth.componentToken('scheduler')), closeClient: true, leaderElect: false, logger });
  const cm = await startControllerManager({ client: mk(auth.componentToken('controller-manager')), opsPort: -1, leaderElect: false });
  const pods = async () => (await c.list<Pod & KubeObject>('pods', { namespace: 'default', labelSelector: 'app=rec' })).items;
  try {
    for (const n of nodes) await startNode(n);
    await until('nodes Ready', async () => (await c.list('nodes')).items.filter((n) => n.status?.conditions?.some((x: { type: string; status: string }) => x.type === 'Ready' && x.status === 'True')).length === 3, 60_000);

    const t0 = Date.now();
    await c.create('deployments', {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'rec', namespace: 'default' },
      spec: {
        replicas: REPLICAS,
        selector: { matchLabels: { app: 'rec' } },
        template: { metadata: { labels: { app: 'rec' } }, spec: { terminationGracePeriodSeconds: 1, containers: [{ name: 'hello', image: 'k8ts/hello:1.0' }] } },
      },
    });
    await until('cold start', async () => (await pods()).filter(isReady).length === REPLICAS, 120_000);
    const coldStart = Date.now() - t0;

    // Timeline of the replacements, from a watch: evicted (deletionTimestamp), created, bound, Ready.
    const marks = new Map<string, { created?: number; bound?: number; ready?: number }>();
    let evictedAt: number | undefined;
    const watch = c.watch<Pod & KubeObject>('pods', { namespace: 'default', labelSelector: 'app=rec' }, (ev) => {
      const p = ev.object as Pod & KubeObject;
      if (!p?.metadata?.name) return;
      const now = Date.now();
      if (p.metadata.deletionTimestamp) {
        evictedAt ??= now;
        return;
      }
      const m = marks.get(p.metadata.name) ?? {};
      if (ev.type === 'ADDED') m.created ??= now;
      if (p.spec?.nodeName) m.bound ??= now;
      if (isReady(p)) m.ready ??= now;
      marks.set(p.metadata.name, m);
    });
    const recoveries: number[] = [];
    for (let run = 1; run <= RUNS; run++) {
      const before = (await pods()).filter(isReady);
      const perNode = new Map<string, number>();
      for (const p of before) perNode.set(p.spec!.nodeName!, (perNode.get(p.spec!.nodeName!) ?? 0) + 1);
      const victim = [...perNode].sort((a, b) => b[1] - a[1])[0]![0];
      const start = Date.now();
      const existing = new Set((await pods()).map((p) => p.metadata.name));
      evictedAt = undefined;
      await agents.get(victim)!.stop();
      agents.delete(victim);
      await until('replicas Ready elsewhere', async () => (await pods()).filter((p) => isReady(p) && p.spec?.nodeName !== victim).length === REPLICAS, 120_000, 25);
      const took = Date.now() - start;
      recoveries.push(took);
      const fresh = [...marks].filter(([n, m]) => !existing.has(n) && m.created && m.created > start).map(([, m]) => m);
      const last = (k: 'created' | 'bound' | 'ready') => Math.max(...fresh.map((m) => m[k] ?? 0));
      if (evictedAt && fresh.length)
        console.log(
          `   first eviction at ${sec(evictedAt - start)}; replacements created by ${sec(last('created') - start)}, bound by ${sec(last('bound') - start)}, Ready by ${sec(last('ready') - start)}`,
        );
      console.log(`${new Date(start).toISOString()} run ${run}: stopped the agent of ${victim} (${perNode.get(victim)} replicas): all ${REPLICAS} Ready elsewhere after ${sec(took)}`);
      // The agent returns: it finishes the evicted pods and the node is untainted.
      await startNode(victim);
      await until('node back and clean', async () => {
        const n = await c.get('nodes', '', victim);
        const ps = await pods();
        return !n.spec?.taints?.length && ps.length === REPLICAS && ps.every(isReady);
      }, 120_000, 200);
    }
    console.log('');
    console.log(`node failure recovery over ${RUNS} runs (grace 4 s, toleration 2 s, ${REPLICAS} replicas on 3 nodes):`);
    console.log(`  p50 ${sec(pct(recoveries, 50))}   max ${sec(Math.max(...recoveries))}   (target p50 <= 8 s)`);
    console.log(`  baseline: cold start of the same ${REPLICAS} replicas ${sec(coldStart)}`);
    console.log(`  recovery p50 / cold start = ${(pct(recoveries, 50) / coldStart).toFixed(2)}x`);
    watch.stop();
  } finally {
    await cm.stop().catch(() => undefined);
    await sched.stop().catch(() => undefined);
    for (const a of agents.values()) await a.stop().catch(() => undefined);
    const left = await docker.listContainers({ all: true, filters: { label: ['io.k8ts.node'] } });
    await Promise.all(left.filter((x) => nodes.includes(x.Labels['io.k8ts.node']!)).map((x) => docker.getContainer(x.Id).remove({ force: true, v: true }).catch(() => undefined)));
    const nets = await docker.listNetworks({ filters: { name: [net.network] } });
    for (const n of nets.filter((x) => x.Name === net.network)) await docker.getNetwork(n.Id).remove().catch(() => undefined);
    c.close();
    await api.stop();
    await etcd.stop();
    rmSync(authDir, { recursive: true, force: true });
  }
}

main().then(
  () => process.exit(0),
  (e) => {
    console.error(e);
    process.exit(1);
  },
);
