// Benchmark: the Kubernetes REST face. Creates per second against raw etcd puts of the same
// bytes at the same concurrency, and watch delivery latency with many concurrent REST
// watchers, all measured in one run (setup in ./support/apiserver.ts).
//   node --import tsx test/bench/rest.ts [--seconds 3] [--rounds 3] [--concurrency 1,16,64]
//        [--watchers 100,1000] [--events 50] [--interval 50]
import http from 'node:http';
import {
  benchArgs,
  configMap,
  DeliveryClock,
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
  for (const n of opts.watchers) {
    const ns = `watch-${n}`;
    await post('/api/v1/namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns } });
    const clock = new DeliveryClock();
    const reqs: http.ClientRequest[] = [];
    // Watch sockets of their own: the create requests must not queue behind them.
    const watchAgent = new http.Agent({ keepAlive: false, maxSockets: Infinity });
    let ready = 0;
    await new Promise<void>((resolve) => {
      for (let i = 0; i < n; i++) {
        const req = http.get({ host: '127.0.0.1', port: cluster.restPort, path: `/api/v1/namespaces/${ns}/configmaps?watch=1`, agent: watchAgent }, (res) => {
          let buf = '';
          res.setEncoding('latin1');
          res.on('data', (chunk: string) => {
            const now = performance.now();
            buf += chunk;
            let j;
            while ((j = buf.indexOf('\n')) >= 0) {
              const line = buf.slice(0, j);
              buf = buf.slice(j + 1);
              const at = line.indexOf('"name":"ev-');
              if (at >= 0) clock.received(line.slice(at + 8, line.indexOf('"', at + 8)), now);
            }
          });
          if (++ready === n) resolve();
        });
        reqs.push(req);
      }
    });
    const apiCpu0 = processCpuSeconds(cluster.apiserverPid);
    await writeWatchedEvents(clock, opts.events, opts.interval, n * opts.events, (name) => create(ns, name), 'ev-');
    printWatchRow(n, clock, n * opts.events, processCpuSeconds(cluster.apiserverPid) - apiCpu0);
    for (const r of reqs) r.destroy();
    watchAgent.destroy();
  }
  agent.destroy();
} finally {
  await cluster.stop();
}
