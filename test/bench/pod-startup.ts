// Pod startup latency: API create → Running observed through a watch, for 50 pods bound to
// one agent (real etcd, real apiserver in-process, the agent over gRPC, real Docker), next
// to the same Docker work done directly with dockerode (pause + app container joined to
// it) in the same run. Prints p50/p99 of both and their ratio. Authorization is on as in
// `k8ts up` (Node,RBAC): the agent runs as system:node:<name>, the bench as an admin.
//   node --import tsx test/bench/pod-startup.ts [--pods 50]
import type { KubeObject, Pod } from '@k8ts/api';
import { buildImages, IMAGES } from '@k8ts/cli';
import { docker, removeByLabel, startBenchNode } from './bench-node.js';

const N = Number(process.argv[process.argv.indexOf('--pods') + 1]) || 50;
process.env.K8TS_LOG_LEVEL ??= 'warn';

function pct(xs: number[], p: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)];
}
const fmt = (ms: number) => `${ms.toFixed(0)} ms`;

async function baseline(net: string, tag: string): Promise<number[]> {
  // All pods at once, as the API burst gives them to the agent.
  return Promise.all(Array.from({ length: N }, (_, i) => baselineOne(net, tag, i)));
}

// What the agent must at least do per pod: pause (shareable IPC, on the network), then the
// app container in its namespaces.
async function baselineOne(net: string, tag: string, i: number): Promise<number> {
  {
    const t0 = performance.now();
    const pause = await docker.createContainer({
      name: `bench-base-${tag}-${i}-pause`,
      Image: IMAGES.pause,
      Hostname: `p${i}`,
      Labels: { 'k8ts.bench': tag },
      HostConfig: { NetworkMode: net, IpcMode: 'shareable' },
    });
    await pause.start();
    const app = await docker.createContainer({
      name: `bench-base-${tag}-${i}-app`,
      Image: 'k8ts/busybox:1.36',
      Cmd: ['sleep', '3600'],
      Labels: { 'k8ts.bench': tag },
      HostConfig: { NetworkMode: `container:${pause.id}`, IpcMode: `container:${pause.id}` },
    });
    await app.start();
    return performance.now() - t0;
  }
}

async function main(): Promise<void> {
  await buildImages({});
  const { tag, node, netName, client, stop } = await startBenchNode('startup', (t) => [t, `${t}s`, `${t}w`]);
  try {
    // warm-up: one pod through each path, so image and network caches are hot for both
    await baseline(netName, `${tag}w`).then(() => removeByLabel(`k8ts.bench=${tag}w`));

    const base = await baseline(netName, tag);
    await removeByLabel(`k8ts.bench=${tag}`);

    const created = new Map<string, number>();
    const running = new Map<string, number>();
    let resolveAll!: () => void;
    const all = new Promise<void>((r) => (resolveAll = r));
    const watch = client.watch<KubeObject>('pods', { namespace: 'default' }, (ev) => {
      const p = ev.object as unknown as Pod;
      const name = p.metadata?.name ?? '';
      if (p.status?.phase === 'Running' && created.has(name) && !running.has(name)) {
        running.set(name, performance.now());
        if (running.size === N) resolveAll();
      }
    });
    await new Promise((r) => setTimeout(r, 300));
    const t0 = performance.now();
    await Promise.all(
      Array.from({ length: N }, async (_, i) => {
        const name = `bench-${i}`;
        created.set(name, performance.now());
        await client.create('pods', {
          apiVersion: 'v1',
          kind: 'Pod',
          metadata: { name, namespace: 'default' },
          spec: { nodeName: node, terminationGracePeriodSeconds: 0, containers: [{ name: 'app', image: 'k8ts/busybox:1.36', command: ['sleep', '3600'] }] },
        });
      }),
    );
    const timeout = setTimeout(() => resolveAll(), 120_000);
    await all;
    clearTimeout(timeout);
    const wall = performance.now() - t0;
    watch.stop();
    const lat = [...running].map(([n, t]) => t - created.get(n)!);
    const bp50 = pct(base, 50);
    const bp99 = pct(base, 99);
    const ap50 = pct(lat, 50);
    const ap99 = pct(lat, 99);
    console.log(`pod startup, ${N} pods at once, one agent (${running.size}/${N} Running)`);
    console.log(`  plain dockerode pause+app : p50 ${fmt(bp50)}  p99 ${fmt(bp99)}`);
    console.log(`  k8ts API create → Running : p50 ${fmt(ap50)}  p99 ${fmt(ap99)}  (all ${N} in ${fmt(wall)})`);
    console.log(`  ratio k8ts / plain        : p50 ${(ap50 / bp50).toFixed(2)}×  p99 ${(ap99 / bp99).toFixed(2)}×  (target p99 ≤ 1.3×; Kubernetes SLO p99 ≤ 5 s)`);

    // One pod at a time: the agent's own overhead per pod, without Docker contention.
    const SEQ = 10;
    // Alternating plain and k8ts pods, so both see the same engine state.
    const seqBase: number[] = [];
    const seqApi: number[] = [];
    for (let i = 0; i < SEQ; i++) {
      seqBase.push(await baselineOne(netName, `${tag}s`, i));
      const name = `seq-${i}`;
      let done!: () => void;
      const ran = new Promise<void>((r) => (done = r));
      const w = client.watch<KubeObject>('pods', { namespace: 'default', fieldSelector: `metadata.name=${name}` }, (ev) => {
        if ((ev.object as unknown as Pod).status?.phase === 'Running') done();
      });
      await new Promise((r) => setTimeout(r, 100));
      const t = performance.now();
      await client.create('pods', { apiVersion: 'v1', kind: 'Pod', metadata: { name, namespace: 'default' }, spec: { nodeName: node, terminationGracePeriodSeconds: 0, containers: [{ name: 'app', image: 'k8ts/busybox:1.36', command: ['sleep', '3600'] }] } });
      await ran;
      seqApi.push(performance.now() - t);
      w.stop();
    }
    await removeByLabel(`k8ts.bench=${tag}s`);
    const sb50 = pct(seqBase, 50);
    const sa50 = pct(seqApi, 50);
    console.log(`pod startup, ${SEQ} pods one at a time`);
    console.log(`  plain dockerode pause+app : p50 ${fmt(sb50)}  p99 ${fmt(pct(seqBase, 99))}`);
    console.log(`  k8ts API create → Running : p50 ${fmt(sa50)}  p99 ${fmt(pct(seqApi, 99))}`);
    console.log(`  ratio k8ts / plain        : p50 ${(sa50 / sb50).toFixed(2)}×  p99 ${(pct(seqApi, 99) / pct(seqBase, 99)).toFixed(2)}×`);
  } finally {
    await stop();
  }
}

await main();
process.exit(0);
