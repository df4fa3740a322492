// Benchmark: apiserver creates per second over gRPC against raw etcd puts of the same bytes
// at the same concurrency, and watch delivery latency with many watchers against a raw
// etcd watch, all measured in one run. The apiserver runs as its own process, as deployed.
//   node --import tsx test/bench/apiserver-creates.ts [--seconds 3] [--concurrency 1,16,64]
//        [--watchers 100,1000] [--events 100] [--interval 10]
import { spawn } from 'node:child_process';
import * as grpc from '@grpc/grpc-js';
import { Etcd3 } from 'etcd3';
import { startEtcd } from '../support/etcd.js';
import { RawObjects } from '../support/grpc-objects.js';

const args = process.argv.slice(2);
const arg = (name: string, def: string) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1] : def;
};
const SECONDS = Number(arg('seconds', '3'));
const CONCURRENCY = arg('concurrency', '1,16,64').split(',').map(Number);
const WATCHERS = arg('watchers', '100,1000').split(',').map(Number);
const EVENTS = Number(arg('events', '100'));
const INTERVAL = Number(arg('interval', '10'));

function pct(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

function payload(name: string, ns: string) {
  return { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, namespace: ns, labels: { bench: 'yes' } }, data: { blob: 'x'.repeat(600) } };
}

/** CPU seconds the apiserver process has used (its own /metrics), to state cost per operation independent of machine load. */
let metricsUrl = '';
async function apiserverCpu(): Promise<number> {
  const text = await (await fetch(metricsUrl)).text();
  const m = /^process_cpu_seconds_total(?:\{[^}]*\})? ([\d.e+-]+)$/m.exec(text);
  return m ? Number(m[1]) : NaN;
}

async function runFor(concurrency: number, op: (worker: number, i: number) => Promise<void>): Promise<number> {
  let count = 0;
  const end = Date.now() + SECONDS * 1000;
  await Promise.all(
    Array.from({ length: concurrency }, async (_, w) => {
      for (let i = 0; Date.now() < end; i++) {
        await op(w, i);
        count++;
      }
    }),
  );
  return count / SECONDS;
}

const etcd = await startEtcd(['--quota-backend-bytes', String(4 * 1024 * 1024 * 1024)]);
const main = new URL('../../packages/apiserver/src/main.ts', import.meta.url).pathname;
const nodeArgs = (process.env.BENCH_APISERVER_NODE_ARGS ?? '').split(' ').filter(Boolean);
const child = spawn(process.execPath, [...nodeArgs, '--import', 'tsx', main, '--etcd-servers', etcd.url, '--port', '0', '--grpc-port', '0'], {
  stdio: ['ignore', 'pipe', 'inherit'],
  env: { ...process.env, K8TS_LOG_LEVEL: 'warn' },
});
const cleanup = async () => {
  if (child.exitCode === null && child.signalCode === null) {
    // SIGTERM first so a --cpu-prof run writes its profile.
    child.kill('SIGTERM');
    await Promise.race([new Promise((r) => child.once('exit', r)), new Promise((r) => setTimeout(r, 3000))]);
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  }
  await etcd.stop();
};
try {
  let restPort = 0;
  const grpcPort = await new Promise<number>((resolve, reject) => {
    let out = '';
    child.stdout!.on('data', (d) => {
      out += d;
      const m = /"msg":"apiserver ready","restPort":(\d+),"grpcPort":(\d+)/.exec(out);
      if (m) {
        restPort = Number(m[1]);
        resolve(Number(m[2]));
      }
    });
    child.once('exit', (code) => reject(new Error(`apiserver exited ${code}: ${out}`)));
  });
  const addr = `127.0.0.1:${grpcPort}`;
  metricsUrl = `http://127.0.0.1:${restPort}/metrics`;
  const c = new RawObjects(addr);
  const raw = new Etcd3({ hosts: etcd.url });
  await c.create('namespaces', '', { metadata: { name: 'bench' } });
  // Warm up both paths (JIT, connections).
  await runFor(4, async (w, i) => void (await c.create('configmaps', 'bench', payload(`warm-${w}-${i}`, 'bench'))));
  await runFor(4, async (w, i) => void (await raw.put(`/bench/warm/${w}/${i}`).value(JSON.stringify(payload(`warm-${w}-${i}`, 'bench')))));

  const idle0 = await apiserverCpu();
  await new Promise((r) => setTimeout(r, 2000));
  console.log(`\napiserver idle CPU: ${(((await apiserverCpu()) - idle0) / 2 * 100).toFixed(1)}% of a core`);
  console.log(`\ncreates/s over ${SECONDS}s (ConfigMap ≈ ${JSON.stringify(payload('x', 'bench')).length} bytes)`);
  console.log('concurrency   apiserver gRPC   raw etcd put   ratio   apiserver CPU per create');
  for (const n of CONCURRENCY) {
    const cpu0 = await apiserverCpu();
    const api = await runFor(n, async (w, i) => void (await c.create('configmaps', 'bench', payload(`c${n}-${w}-${i}`, 'bench'))));
    const cpuPerCreate = ((await apiserverCpu()) - cpu0) / (api * SECONDS);
    const etcdRate = await runFor(n, async (w, i) => {
      const obj = payload(`c${n}-${w}-${i}`, 'bench');
      await raw.put(`/bench/raw/c${n}-${w}-${i}`).value(JSON.stringify(obj));
    });
    console.log(`${String(n).padStart(11)}   ${api.toFixed(0).padStart(14)}   ${etcdRate.toFixed(0).padStart(12)}   ${(api / etcdRate).toFixed(2).padStart(5)}   ${(cpuPerCreate * 1e6).toFixed(0)} µs`);
  }

  // Baseline: one raw etcd watch, time from the start of the put to its delivery.
  const baseLat: number[] = [];
  {
    const sent = new Map<string, number>();
    const w = await raw.watch().prefix('/bench/watch-raw/').create();
    w.on('put', (kv) => {
      const t = sent.get(kv.key.toString());
      if (t !== undefined) baseLat.push(performance.now() - t);
    });
    for (let i = 0; i < EVENTS; i++) {
      const key = `/bench/watch-raw/${i}`;
      sent.set(key, performance.now());
      await raw.put(key).value(JSON.stringify(payload(`r${i}`, 'bench')));
      await new Promise((r) => setTimeout(r, 10));
    }
    await new Promise((r) => setTimeout(r, 300));
    await w.cancel();
  }
  baseLat.sort((a, b) => a - b);

  console.log(`\nwatch delivery latency, ${EVENTS} creates ${INTERVAL} ms apart, from the start of the write to receipt (ms)`);
  console.log('watchers   p50     p99     max    | raw etcd watch p50 / p99   ratio p99');
  for (const nw of WATCHERS) {
    // Spread watchers over a few channels, as separate components would hold them.
    const channels = Array.from({ length: Math.max(1, Math.ceil(nw / 250)) }, (_, i) => new RawObjects(addr, undefined, { 'grpc.bench_channel': i, 'grpc-node.flow_control_window': 16 * 1024 * 1024 }));
    const sent = new Map<string, number>();
    const lat: number[] = [];
    let ready = 0;
    const errors: string[] = [];
    const calls: grpc.ClientReadableStream<any>[] = [];
    const ns = `w${nw}`;
    await c.create('namespaces', '', { metadata: { name: ns } });
    const rv = (await c.list('configmaps', { namespace: ns })).metadata.resourceVersion;
    for (let i = 0; i < nw; i++) {
      const ch = channels[i % channels.length];
      // Raw bytes, no protobuf decode: 1000 decoders in this process would be what we measure.
      const def = ch.objects.constructor.service.Watch;
      const call = ch.objects.makeServerStreamRequest(def.path, def.requestSerialize, (b: Buffer) => b, { resource: 'configmaps', namespace: ns, resource_version: rv }, ch.metadata());
      call.on('data', (b: Buffer) => {
        const at = b.indexOf('"name":"e-');
        if (at < 0) return;
        const end = b.indexOf('"', at + 8);
        const t = sent.get(b.toString('latin1', at + 8, end));
        if (t !== undefined) lat.push(performance.now() - t);
      });
      call.on('error', (err: grpc.ServiceError) => {
        if (err.code !== grpc.status.CANCELLED) errors.push(`${err.code} ${err.details}`);
      });
      call.on('metadata', () => ready++);
      calls.push(call);
    }
    const t0 = Date.now();
    while (ready < nw && Date.now() - t0 < 20_000) await new Promise((r) => setTimeout(r, 20));
    const cpu0 = process.cpuUsage();
    const apiCpu0 = await apiserverCpu();
    const wall0 = performance.now();
    for (let i = 0; i < EVENTS; i++) {
      const name = `e-${i}`;
      sent.set(name, performance.now());
      await c.create('configmaps', ns, payload(name, ns));
      await new Promise((r) => setTimeout(r, INTERVAL));
    }
    const deadline = Date.now() + 10_000;
    while (lat.length < nw * EVENTS && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    if (ready < nw || errors.length) console.log(`  (${ready}/${nw} watches started; errors: ${[...new Set(errors)].join('; ') || 'none'})`);
    const cpu = process.cpuUsage(cpu0);
    const apiCpu = (await apiserverCpu()) - apiCpu0;
    console.log(`  (apiserver CPU ${((apiCpu * 1e6) / Math.max(1, lat.length)).toFixed(1)} µs per delivered event, ${((apiCpu * 1e6) / EVENTS).toFixed(0)} µs per create incl. fan-out)`);
    console.log(`  (bench process cpu ${(((cpu.user + cpu.system) / 1000 / (performance.now() - wall0)) * 100).toFixed(0)}% of wall while receiving)`);
    lat.sort((a, b) => a - b);
    const missing = nw * EVENTS - lat.length;
    console.log(
      `${String(nw).padStart(8)}   ${pct(lat, 50).toFixed(1).padStart(5)}   ${pct(lat, 99).toFixed(1).padStart(5)}   ${lat[lat.length - 1].toFixed(1).padStart(6)}  |  ${pct(baseLat, 50).toFixed(1)} / ${pct(baseLat, 99).toFixed(1)}` +
        `   ${(pct(lat, 99) / pct(baseLat, 99)).toFixed(1)}x${missing ? `   (${missing} deliveries missing)` : ''}`,
    );
    for (const call of calls) call.cancel();
    for (const ch of channels) ch.close();
  }
  c.close();
  raw.close();
} finally {
  await cleanup();
}
