// Exit latency: a container's exit (Docker's `die` event) → the pod's phase Succeeded seen
// by a watch, for 20 pods that exit after a short sleep, one agent (real etcd, apiserver
// in-process, the agent over gRPC, real Docker). Beside it, in the same run, the same
// container under plain `docker run` semantics (dockerode create+start → its `die` event),
// so the engine's own pace is visible. Prints p50/p90/max and the CPU time of this process
// (apiserver + agent + bench) per pod.
//   node --import tsx test/bench/exit-latency.ts [--pods 20] [--sleep 1]
import type { KubeObject, Pod } from '@k8ts/api';
import { buildImages } from '@k8ts/cli';
import { loadavg } from 'node:os';
import { docker, removeByLabel, startBenchNode } from './bench-node.js';

const arg = (name: string, dflt: number) => {
  const i = process.argv.indexOf(name);
  return i > 0 ? Number(process.argv[i + 1]) || dflt : dflt;
};
const N = arg('--pods', 20);
const SLEEP = arg('--sleep', 1);
process.env.K8TS_LOG_LEVEL ??= 'warn';

function pct(xs: number[], p: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil((p / 100) * s.length) - 1))];
}
const fmt = (ms: number) => `${ms.toFixed(0)} ms`;
const row = (xs: number[]) => `p50 ${fmt(pct(xs, 50))}  p90 ${fmt(pct(xs, 90))}  max ${fmt(Math.max(...xs))}`;

/** Docker's die events of containers carrying `label`, by the value of `key`, at the time this process read them. */
async function dieEvents(label: string, key: string, onDie: (value: string, at: number, id: string) => void): Promise<{ stop(): void }> {
  const filters = JSON.stringify({ type: ['container'], event: ['die', 'start'], label: [label] });
  const stream = (await docker.getEvents({ filters: filters as unknown as Record<string, string[]> })) as NodeJS.ReadableStream & { destroy(): void };
  let buf = '';
  stream.on('data', (chunk: Buffer) => {
    const at = performance.now();
    buf += chunk.toString('utf8');
    let nl: number;
    while ((nl = buf.indexOf('\n')) >= 0) {
      const line = buf.slice(0, nl).trim();
      buf = buf.slice(nl + 1);
      if (!line) continue;
      const ev = JSON.parse(line) as { Action: string; Actor?: { ID?: string; Attributes?: Record<string, string> } };
      const v = ev.Actor?.Attributes?.[key];
      if (ev.Action === 'die' && v) onDie(v, at, ev.Actor?.ID ?? '');
    }
  });
  return { stop: () => stream.destroy() };
}

// The baseline: what `docker run --rm` of the same container costs from start to its die
// event, all N at once as the agent gets them.
async function baseline(tag: string): Promise<{ run: number[]; seen: number[] }> {
  const started = new Map<string, number>();
  const lat = new Map<string, number>();
  const seen: Promise<number>[] = [];
  let done!: () => void;
  const all = new Promise<void>((r) => (done = r));
  const ev = await dieEvents(`k8ts.bench=${tag}`, 'k8ts.bench.name', (name, at, id) => {
    // The least any watcher of the engine pays: from the event until inspect shows the exit.
    seen.push(exitSeen(id).then((t) => t - at));
    const t = started.get(name);
    if (t !== undefined && !lat.has(name)) lat.set(name, at - t);
    if (lat.size === N) done();
  });
  await Promise.all(
    Array.from({ length: N }, async (_, i) => {
      const name = `b${i}`;
      const c = await docker.createContainer({ Image: 'k8ts/busybox:1.36', Cmd: ['sleep', String(SLEEP)], Labels: { 'k8ts.bench': tag, 'k8ts.bench.name': name } });
      started.set(name, performance.now());
      await c.start();
    }),
  );
  const t = setTimeout(done, 60_000);
  await all;
  clearTimeout(t);
  ev.stop();
  await removeByLabel(`k8ts.bench=${tag}`);
  // start → die, less the sleep: the engine's own overhead around the command
  return { run: [...lat.values()].map((x) => x - SLEEP * 1000), seen: await Promise.all(seen) };
}

/** When inspect first shows the container stopped. */
async function exitSeen(id: string): Promise<number> {
  for (;;) {
    const i = await docker.getContainer(id).inspect();
    if (!i.State.Running) return performance.now();
    await new Promise((r) => setTimeout(r, 5));
  }
}

/** Progress on stderr with BENCH_DEBUG=1 (on a loaded machine a run takes minutes). */
const say = (m: string) => process.env.BENCH_DEBUG && console.error(`[${new Date().toISOString()}] ${m}`);
async function main(): Promise<void> {
  await buildImages({});
  const { tag, node, client, stop: cleanup } = await startBenchNode('exit', (t) => [t, `${t}w`]);
  try {
    say('cluster up');
    await baseline(`${tag}w`); // warm-up: image and engine caches
    const base = await baseline(tag);
    say('baseline done');

    const died = new Map<string, number>();
    const succeeded = new Map<string, number>();
    let resolveAll!: () => void;
    const all = new Promise<void>((r) => (resolveAll = r));
    const ev = await dieEvents(`io.k8ts.node=${node}`, 'io.kubernetes.pod.name', (name, at) => {
      if (!died.has(name)) died.set(name, at);
    });
    const watch = client.watch<KubeObject>('pods', { namespace: 'default' }, (e) => {
      const p = e.object as unknown as Pod;
      const name = p.metadata?.name ?? '';
      if (p.status?.phase === 'Succeeded' && !succeeded.has(name)) {
        succeeded.set(name, performance.now());
        if (succeeded.size === N) resolveAll();
      }
    });
    await new Promise((r) => setTimeout(r, 300));
    const cpu0 = process.cpuUsage();
    await Promise.all(
      Array.from({ length: N }, (_, i) =>
        client.create('pods', {
          apiVersion: 'v1',
          kind: 'Pod',
          metadata: { name: `exit-${i}`, namespace: 'default' },
          spec: { nodeName: node, restartPolicy: 'Never', terminationGracePeriodSeconds: 0, containers: [{ name: 'app', image: 'k8ts/busybox:1.36', command: ['sleep', String(SLEEP)] }] },
        }),
      ),
    );
    const timeout = setTimeout(() => resolveAll(), 120_000);
    await all;
    clearTimeout(timeout);
    const cpu = process.cpuUsage(cpu0);
    watch.stop();
    ev.stop();
    const lat = [...succeeded].filter(([n]) => died.has(n)).map(([n, t]) => t - died.get(n)!);
    const load = loadavg().map((x) => x.toFixed(2)).join(' ');
    console.log(`exit latency, ${N} pods (sleep ${SLEEP}; restartPolicy Never), one agent; load average ${load} on ${(await import('node:os')).cpus().length} cores`);
    console.log(`  plain docker run: start → die, less the sleep : ${row(base.run)}`);
    console.log(`  plain docker: die → inspect shows it exited   : ${row(base.seen)}`);
    console.log(`  k8ts: Docker die → watch sees Succeeded      : ${row(lat)}  (${lat.length}/${N})`);
    console.log(`  CPU of this process (apiserver + agent + bench) per pod: ${((cpu.user + cpu.system) / 1000 / N).toFixed(1)} ms  (target p50 < 1000 ms)`);
  } finally {
    await cleanup();
  }
}

await main();
process.exit(0);
