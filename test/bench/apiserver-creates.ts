// Benchmark: the apiserver's gRPC face. Creates per second, as unary calls and as messages on
// one Objects.Exchange stream (@k8ts/client, as the components send them), against raw etcd
// puts of the same bytes at the same concurrency, and watch delivery latency with many
// concurrent watchers against a raw etcd watch, all measured in one run (setup in
// ./support/apiserver.ts).
//   node --import tsx test/bench/apiserver-creates.ts [--seconds 3] [--rounds 3] [--concurrency 1,16,64]
//        [--watchers 100,1000] [--events 50] [--interval 50]
import * as grpc from '@grpc/grpc-js';
import { GrpcClient } from '@k8ts/client';
import { RawObjects } from '../support/grpc-objects.js';
import {
  benchArgs,
  configMap,
  DeliveryClock,
  load,
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
  const addr = `127.0.0.1:${cluster.grpcPort}`;
  const c = new RawObjects(addr);
  const raw = cluster.raw;
  await c.create('namespaces', '', { metadata: { name: 'bench' } });
  const create = async (name: string) => void (await c.create('configmaps', 'bench', configMap(name, 'bench')));
  await warmUp(cluster, create);

  const idle0 = processCpuSeconds(cluster.apiserverPid);
  await new Promise((r) => setTimeout(r, 2000));
  console.log(`\napiserver idle CPU: ${(((processCpuSeconds(cluster.apiserverPid) - idle0) / 2) * 100).toFixed(1)}% of a core (${load()})`);

  await printCreateRates(cluster, opts, 'gRPC unary calls', create);
  // @k8ts/client as the components use it: requests multiplexed over one Exchange stream.
  const exchange = new GrpcClient({ server: addr });
  // Names of the same length as the unary rows' (c64-… → x64-…), so the bytes stay the same.
  const createOnStream = async (name: string) => void (await exchange.create('configmaps', configMap(`x${name.slice(1)}`, 'bench')));
  await warmUp(cluster, createOnStream);
  await printCreateRates(cluster, opts, 'gRPC Exchange stream (@k8ts/client)', createOnStream);
  exchange.close();

  if (opts.watchers.length) {
    printWatchHeader('gRPC', opts.events, opts.interval, await rawWatchLatency(raw, opts.events, opts.interval));
  }
  for (const nw of opts.watchers) {
    // Spread watchers over a few channels, as separate components would hold them.
    const channels = Array.from({ length: Math.max(1, Math.ceil(nw / 250)) }, (_, i) => new RawObjects(addr, undefined, { 'grpc.bench_channel': i, 'grpc-node.flow_control_window': 16 * 1024 * 1024 }));
    const clock = new DeliveryClock();
    let ready = 0;
    const errors: string[] = [];
    const calls: grpc.ClientReadableStream<unknown>[] = [];
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
        clock.received(b.toString('latin1', at + 8, end));
      });
      call.on('error', (err: grpc.ServiceError) => {
        if (err.code !== grpc.status.CANCELLED) errors.push(`${err.code} ${err.details}`);
      });
      call.on('metadata', () => ready++);
      calls.push(call);
    }
    const t0 = Date.now();
    while (ready < nw && Date.now() - t0 < 20_000) await new Promise((r) => setTimeout(r, 20));
    const apiCpu0 = processCpuSeconds(cluster.apiserverPid);
    await writeWatchedEvents(clock, opts.events, opts.interval, nw * opts.events, (name) => c.create('configmaps', ns, configMap(name, ns)), 'e-');
    if (ready < nw || errors.length) console.log(`  (${ready}/${nw} watches started; errors: ${[...new Set(errors)].join('; ') || 'none'})`);
    printWatchRow(nw, clock, nw * opts.events, processCpuSeconds(cluster.apiserverPid) - apiCpu0);
    for (const call of calls) call.cancel();
    for (const ch of channels) ch.close();
  }
  c.close();
} finally {
  await cluster.stop();
}
