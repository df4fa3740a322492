// Benchmark: the apiserver's gRPC face. Creates per second, as unary calls and as messages on
// one Objects.Exchange stream (@k8ts/client, as the components send them), against raw etcd
// puts of the same bytes at the same concurrency, and watch delivery latency with many
// concurrent watchers against a raw etcd watch, all measured in one run (setup in
// ./support/apiserver.ts). The Watch streams (read as raw bytes, spread over a few
// channels) run in a process of their own (./support/watchers-process.ts): in the writer's
// process grpc-js's ≈ 20 µs a message for 1000 streams made the create's reply wait
// behind them (a create round trip p50 of 24 ms). Latency runs from the moment the writer
// issues the create to the moment each watcher has read the event, on the clock both
// processes share; 200 events by default so the p99 is not the one slowest event.
//   node --import tsx test/bench/apiserver-creates.ts [--seconds 3] [--rounds 3] [--concurrency 1,16,64]
//        [--watchers 100,1000] [--events 200] [--interval 50]
//   (watch rows only: --concurrency none; one watcher count may be given twice)
import { GrpcClient } from '@k8ts/client';
import { RawObjects } from '../support/grpc-objects.js';
import { benchArgs, configMap, load, measureWatchRow, printCreateRates, printMarginalDeliveryCpu, printWatchHeader, processCpuSeconds, rawWatchLatency, startBenchCluster, warmUp, type WatchRowCpu } from './support/apiserver.js';

const opts = benchArgs({});
const cluster = await startBenchCluster();
try {
  const addr = `127.0.0.1:${cluster.grpcPort}`;
  const c = new RawObjects(addr, cluster.token);
  const admin = new RawObjects(addr, cluster.adminToken);
  const raw = cluster.raw;
  await admin.create('namespaces', '', { metadata: { name: 'bench' } });
  const create = async (name: string) => void (await c.create('configmaps', 'bench', configMap(name, 'bench')));
  await warmUp(cluster, create);

  const idle0 = processCpuSeconds(cluster.apiserverPid);
  await new Promise((r) => setTimeout(r, 2000));
  console.log(`\napiserver idle CPU: ${(((processCpuSeconds(cluster.apiserverPid) - idle0) / 2) * 100).toFixed(1)}% of a core (${load()})`);

  await printCreateRates(cluster, opts, 'gRPC unary calls', create);
  if (opts.concurrency.length) {
    // @k8ts/client as the components use it: requests multiplexed over one Exchange stream.
    const exchange = new GrpcClient({ server: addr, token: cluster.token });
    // Names of the same length as the unary rows' (c64-… → x64-…), so the bytes stay the same.
    const createOnStream = async (name: string) => void (await exchange.create('configmaps', configMap(`x${name.slice(1)}`, 'bench')));
    await warmUp(cluster, createOnStream);
    await printCreateRates(cluster, opts, 'gRPC Exchange stream (@k8ts/client)', createOnStream);
    exchange.close();
  }

  if (opts.watchers.length) {
    printWatchHeader('gRPC', opts.events, opts.interval, await rawWatchLatency(raw, opts.events, opts.interval));
  }
  const cpuRows: WatchRowCpu[] = [];
  for (const [round, n] of opts.watchers.entries()) {
    const ns = `w${n}-${round}`;
    await admin.create('namespaces', '', { metadata: { name: ns } });
    const resourceVersion = (await c.list('configmaps', { namespace: ns })).metadata.resourceVersion;
    const watchers = { face: 'grpc' as const, address: addr, resource: 'configmaps', namespace: ns, resourceVersion, count: n, marker: 'e-', token: cluster.token };
    cpuRows.push(await measureWatchRow(cluster, opts.events, opts.interval, watchers, (name) => c.create('configmaps', ns, configMap(name, ns))));
  }
  printMarginalDeliveryCpu(cpuRows);
  c.close();
  admin.close();
} finally {
  await cluster.stop();
}
