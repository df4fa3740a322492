// Benchmark: DNS answers per second and p99 for cluster names, against a UDP echo server
// in the same process as the baseline (the cost of a Node UDP round trip alone).
//   node --import tsx test/bench/dns.ts [--seconds 5] [--window 64] [--services 500]
// The load runs in a child process so it does not share the server's event loop.
import dgram from 'node:dgram';
import { spawn } from 'node:child_process';
import { parseArgs } from 'node:util';
import { FakeClient } from '@k8ts/client/testing';
import { startDns, dnsPacket } from '@k8ts/dns';

const { values } = parseArgs({ options: { seconds: { type: 'string', default: '5' }, window: { type: 'string', default: '64' }, services: { type: 'string', default: '500' }, child: { type: 'string' } } });

// Child: keeps `window` queries in flight against host:port for `seconds`; prints JSON.
if (values.child) {
  const [port, secs, win, count] = values.child.split(',').map(Number) as [number, number, number, number];
  const sock = dgram.createSocket('udp4');
  const sent = new Map<number, bigint>();
  const lat: number[] = [];
  let nextId = 1;
  let lost = 0;
  const end = Date.now() + secs * 1000;
  const send = () => {
    if (Date.now() >= end) return;
    const id = nextId++ & 0xffff;
    const name = `svc-${id % count}.default.svc.cluster.local`;
    sent.set(id, process.hrtime.bigint());
    sock.send(dnsPacket.encode({ type: 'query', id, flags: dnsPacket.RECURSION_DESIRED, questions: [{ type: 'A', name }] }), port, '127.0.0.1');
  };
  sock.on('message', (m) => {
    const id = m.readUInt16BE(0);
    const t = sent.get(id);
    if (t !== undefined) {
      sent.delete(id);
      lat.push(Number(process.hrtime.bigint() - t) / 1e6);
    }
    send();
  });
  // Queries lost (none expected on loopback) are replaced so the window stays full.
  const sweep = setInterval(() => {
    const now = process.hrtime.bigint();
    for (const [id, t] of sent) if (now - t > 1_000_000_000n) {
      sent.delete(id);
      lost++;
      send();
    }
  }, 200);
  sock.bind(0, '127.0.0.1', () => {
    for (let i = 0; i < win; i++) send();
  });
  setTimeout(() => {
    clearInterval(sweep);
    lat.sort((a, b) => a - b);
    console.log(JSON.stringify({ n: lat.length, lost, qps: lat.length / secs, p50: lat[Math.floor(lat.length * 0.5)], p99: lat[Math.floor(lat.length * 0.99)] }));
    process.exit(0);
  }, secs * 1000 + 300);
} else {
  const seconds = Number(values.seconds);
  const win = Number(values.window);
  const count = Number(values.services);
  type R = { n: number; lost: number; qps: number; p50: number; p99: number };
  const load = (port: number) =>
    new Promise<R>((resolve, reject) => {
      const child = spawn(process.execPath, ['--import', 'tsx', new URL(import.meta.url).pathname, '--child', `${port},${seconds},${win},${count}`], { stdio: ['ignore', 'pipe', 'inherit'] });
      let out = '';
      child.stdout.on('data', (d) => (out += d));
      child.on('exit', () => {
        try {
          resolve(JSON.parse(out.trim().split('\n').at(-1)!));
        } catch (e) {
          reject(e);
        }
      });
    });

  // Baseline: echo the query back with the response bit set (no decode, no lookup).
  const echo = dgram.createSocket('udp4');
  echo.on('message', (m, r) => {
    m[2]! |= 0x80;
    echo.send(m, r.port, r.address);
  });
  await new Promise<void>((r) => echo.bind(0, '127.0.0.1', () => r()));

  const fake = new FakeClient();
  for (let i = 0; i < count; i++) {
    await fake.create('services', { apiVersion: 'v1', kind: 'Service', metadata: { name: `svc-${i}`, namespace: 'default' }, spec: { clusterIP: `10.96.${(i >> 8) & 255}.${i & 255}`, ports: [{ name: 'http', port: 80 }] } });
  }
  const dns = await startDns({ client: fake, listen: '127.0.0.1:0', upstream: '127.0.0.1:9', opsPort: -1 });
  try {
    console.log(`dns benchmark: ${seconds}s each, ${win} queries in flight, ${count} Services, A queries over UDP on loopback`);
    const base = await load((echo.address() as { port: number }).port);
    const ours = await load(dns.port);
    console.log(`UDP echo baseline: ${base.qps.toFixed(0)} answers/s  p50 ${base.p50.toFixed(3)} ms  p99 ${base.p99.toFixed(3)} ms`);
    console.log(`k8ts dns:          ${ours.qps.toFixed(0)} answers/s  p50 ${ours.p50.toFixed(3)} ms  p99 ${ours.p99.toFixed(3)} ms  lost ${ours.lost}`);
    console.log(`ratio dns/echo: throughput ${(ours.qps / base.qps).toFixed(3)}, p99 ${(ours.p99 / base.p99).toFixed(3)}`);
  } finally {
    await dns.stop();
    echo.close();
  }
}
