// Microbenchmark: CPU per request of @grpc/grpc-js unary calls against request/reply messages
// multiplexed over one bidi stream (the Objects.Exchange RPC), both sides measured, with a
// trivial handler (a fixed ConfigMap-sized reply), so what is left is the transport's own cost.
//   node --import tsx test/bench/grpc-exchange.ts [--seconds 3] [--concurrency 64]
import { fork, type ChildProcess } from 'node:child_process';
import os from 'node:os';
import { fileURLToPath } from 'node:url';
import * as grpc from '@grpc/grpc-js';
import { loadClientProto, GRPC_CLIENT_OPTIONS } from '@k8ts/client';

const args = process.argv.slice(2);
const arg = (name: string, def: string) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1]! : def;
};
const REPLY = { json: JSON.stringify({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'x', namespace: 'bench', uid: 'u'.repeat(36), resourceVersion: '123456' }, data: { blob: 'x'.repeat(600) } }) };

if (args[0] === 'server') {
  const { Objects } = loadClientProto();
  const server = new grpc.Server({ 'grpc.enable_channelz': 0 });
  const unary = (_call: unknown, cb: grpc.sendUnaryData<unknown>) => cb(null, REPLY);
  server.addService(Objects.service, {
    Get: unary,
    Create: unary,
    Exchange: (call: grpc.ServerDuplexStream<any, any>) => {
      call.on('data', (req: any) => call.write({ id: req.id, reply: REPLY }));
      call.on('end', () => call.end());
    },
  });
  server.bindAsync('127.0.0.1:0', grpc.ServerCredentials.createInsecure(), (err, port) => {
    if (err) throw err;
    process.send!({ port });
  });
  process.on('message', (m: any) => {
    if (m === 'cpu') process.send!({ cpu: process.cpuUsage() });
    if (m === 'exit') process.exit(0);
  });
} else {
  const seconds = Number(arg('seconds', '3'));
  const concurrency = Number(arg('concurrency', '64'));
  const child: ChildProcess = fork(fileURLToPath(import.meta.url), ['server'], { execArgv: ['--import', 'tsx'] });
  const ask = <T>(msg: string, key: string) => new Promise<T>((r) => { const on = (m: any) => { if (key in m) { child.off('message', on); r(m[key]); } }; child.on('message', on); child.send(msg); });
  try {
    const port = await new Promise<number>((r) => child.once('message', (m: any) => r(m.port)));
    const { Objects } = loadClientProto();
    const client = new Objects(`127.0.0.1:${port}`, grpc.credentials.createInsecure(), GRPC_CLIENT_OPTIONS) as any;
    const req = { resource: 'configmaps', namespace: 'bench', name: '', subresource: '', json: REPLY.json, dry_run: false };
    const md = new grpc.Metadata();
    md.set('authorization', 'Bearer t');

    const unaryOp = () => new Promise<void>((res, rej) => client.Create(req, md, { deadline: Date.now() + 30_000 }, (e: unknown) => (e ? rej(e) : res())));

    const stream = client.Exchange(md);
    stream.on('error', () => {}); // the server exits when the run ends
    const pending = new Map<number, () => void>();
    let nextId = 1;
    stream.on('data', (r: any) => {
      const p = pending.get(r.id);
      pending.delete(r.id);
      p?.();
    });
    const streamOp = () => new Promise<void>((res) => {
      const id = nextId++;
      pending.set(id, res);
      stream.write({ id, create: req });
    });

    const measure = async (name: string, op: () => Promise<void>) => {
      // warm-up
      const until0 = Date.now() + 1000;
      await Promise.all(Array.from({ length: concurrency }, async () => { while (Date.now() < until0) await op(); }));
      const s0 = await ask<NodeJS.CpuUsage>('cpu', 'cpu');
      const c0 = process.cpuUsage();
      const t0 = performance.now();
      let n = 0;
      const end = Date.now() + seconds * 1000;
      await Promise.all(Array.from({ length: concurrency }, async () => { while (Date.now() < end) { await op(); n++; } }));
      const wall = (performance.now() - t0) / 1000;
      const c1 = process.cpuUsage(c0);
      const s1 = await ask<NodeJS.CpuUsage>('cpu', 'cpu');
      const cli = (c1.user + c1.system) / n;
      const srv = (s1.user + s1.system - s0.user - s0.system) / n;
      console.log(`${name.padEnd(22)} ${(n / wall).toFixed(0).padStart(8)}/s   client ${cli.toFixed(0).padStart(4)} µs   server ${srv.toFixed(0).padStart(4)} µs   total ${(cli + srv).toFixed(0).padStart(4)} µs/request   load ${os.loadavg().map((l) => l.toFixed(2)).join(' ')}`);
      return cli + srv;
    };
    console.log(`concurrency ${concurrency}, ${seconds}s each, ${REPLY.json.length}-byte request and reply`);
    const u = await measure('unary Create', unaryOp);
    const s = await measure('Exchange stream', streamOp);
    console.log(`stream / unary CPU per request: ${(s / u).toFixed(2)}`);
    stream.end();
    await new Promise((r) => stream.on('status', r));
    client.close();
  } finally {
    child.send('exit');
  }
}
