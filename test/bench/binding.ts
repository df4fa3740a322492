// Benchmark of the apiserver's pods/binding path alone (registry over a real etcd, no gRPC):
//   baseline — each bind reads its pod, then writes it with a compare-and-swap (get + txn);
//   PodBinder — the binds that arrive together read their pods in one etcd transaction, then
//               each writes its own compare-and-swap (packages/apiserver/src/registry/binding.ts).
// Both bind M fresh pods with C binds in flight; printed as pods/s and CPU per bind (this process
// and etcd), the PodBinder as a ratio of the baseline measured in the same run.
//   node --import tsx test/bench/binding.ts [--pods 3000] [--in-flight 64] [--rounds 2]
import { availableParallelism, loadavg } from 'node:os';
import { performance } from 'node:perf_hooks';
import { Etcd3 } from 'etcd3';
import type { KubeObject } from '@k8ts/api';
import { startEtcd } from '../support/etcd.js';
import { Store } from '../../packages/apiserver/src/storage/store.js';
import { EtcdKv } from '../../packages/apiserver/src/storage/etcd-kv.js';
import { objectKey } from '../../packages/apiserver/src/storage/keys.js';
import { PodBinder } from '../../packages/apiserver/src/registry/binding.js';
import { pool } from './support/calls.js';
import { processCpuSeconds } from './support/apiserver.js';

const args = process.argv.slice(2);
const arg = (name: string, def: string) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1]! : def;
};
const M = Number(arg('pods', '3000'));
const IN_FLIGHT = Number(arg('in-flight', '64'));
const ROUNDS = Number(arg('rounds', '2'));
const NS = 'bench';

const ownCpu = () => (process.cpuUsage().user + process.cpuUsage().system) / 1e6;

function pod(name: string): KubeObject {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, namespace: NS, uid: `uid-${name}`, creationTimestamp: new Date().toISOString() },
    spec: { schedulerName: 'nobody', containers: [{ name: 'c', image: 'k8ts/pause', resources: { requests: { cpu: '10m', memory: '16Mi' } } }] },
    status: { phase: 'Pending' },
  };
}

/** The bind as it was before PodBinder: a read of its own, then the compare-and-swap. */
async function getThenTxn(store: Store, name: string, node: string): Promise<void> {
  const key = objectKey('pods', NS, name);
  for (let attempt = 0; attempt < 8; attempt++) {
    const cur = await store.get(key);
    if (!cur) throw new Error(`${name} not found`);
    if (cur.spec?.nodeName) throw new Error(`${name} already bound`);
    const next = structuredClone(cur);
    next.spec = { ...next.spec, nodeName: node };
    next.status = { ...next.status, conditions: [{ type: 'PodScheduled', status: 'True', lastProbeTime: null, lastTransitionTime: new Date().toISOString() }] };
    if ((await store.update(key, next, cur.metadata.resourceVersion!)).ok) return;
  }
  throw new Error(`${name}: too many conflicts`);
}

const etcd = await startEtcd();
const client = new Etcd3({ hosts: etcd.url });
// The etcd client the apiserver uses (start.ts).
const kv = new EtcdKv({ servers: [etcd.url] });
try {
  const store = new Store(client, undefined, kv);
  const binder = new PodBinder(store);
  const variants: [string, (name: string, node: string) => Promise<unknown>][] = [
    ['get + txn per bind (before)', (n, node) => getThenTxn(store, n, node)],
    ['PodBinder: shared read + txn', (n, node) => binder.bind(NS, n, { apiVersion: 'v1', kind: 'Binding', metadata: { name: n, uid: `uid-${n}` }, target: { kind: 'Node', name: node } } as KubeObject, {})],
  ];
  const results = new Map<string, { rate: number; own: number; etcd: number }[]>();
  for (let round = 0; round < ROUNDS; round++) {
    for (const [label, bind] of variants) {
      const names = Array.from({ length: M }, (_, i) => `r${round}-${label.length}-${i}`);
      await pool(names, 64, async (n) => void (await store.create(objectKey('pods', NS, n), pod(n))));
      const cpu0 = { own: ownCpu(), etcd: processCpuSeconds(etcd.pid!) };
      const t0 = performance.now();
      let i = 0;
      await pool(names, IN_FLIGHT, async (n) => void (await bind(n, `node-${i++ % 1000}`)));
      const secs = (performance.now() - t0) / 1000;
      const stored = (await store.list(`/registry/pods/${NS}/r${round}-${label.length}-`)).items;
      if (stored.filter((p) => p.spec?.nodeName?.startsWith('node-')).length !== M) throw new Error(`${label}: not every pod was bound`);
      const r = { rate: M / secs, own: ((ownCpu() - cpu0.own) * 1000) / M, etcd: ((processCpuSeconds(etcd.pid!) - cpu0.etcd) * 1000) / M };
      results.set(label, [...(results.get(label) ?? []), r]);
    }
  }
  console.log(`pods/binding path: ${M} binds per variant and round, ${IN_FLIGHT} in flight, ${ROUNDS} rounds (alternating)`);
  const best = (label: string) => results.get(label)!.reduce((a, b) => (b.rate > a.rate ? b : a));
  const base = best(variants[0]![0]);
  for (const [label] of variants) {
    const r = best(label);
    console.log(
      `  ${label.padEnd(32)} ${r.rate.toFixed(0).padStart(6)} binds/s  ${(r.rate / base.rate).toFixed(2)}   CPU per bind: registry ${r.own.toFixed(2)} ms, etcd ${r.etcd.toFixed(2)} ms  (${(r.own / base.own).toFixed(2)}, ${(r.etcd / base.etcd).toFixed(2)} of baseline)`,
    );
  }
  console.log(`  load average ${loadavg().map((l) => l.toFixed(1)).join(' ')} on ${availableParallelism()} cores`);
} finally {
  kv.close();
  client.close();
  await etcd.stop();
}
