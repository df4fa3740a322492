// Benchmark: the Kubernetes REST face. Creates per second against raw etcd puts of the same
// bytes at the same concurrency, and watch delivery latency with many concurrent REST
// watchers, all measured in one run (setup in ./support/apiserver.ts).
//   node --import tsx test/bench/rest.ts [--seconds 3] [--rounds 3] [--concurrency 1,16,64]
//        [--watchers 100,1000] [--events 50] [--interval 50]
import http from 'node:http';
import net from 'node:net';
import {
  benchArgs,
  configMap,
  DeliveryClock,
  etcdCreateBuckets,
  etcdCreateLine,
  printCreateRates,
  printWatchHeader,
  printWatchRow,
  processCpuSeconds,
  rawWatchLatency,
  startBenchCluster,
  warmUp,
  writeWatchedEvents,
} from './support/apiserver.js';

const opts = benchArgs({});
const cluster = await startBenchCluster();
try {
  const agent = new http.Agent({ keepAlive: true, maxSockets: Infinity });
  const post = (path: string, body: unknown) =>
    new Promise<number>((resolve, reject) => {
      const data = JSON.stringify(body);
      const req = http.request({ host: '127.0.0.1', port: cluster.restPort, path, method: 'POST', agent, headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(data) } }, (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode ?? 0));
      });
      req.on('error', reject);
      req.end(data);
    });
  const create = async (ns: string, name: string) => {
    const code = await post(`/api/v1/namespaces/${ns}/configmaps`, configMap(name, ns));
    if (code !== 201) throw new Error(`create answered ${code}`);
  };
  const raw = cluster.raw;
  await post('/api/v1/namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'bench' } });
  await warmUp(cluster, (name) => create('bench', name));
  await printCreateRates(cluster, opts, 'REST', (name) => create('bench', name));

  if (opts.watchers.length) {
    printWatchHeader('REST', opts.events, opts.interval, await rawWatchLatency(raw, opts.events, opts.interval));
  }
  for (const [round, n] of opts.watchers.entries()) {
    const ns = `watch-${n}-${round}`;
    await post('/api/v1/namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns } });
    const clock = new DeliveryClock();
    const watchers = await startRestWatchers(cluster.restPort, `/api/v1/namespaces/${ns}/configmaps?watch=1`, n, clock, 'ev-');
    const apiCpu0 = processCpuSeconds(cluster.apiserverPid);
    const etcd0 = await etcdCreateBuckets(cluster.restPort);
    await writeWatchedEvents(clock, opts.events, opts.interval, n * opts.events, (name) => create(ns, name), 'ev-');
    printWatchRow(n, clock, n * opts.events, processCpuSeconds(cluster.apiserverPid) - apiCpu0);
    console.log(etcdCreateLine(etcd0, await etcdCreateBuckets(cluster.restPort)));
    watchers.stop();
  }
  agent.destroy();
} finally {
  await cluster.stop();
}

/**
 * `count` REST watches of `path`, receipts into `clock`. Each is a plain TCP connection
 * carrying the HTTP/1.1 watch request, read as raw bytes: Node's HTTP client (parser,
 * response stream, decoding) costs ≈ 20 µs a read, and 1000 of them in the writer's own
 * process would be what we measure, delaying even the writer's acknowledgements. (A real
 * watcher is a process of its own.) The server sees an ordinary watch.
 */
async function startRestWatchers(port: number, path: string, count: number, clock: DeliveryClock, marker: string): Promise<{ stop(): void }> {
  const sockets: net.Socket[] = [];
  const needle = Buffer.from(`"name":"${marker}`, 'latin1');
  const request = Buffer.from(`GET ${path} HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nAccept: application/json\r\n\r\n`, 'latin1');
  await Promise.all(
    Array.from(
      { length: count },
      () =>
        new Promise<void>((resolve, reject) => {
          const s = net.connect(port, '127.0.0.1', () => s.write(request));
          sockets.push(s);
          let started = false;
          let tail: Buffer = Buffer.alloc(0);
          s.on('error', reject);
          s.on('data', (chunk: Buffer) => {
            const now = performance.now();
            if (!started) {
              started = true;
              if (!chunk.subarray(0, 12).toString('latin1').startsWith('HTTP/1.1 200')) return reject(new Error(`watch answered ${chunk.toString('latin1', 0, 40)}`));
              resolve();
            }
            const b = tail.length ? Buffer.concat([tail, chunk]) : chunk;
            let from = 0;
            for (;;) {
              const at = b.indexOf(needle, from);
              if (at < 0) break;
              const end = b.indexOf(34, at + 8); // the closing quote of the name
              if (end < 0) {
                from = at;
                break;
              }
              clock.received(b.toString('latin1', at + 8, end), now);
              from = end;
            }
            // Keep what may hold the start of a name cut by this read.
            tail = b.subarray(Math.max(from, b.length - needle.length - 64));
          });
        }),
    ),
  );
  return { stop: () => sockets.forEach((s) => s.destroy()) };
}
