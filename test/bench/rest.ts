// Benchmark: the Kubernetes REST face. Creates per second against raw etcd puts of the same
// bytes at the same concurrency, and watch delivery latency with many concurrent REST
// watchers against one raw etcd watch, all measured in one run (setup in
// ./support/apiserver.ts). The watchers (plain sockets read as raw bytes) run in a process
// of their own (./support/watchers-process.ts), so the writer's event loop, whose creates
// are timed, is not theirs; latency runs from the moment the writer issues the create to the
// moment each watcher has read the event, on the clock both processes share. 200 events
// by default so the p99 is not the one slowest event (one slow etcd fsync).
//   node --import tsx test/bench/rest.ts [--seconds 3] [--rounds 3] [--concurrency 1,16,64]
//        [--watchers 100,1000] [--events 200] [--interval 50]
//   (watch rows only: --concurrency none)
import http from 'node:http';
import { benchArgs, configMap, measureWatchRow, printCreateRates, printMarginalDeliveryCpu, printWatchHeader, rawWatchLatency, startBenchCluster, warmUp, type WatchRowCpu } from './support/apiserver.js';

const opts = benchArgs({});
const cluster = await startBenchCluster();
try {
  const agent = new http.Agent({ keepAlive: true, maxSockets: Infinity });
  const post = (path: string, body: unknown, token = cluster.token) =>
    new Promise<number>((resolve, reject) => {
      const data = JSON.stringify(body);
      const req = http.request({ host: '127.0.0.1', port: cluster.restPort, path, method: 'POST', agent, headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', 'content-length': Buffer.byteLength(data) } }, (res) => {
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
  await post('/api/v1/namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'bench' } }, cluster.adminToken);
  await warmUp(cluster, (name) => create('bench', name));
  await printCreateRates(cluster, opts, 'REST', (name) => create('bench', name));

  if (opts.watchers.length) {
    printWatchHeader('REST', opts.events, opts.interval, await rawWatchLatency(raw, opts.events, opts.interval));
  }
  const cpuRows: WatchRowCpu[] = [];
  for (const [round, n] of opts.watchers.entries()) {
    const ns = `watch-${n}-${round}`;
    await post('/api/v1/namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns } }, cluster.adminToken);
    const path = `/api/v1/namespaces/${ns}/configmaps?watch=1`;
    cpuRows.push(await measureWatchRow(cluster, opts.events, opts.interval, { face: 'rest', port: cluster.restPort, path, count: n, marker: 'ev-', token: cluster.token }, (name) => create(ns, name)));
  }
  printMarginalDeliveryCpu(cpuRows);
  agent.destroy();
} finally {
  await cluster.stop();
}

