// Benchmark: the Kubernetes REST face. Creates per second through REST against raw etcd
// puts of the same bytes at the same concurrency, and watch delivery latency with many
// concurrent REST watchers against the time of the write, all measured in one run.
//   node --import tsx test/bench/rest.ts [--seconds 3] [--concurrency 1,16,64] [--watchers 100,1000] [--events 50]
import { spawn } from 'node:child_process';
import http from 'node:http';
import { Etcd3 } from 'etcd3';
import { startEtcd } from '../support/etcd.js';

const args = process.argv.slice(2);
const arg = (name: string, def: string) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1] : def;
};
const SECONDS = Number(arg('seconds', '3'));
const CONCURRENCY = arg('concurrency', '1,16,64').split(',').map(Number);
const WATCHERS = arg('watchers', '100,1000').split(',').map(Number);
const EVENTS = Number(arg('events', '50'));

const pct = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
const payload = (name: string) => ({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, namespace: 'bench', labels: { bench: 'yes' } }, data: { blob: 'x'.repeat(600) } });

async function runFor(concurrency: number, op: (worker: number, i: number) => Promise<void>): Promise<number> {
  const deadline = Date.now() + SECONDS * 1000;
  let count = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async (_, w) => {
      for (let i = 0; Date.now() < deadline; i++) {
        await op(w, i);
        count++;
      }
    }),
  );
  return count / SECONDS;
}

const etcd = await startEtcd(['--quota-backend-bytes', String(4 * 1024 * 1024 * 1024)]);
const main = new URL('../../packages/apiserver/src/main.ts', import.meta.url).pathname;
const child = spawn(process.execPath, ['--import', 'tsx', main, '--etcd-servers', etcd.url, '--port', '0', '--grpc-port', '0'], {
  stdio: ['ignore', 'pipe', 'inherit'],
  env: { ...process.env, K8TS_LOG_LEVEL: 'warn' },
});
try {
  const restPort = await new Promise<number>((resolve, reject) => {
    let out = '';
    child.stdout!.on('data', (d) => {
      out += d;
      const m = /"msg":"apiserver ready","restPort":(\d+)/.exec(out);
      if (m) resolve(Number(m[1]));
    });
    child.once('exit', (code) => reject(new Error(`apiserver exited ${code}: ${out}`)));
  });
  const agent = new http.Agent({ keepAlive: true, maxSockets: Infinity });
  const post = (path: string, body: unknown) =>
    new Promise<number>((resolve, reject) => {
      const data = JSON.stringify(body);
      const req = http.request({ host: '127.0.0.1', port: restPort, path, method: 'POST', agent, headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(data) } }, (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode ?? 0));
      });
      req.on('error', reject);
      req.end(data);
    });
  const raw = new Etcd3({ hosts: etcd.url });
  await post('/api/v1/namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'bench' } });
  await runFor(4, async (w, i) => void (await post('/api/v1/namespaces/bench/configmaps', payload(`warm-${w}-${i}`))));
  await runFor(4, async (w, i) => void (await raw.put(`/bench/warm/${w}/${i}`).value(JSON.stringify(payload(`warm-${w}-${i}`)))));

  console.log(`\nREST creates/s over ${SECONDS}s (ConfigMap ≈ ${JSON.stringify(payload('x')).length} bytes), against raw etcd puts in the same run`);
  console.log('concurrency  rest/s   etcd/s   ratio');
  for (const c of CONCURRENCY) {
    const rest = await runFor(c, async (w, i) => {
      const code = await post('/api/v1/namespaces/bench/configmaps', payload(`c${c}-${w}-${i}`));
      if (code !== 201) throw new Error(`create answered ${code}`);
    });
    const base = await runFor(c, async (w, i) => void (await raw.put(`/bench/raw/${c}/${w}/${i}`).value(JSON.stringify(payload(`c${c}-${w}-${i}`)))));
    console.log(`${String(c).padStart(11)}  ${rest.toFixed(0).padStart(6)}  ${base.toFixed(0).padStart(7)}  ${(rest / base).toFixed(2).padStart(6)}`);
  }

  console.log(`\nREST watch delivery latency (${EVENTS} ConfigMap creates, 20 ms apart): write acknowledged → event line read by each watcher`);
  console.log('watchers  p50 ms  p99 ms  max ms');
  for (const n of WATCHERS) {
    const ns = `watch-${n}`;
    await post('/api/v1/namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns } });
    const sent = new Map<string, number>();
    const latencies: number[] = [];
    const reqs: http.ClientRequest[] = [];
    let ready = 0;
    await new Promise<void>((resolve) => {
      for (let i = 0; i < n; i++) {
        const req = http.get({ host: '127.0.0.1', port: restPort, path: `/api/v1/namespaces/${ns}/configmaps?watch=1`, agent }, (res) => {
          let buf = '';
          res.setEncoding('utf8');
          res.on('data', (chunk: string) => {
            const now = performance.now();
            buf += chunk;
            let j;
            while ((j = buf.indexOf('\n')) >= 0) {
              const line = buf.slice(0, j);
              buf = buf.slice(j + 1);
              const name = /"name":"(ev-\d+)"/.exec(line)?.[1];
              const t = name ? sent.get(name) : undefined;
              if (t !== undefined) latencies.push(now - t);
            }
          });
          if (++ready === n) resolve();
        });
        reqs.push(req);
      }
    });
    for (let e = 0; e < EVENTS; e++) {
      const name = `ev-${e}`;
      const t0 = performance.now();
      sent.set(name, t0);
      const body = { ...payload(name), metadata: { name, namespace: ns } };
      await post(`/api/v1/namespaces/${ns}/configmaps`, body);
      await new Promise((r) => setTimeout(r, 20));
    }
    const deadline = Date.now() + 10_000;
    while (latencies.length < n * EVENTS && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    for (const r of reqs) r.destroy();
    latencies.sort((a, b) => a - b);
    console.log(`${String(n).padStart(8)}  ${pct(latencies, 50).toFixed(1).padStart(6)}  ${pct(latencies, 99).toFixed(1).padStart(6)}  ${latencies.at(-1)!.toFixed(1).padStart(6)}   (${latencies.length}/${n * EVENTS} delivered)`);
  }
  raw.close();
  agent.destroy();
} finally {
  child.kill('SIGTERM');
  await Promise.race([new Promise((r) => child.once('exit', r)), new Promise((r) => setTimeout(r, 3000))]);
  if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  await etcd.stop();
}
