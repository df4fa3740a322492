// Resident memory of the control plane idle and at issue 19's load: 1000 hollow nodes (Node
// objects whose Leases this process renews every 10 s, as kubemark's do) and 5000 pods of 50
// Deployments, scheduled and owned as in a cluster. apiserver, scheduler and controller-manager
// (and dns, which watches Services and EndpointSlices) run as their own processes, compiled and
// with the node flags `k8ts up` gives them, under Node,RBAC with their own identities.
// Each component's RSS (VmRSS) and peak (VmHWM) is printed idle (15 s after start, nothing but
// the bootstrap objects), then after every pod is bound and --settle seconds of quiet, beside
// Kubernetes v1.26's figures measured on this machine (issue 19) and the targets.
//   node --import tsx test/bench/footprint-load.ts [--nodes 1000] [--pods 5000] [--settle 20]
// BENCH_<COMPONENT>_NODE_ARGS (APISERVER, SCHEDULER, CONTROLLER_MANAGER) add node flags, e.g.
// --heapsnapshot-signal=SIGUSR2 to take heap snapshots at load (BENCH_SNAPSHOT=1 sends it).
import { APISERVER_NODE_FLAGS } from '@k8ts/apiserver/node-flags';
import { COMPONENT_ENV, COMPONENT_NODE_FLAGS } from '@k8ts/client/node-flags';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import * as grpc from '@grpc/grpc-js';
import { GRPC_CLIENT_OPTIONS, GrpcClient, Informer, NodesClient, keepIdleExchangeStreams } from '@k8ts/client';
import type { KubeObject } from '@k8ts/api';
import { startEtcd } from '../support/etcd.js';
import { writeClusterAuth } from '../support/cluster-auth.js';
import { componentArgs } from './support/component.js';
import { hollowNode } from './hollow-node.js';
import { codeIs, pool, retrying } from './support/calls.js';

const args = process.argv.slice(2);
const arg = (name: string, def: number) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? Number(args[i + 1]) : def;
};
const N = arg('nodes', 1000);
const M = arg('pods', 5000);
const SETTLE_S = arg('settle', 20);
const PER_DEPLOYMENT = 100;
const LEASE_RENEW_MS = 10_000;
const NS = 'load';
const load = () => loadavg().map((l) => l.toFixed(1)).join(' ');
const nodeArgs = (c: string) => (process.env[`BENCH_${c.toUpperCase().replace('-', '_')}_NODE_ARGS`] ?? '').split(' ').filter(Boolean);

// Kubernetes v1.26 on this machine (issue 19): idle, and at 1000 nodes / 5000 pods; the targets.
const KUBERNETES: Record<string, { idle?: number; load?: number; targetIdle?: number; targetLoad?: number }> = {
  apiserver: { idle: 250, load: 500, targetLoad: 250 },
  scheduler: { idle: 49, load: 149, targetIdle: 70, targetLoad: 120 },
  'controller-manager': { idle: 70, load: 143, targetIdle: 70, targetLoad: 120 },
  dns: { targetIdle: 70 },
};

function deployment(i: number, replicas: number): KubeObject {
  const app = `app-${String(i).padStart(2, '0')}`;
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: app, namespace: NS },
    spec: {
      replicas,
      selector: { matchLabels: { app } },
      template: {
        metadata: { labels: { app, tier: 'bench' } },
        spec: { containers: [{ name: 'c', image: 'k8ts/hello:1.0', ports: [{ containerPort: 8080 }], resources: { requests: { cpu: '10m', memory: '16Mi' } } }] },
      },
    },
  };
}

interface Proc { name: string; child: ChildProcess; out: string }

function start(name: string, entry: string[], argv: string[], flags: readonly string[], env: Readonly<Record<string, string>> = {}): Proc {
  const child = spawn(process.execPath, [...flags, ...nodeArgs(name), ...entry, ...argv], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, K8TS_LOG_LEVEL: process.env.K8TS_LOG_LEVEL ?? 'warn', ...env },
  });
  const p: Proc = { name, child, out: '' };
  const keep = (d: Buffer) => void (p.out = (p.out + d).slice(-20_000));
  child.stdout!.on('data', keep);
  child.stderr!.on('data', keep);
  return p;
}

async function stop(p: Proc | undefined): Promise<void> {
  if (!p || p.child.exitCode !== null || p.child.signalCode !== null) return;
  p.child.kill('SIGTERM');
  await Promise.race([new Promise((r) => p.child.once('exit', r)), sleep(15_000)]);
  if (p.child.exitCode === null && p.child.signalCode === null) p.child.kill('SIGKILL');
}

const memOf = (p: Proc) => {
  const status = readFileSync(`/proc/${p.child.pid}/status`, 'utf8');
  const mib = (field: string) => Number(new RegExp(`${field}:\\s+(\\d+) kB`).exec(status)?.[1]) / 1024;
  return { rss: mib('VmRSS'), peak: mib('VmHWM') };
};

const authDir = mkdtempSync(join(tmpdir(), 'k8ts-bench-fpload-'));
const nodeNames = Array.from({ length: N }, (_, i) => hollowNode(i, true).metadata.name!);
const auth = writeClusterAuth(authDir, { nodes: nodeNames, audit: false });
const etcd = await startEtcd(['--quota-backend-bytes', String(4 * 1024 * 1024 * 1024)]);
const procs: Proc[] = [];
let leasesStopped = false;
const leaseTimers = new Set<NodeJS.Timeout>();
let leaseChannel: grpc.Channel | undefined;
const leaseClients = new Map<string, NodesClient>();
let c: GrpcClient | undefined;
let bound: Informer<KubeObject> | undefined;
try {
  console.log(`load before: ${load()}`);
  const api = start('apiserver', await componentArgs('apiserver'), ['--etcd-servers', etcd.url, '--port', '0', '--grpc-port', '0', ...auth.apiserverFlags], APISERVER_NODE_FLAGS);
  procs.push(api);
  let server = '';
  while (!server) {
    const m = /"msg":"apiserver ready","restPort":\d+,"grpcPort":(\d+)/.exec(api.out);
    if (m) server = `127.0.0.1:${m[1]}`;
    if (api.child.exitCode !== null) throw new Error(`apiserver exited: ${api.out.slice(-2000)}`);
    await sleep(50);
  }
  const client = (pkg: string) => ['--server', server, '--token-file', auth.tokenFile(pkg), '--ops-port', '-1'];
  procs.push(start('scheduler', await componentArgs('scheduler'), [...client('scheduler'), '--no-leader-elect'], COMPONENT_NODE_FLAGS, COMPONENT_ENV));
  // Hollow nodes renew every 10 s: the controller-manager waits 40 s (kube-controller-manager's
  // default) before a node is unhealthy, and goes by lease age alone (they hold no Connect stream).
  procs.push(start('controller-manager', await componentArgs('controller-manager'), [...client('controller-manager'), '--leader-elect', 'false', '--node-monitor-grace-period', '40s', '--node-disconnect-grace-period', '0'], COMPONENT_NODE_FLAGS, COMPONENT_ENV));
  procs.push(start('dns', await componentArgs('dns'), [...client('dns'), '--listen', '127.0.0.1:0', '--upstream', '127.0.0.1:9'], COMPONENT_NODE_FLAGS, COMPONENT_ENV));
  await sleep(15_000);
  for (const p of procs) if (p.child.exitCode !== null) throw new Error(`${p.name} exited ${p.child.exitCode}: ${p.out.slice(-2000)}`);
  const idle = new Map(procs.map((p) => [p.name, memOf(p)]));
  console.log(`idle (15 s after start): ${procs.map((p) => `${p.name} ${idle.get(p.name)!.rss.toFixed(0)}`).join(', ')} MiB; load ${load()}`);

  c = new GrpcClient({ server, token: auth.adminToken });
  leaseChannel = new grpc.Channel(server, grpc.credentials.createInsecure(), GRPC_CLIENT_OPTIONS);
  keepIdleExchangeStreams();
  for (const name of nodeNames) leaseClients.set(name, new NodesClient({ server, token: auth.componentToken('agent', name) }, leaseChannel));
  const t0 = Date.now();
  // Each node's Lease right after the node, so none looks unhealthy while the others are made.
  await pool(Array.from({ length: N }, (_, i) => hollowNode(i, true)), 32, async (n) => {
    await retrying(() => c!.create('nodes', n), codeIs(409));
    await leaseClients.get(n.metadata.name!)!.renewLease(n.metadata.name!, 40).catch(() => undefined);
  });
  const renew = (name: string, delay: number) => {
    const timer = setTimeout(async () => {
      leaseTimers.delete(timer);
      await leaseClients.get(name)!.renewLease(name, 40).catch(() => undefined);
      if (!leasesStopped) renew(name, LEASE_RENEW_MS);
    }, delay);
    leaseTimers.add(timer);
  };
  nodeNames.forEach((n, i) => renew(n, (i * LEASE_RENEW_MS) / N));
  console.log(`${N} hollow nodes with leases in ${((Date.now() - t0) / 1000).toFixed(1)} s`);

  await retrying(() => c!.create('namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: NS } }), codeIs(409));
  bound = new Informer<KubeObject>(c, { resource: 'pods', namespace: NS, fieldSelector: 'spec.nodeName!=' });
  bound.start();
  await bound.waitForSync();
  const deployments = Math.ceil(M / PER_DEPLOYMENT);
  for (let i = 0; i < deployments; i++) await retrying(() => c!.create('deployments', deployment(i, Math.min(PER_DEPLOYMENT, M - i * PER_DEPLOYMENT))), codeIs(409));
  let report = Date.now() + 15_000;
  while (bound.size < M) {
    for (const p of procs) if (p.child.exitCode !== null) throw new Error(`${p.name} exited ${p.child.exitCode}: ${p.out.slice(-2000)}`);
    if (Date.now() > report) {
      const why = (await c.list('events', { namespace: NS, fieldSelector: 'reason=FailedScheduling', limit: 1 }).catch(() => ({ items: [] as KubeObject[] }))).items[0] as { message?: string } | undefined;
      console.error(`  … ${bound.size}/${M} pods bound, load ${load()}${why ? `; FailedScheduling: ${why.message}` : ''}`);
      report = Date.now() + 15_000;
    }
    if (Date.now() - t0 > 900_000) throw new Error(`only ${bound.size}/${M} pods bound after 15 minutes`);
    await sleep(200);
  }
  await bound.stop();
  console.log(`${M} pods of ${deployments} Deployments bound ${((Date.now() - t0) / 1000).toFixed(1)} s after the first node; settling ${SETTLE_S} s`);
  await sleep(SETTLE_S * 1000);
  const notReady = (await c.list('nodes').catch(() => ({ items: [] as KubeObject[] }))).items.filter((n: any) => !n.status?.conditions?.some((x: any) => x.type === 'Ready' && x.status === 'True')).length;
  const atLoad = new Map(procs.map((p) => [p.name, memOf(p)]));
  if (process.env.BENCH_SNAPSHOT) {
    for (const p of procs) p.child.kill('SIGUSR2');
    await sleep(30_000);
  }

  console.log(`\nresident memory (MiB), idle and at ${N} nodes / ${M} pods (${notReady} nodes not Ready), compiled, with the components' node flags:`);
  for (const p of procs) {
    const k = KUBERNETES[p.name] ?? {};
    const i = idle.get(p.name)!;
    const l = atLoad.get(p.name)!;
    const verdict = (v: number, t?: number) => (t === undefined ? '' : ` (≤ ${t}: ${v <= t ? 'met' : 'NOT met'})`);
    console.log(`  ${p.name.padEnd(19)} idle ${i.rss.toFixed(0).padStart(4)}${verdict(i.rss, k.targetIdle)}${k.idle ? `, Kubernetes ≈ ${k.idle}` : ''};  at load ${l.rss.toFixed(0).padStart(4)} (peak ${l.peak.toFixed(0)})${verdict(l.rss, k.targetLoad)}${k.load ? `, Kubernetes ≈ ${k.load}` : ''}`);
  }
  console.log(`load at the end: ${load()}`);
} catch (e) {
  for (const p of procs) console.error(`--- ${p.name} (${p.child.exitCode ?? 'running'}):\n${p.out.slice(-1500)}`);
  throw e;
} finally {
  leasesStopped = true;
  await bound?.stop();
  for (const t of leaseTimers) clearTimeout(t);
  for (const l of leaseClients.values()) l.close();
  leaseChannel?.close();
  c?.close();
  for (const p of [...procs].reverse()) await stop(p);
  await etcd.stop();
  rmSync(authDir, { recursive: true, force: true });
}
