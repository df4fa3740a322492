// Benchmark: HTTP through a Service VIP (proxy DNAT) against the same load straight to the
// pod IP, from a client container, in one run. Prints req/s and p99 of each and the ratio.
//   node --import tsx test/bench/service.ts [--seconds 2] [--rounds 6] [--concurrency 16]
// Needs root (iptables) and the Docker engine; uses its own network, range and chain prefix.
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { FakeClient } from '@k8ts/client/testing';
import { startProxy, cleanupProxy } from '@k8ts/proxy';
import { sh, waitFor, httpGet } from '../integration/helpers/netfixture.js';

const { values } = parseArgs({ options: { seconds: { type: 'string', default: '2' }, concurrency: { type: 'string', default: '16' }, rounds: { type: 'string', default: '6' } } });
const seconds = Number(values.seconds);
const concurrency = Number(values.concurrency);
const rounds = Number(values.rounds);
const image = 'k8ts/node:20';
const tag = Math.random().toString(36).slice(2, 6);
const network = `k8ts-pbench-${tag}`;
const prefix = `KB${tag.toUpperCase().replace(/[^A-Z0-9]/g, 'X')}`;
const serviceRange = '10.237.0.0/24';
const lbPool = '10.238.0.0/24';
const vip = '10.237.0.10';
const containers: string[] = [];

const server = `require('http').createServer((q, s) => s.end(require('os').hostname() + '\\n')).listen(8080)`;
// The load: `concurrency` loops of GET / for `seconds`, new connection per request
// (agent: false), so every request passes the NAT rules; or keep-alive when asked.
const load = `
const http = require('http');
const [host, port, secs, conc, keep] = process.argv.slice(1);
const agent = keep === 'keep' ? new http.Agent({ keepAlive: true, maxSockets: Number(conc) }) : false;
const lat = []; let errors = 0; const end = Date.now() + Number(secs) * 1000;
function one() { return new Promise((res) => { const t = process.hrtime.bigint();
  const r = http.get({ host, port: Number(port), path: '/', agent }, (s) => { s.resume(); s.on('end', () => { lat.push(Number(process.hrtime.bigint() - t) / 1e6); res(); }); });
  r.on('error', () => { errors++; res(); }); }); }
async function loop() { while (Date.now() < end) await one(); }
Promise.all(Array.from({ length: Number(conc) }, loop)).then(() => { lat.sort((a, b) => a - b);
  console.log(JSON.stringify({ n: lat.length, errors, rps: lat.length / Number(secs), p50: lat[Math.floor(lat.length * 0.5)], p99: lat[Math.floor(lat.length * 0.99)] })); process.exit(0); });
`;

async function run(name: string, args: string[]): Promise<string> {
  const id = (await sh('docker', ['run', '-d', '--name', `${network}-${name}`, '--network', network, image, ...args])).trim();
  containers.push(id);
  return (await sh('docker', ['inspect', '-f', '{{range .NetworkSettings.Networks}}{{.IPAddress}}{{end}}', id])).trim();
}

interface Result { n: number; errors: number; rps: number; p50: number; p99: number }
async function measure(host: string, port: number, keep: boolean): Promise<Result> {
  const out = await sh('docker', ['exec', `${network}-client`, 'node', '-e', load, host, String(port), String(seconds), String(concurrency), keep ? 'keep' : 'new'], { timeoutMs: (seconds + 30) * 1000 });
  return JSON.parse(out.trim().split('\n').at(-1)!) as Result;
}

let proxy: Awaited<ReturnType<typeof startProxy>> | undefined;
try {
  await sh('docker', ['network', 'create', '--subnet', '10.236.0.0/16', network]);
  const podIP = await run('pod', ['node', '-e', server]);
  await run('client', ['sleep', '3600']);
  const fake = new FakeClient();
  await fake.create('services', { apiVersion: 'v1', kind: 'Service', metadata: { name: 'web', namespace: 'default' }, spec: { clusterIP: vip, ports: [{ port: 80, targetPort: 8080, protocol: 'TCP' }] } });
  await fake.create('endpoints', { apiVersion: 'v1', kind: 'Endpoints', metadata: { name: 'web', namespace: 'default' }, subsets: [{ addresses: [{ ip: podIP }], ports: [{ port: 8080, protocol: 'TCP' }] }] });
  proxy = await startProxy({ client: fake, chainPrefix: prefix, network, serviceClusterIpRange: serviceRange, loadBalancerPool: lbPool, opsPort: -1, nodeName: 'bench' });
  await waitFor('pod answering', () => httpGet(podIP, 8080).then((b) => b.length > 0), 15_000);
  await waitFor('VIP answering', () => httpGet(vip, 80).then((b) => b.length > 0), 5_000);

  console.log(`service benchmark: ${rounds} rounds x ${seconds}s, ${concurrency} concurrent, client container -> pod (1 endpoint); load average ${loadavg().map((x) => x.toFixed(1)).join(' ')}`);
  for (const keep of [false, true]) {
    const direct: Result[] = [];
    const viaVip: Result[] = [];
    // Alternate which goes first so drift in the machine's load hits both alike.
    for (let r = 0; r < rounds; r++) {
      if (r % 2 === 0) {
        direct.push(await measure(podIP, 8080, keep));
        viaVip.push(await measure(vip, 80, keep));
      } else {
        viaVip.push(await measure(vip, 80, keep));
        direct.push(await measure(podIP, 8080, keep));
      }
    }
    const sum = (xs: Result[]) => ({
      rps: xs.reduce((a, x) => a + x.rps, 0) / xs.length,
      p99: xs.map((x) => x.p99).sort((a, b) => a - b)[Math.floor(xs.length / 2)]!, // median of the rounds' p99
      errors: xs.reduce((a, x) => a + x.errors, 0),
    });
    const d = sum(direct);
    const v = sum(viaVip);
    // Each round's pair ran back to back; the median of the pairs' ratios resists drift in
    // the machine's load better than the ratio of the totals.
    const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
    const pairRatio = median(direct.map((x, i) => viaVip[i]!.rps / x.rps));
    const mode = keep ? 'keep-alive' : 'new connection per request';
    console.log(`[${mode}] pod IP:  ${d.rps.toFixed(0)} req/s  p99 ${d.p99.toFixed(2)} ms  errors ${d.errors}`);
    console.log(`[${mode}] Service: ${v.rps.toFixed(0)} req/s  p99 ${v.p99.toFixed(2)} ms  errors ${v.errors}`);
    console.log(`[${mode}] ratio Service/pod: throughput ${(v.rps / d.rps).toFixed(3)} (median of pairs ${pairRatio.toFixed(3)}; target >= 0.9), p99 ${(v.p99 / d.p99).toFixed(3)}`);
  }
} finally {
  await proxy?.stop().catch(() => {});
  await cleanupProxy({ chainPrefix: prefix, serviceClusterIpRange: serviceRange, loadBalancerPool: lbPool }).catch(() => {});
  if (containers.length) await sh('docker', ['rm', '-f', ...containers]).catch(() => {});
  await sh('docker', ['network', 'rm', network]).catch(() => {});
}
