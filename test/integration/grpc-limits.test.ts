// Oversized gRPC messages: eight concurrent 63 MiB Creates (sent from a child process, as an
// attacker's client would be) are refused from their length prefix with RESOURCE_EXHAUSTED
// (the client sees its stream reset), without the apiserver buffering them, so its event loop keeps turning and a node's
// lease renewals keep succeeding throughout.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { startApiServer, type ApiServer } from '@k8ts/apiserver';
import { GrpcClient, createLogger } from '@k8ts/client';
import { startEtcd, type TestEtcd } from '../support/etcd.js';

const TOKEN = 'limits-test-token';
let etcd: TestEtcd;
let api: ApiServer;
let tmp: string;

before(async () => {
  etcd = await startEtcd();
  tmp = mkdtempSync(path.join(os.tmpdir(), 'k8ts-grpc-limits-'));
  writeFileSync(path.join(tmp, 'tokens.csv'), `${TOKEN},admin,admin-uid,"system:masters"\n`);
  const logger = createLogger('apiserver');
  logger.level = 'silent';
  api = await startApiServer({ etcdServers: [etcd.url], port: 0, grpcPort: 0, tokenAuthFile: path.join(tmp, 'tokens.csv'), logger });
});

after(async () => {
  await api?.stop();
  await etcd?.stop();
  if (tmp) rmSync(tmp, { recursive: true, force: true });
});


test('8 × 63 MiB gRPC Creates are refused from their length prefix while lease renewals go on', async () => {
  const client = new GrpcClient({ server: `127.0.0.1:${api.grpcPort}`, token: TOKEN });
  try {
    await client.create('leases', { metadata: { name: 'node-x', namespace: 'kube-node-lease' }, spec: { holderIdentity: 'node-x', leaseDurationSeconds: 40 } });
    const script = path.join(import.meta.dirname, 'helpers', 'grpc-flood.ts');
    const lag = monitorEventLoopDelay({ resolution: 10 });
    lag.enable();
    const child = spawn(process.execPath, ['--import', 'tsx', script, `127.0.0.1:${api.grpcPort}`, TOKEN], { cwd: process.cwd(), stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.on('data', (b: Buffer) => (out += b.toString()));
    const exited = new Promise<number | null>((r) => child.on('exit', r));
    let renewals = 0;
    let slowest = 0;
    let done = false;
    void exited.then(() => (done = true));
    try {
      while (!done) {
        const t = performance.now();
        const cur = await client.get<any>('leases', 'kube-node-lease', 'node-x');
        await client.update('leases', { ...cur, spec: { ...cur.spec, leaseDurationSeconds: 81 - cur.spec.leaseDurationSeconds } });
        slowest = Math.max(slowest, performance.now() - t);
        renewals++;
        await new Promise((r) => setTimeout(r, 100));
      }
    } finally {
      if (!done) child.kill();
    }
    lag.disable();
    assert.equal(await exited, 0);
    const results = JSON.parse(out.trim()) as string[];
    assert.equal(results.length, 8);
    // grpc-js answers RESOURCE_EXHAUSTED and resets the stream the client is still writing
    for (const r of results) assert.match(r, /Received message larger than max \(\d+ vs 4194304\)/);
    await assert.rejects(client.get('configmaps', 'default', 'big-0'), (e: any) => e.code === 404);
    assert.ok(renewals >= 1, 'renewals went on');
    console.log(`# 8×63 MiB refused; ${renewals} renewals meanwhile, slowest ${slowest.toFixed(0)} ms; apiserver process loop delay max ${(lag.max / 1e6).toFixed(0)} ms`);
    // the limit that matters: a node's lease (40 s here, 10–15 s in k8ts up) is never at risk
    assert.ok(slowest < 2000, `a renewal took ${slowest.toFixed(0)} ms`);
  } finally {
    client.close();
  }
});
