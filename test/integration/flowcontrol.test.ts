// The request limiter (--max-requests-inflight, API Priority and Fairness' levels) on a real
// apiserver with few seats: a user's flood of creates, over REST and gRPC at once, is partly
// refused with 429 TooManyRequests and Retry-After, while a node's Lease renewals (a level of
// their own) are never refused; watches hold no seat; every seat comes back afterwards.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startApiServer, type ApiServer } from '@k8ts/apiserver';
import { GrpcClient, createLogger } from '@k8ts/client';
import { startEtcd, type TestEtcd } from '../support/etcd.js';

const ADMIN = 'fc-admin-token';
const FLOODER = 'fc-flooder-token';
const NODE = 'fc-node-token';
let etcd: TestEtcd;
let api: ApiServer;
let tmp: string;
let base: string;

before(async () => {
  etcd = await startEtcd();
  tmp = mkdtempSync(path.join(os.tmpdir(), 'k8ts-flowcontrol-'));
  writeFileSync(
    path.join(tmp, 'tokens.csv'),
    [`${ADMIN},admin,admin-uid,"system:masters"`, `${FLOODER},flooder,flooder-uid,"team-a"`, `${NODE},system:node:fc-1,node-uid,"system:nodes"`].join('\n') + '\n',
  );
  const logger = createLogger('apiserver');
  logger.level = 'silent';
  // 12 seats: everyone else (global-default) gets 1 and a queue of 4, nodes 2, leases 1.
  api = await startApiServer({ etcdServers: [etcd.url], port: 0, grpcPort: 0, tokenAuthFile: path.join(tmp, 'tokens.csv'), logger, maxRequestsInflight: 8, maxMutatingRequestsInflight: 4 });
  base = `http://127.0.0.1:${api.restPort}`;
});

after(async () => {
  await api?.stop();
  await etcd?.stop();
  if (tmp) rmSync(tmp, { recursive: true, force: true });
});

const auth = (token: string) => ({ authorization: `Bearer ${token}` });

async function metric(name: string, level: string): Promise<number> {
  const text = await (await fetch(`${base}/metrics`, { headers: auth(ADMIN) })).text();
  const line = text.split('\n').find((l) => l.startsWith(`${name}{`) && l.includes(`priority_level="${level}"`));
  return line ? Number(line.split(' ').pop()) : NaN;
}

test('a flood is answered 429 with Retry-After while a node renews its Lease; every seat comes back', async () => {
  const node = new GrpcClient({ server: `127.0.0.1:${api.grpcPort}`, token: NODE });
  const flooder = new GrpcClient({ server: `127.0.0.1:${api.grpcPort}`, token: FLOODER });
  try {
    await node.create('leases', { metadata: { name: 'fc-1', namespace: 'kube-node-lease' }, spec: { holderIdentity: 'fc-1', leaseDurationSeconds: 40 } });
    let flooding = true;
    const renewals = { ok: 0, failed: [] as string[] };
    const renewing = (async () => {
      while (flooding) {
        try {
          const cur = await node.get<any>('leases', 'kube-node-lease', 'fc-1');
          await node.update('leases', { ...cur, spec: { ...cur.spec, renewTime: new Date().toISOString().replace('Z', '000Z') } });
          renewals.ok++;
        } catch (e) {
          renewals.failed.push((e as Error).message);
        }
      }
    })();

    const body = (i: number) => JSON.stringify({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: `flood-${i}` }, data: { i: String(i) } });
    const rest = Array.from({ length: 200 }, (_, i) =>
      fetch(`${base}/api/v1/namespaces/default/configmaps`, { method: 'POST', headers: { ...auth(FLOODER), 'content-type': 'application/json' }, body: body(i) }).then(async (r) => ({
        code: r.status,
        retryAfter: r.headers.get('retry-after'),
        status: (r.status === 429 ? await r.json() : (await r.arrayBuffer(), undefined)) as any,
      })),
    );
    const grpc = Array.from({ length: 200 }, (_, i) =>
      flooder.create('configmaps', { metadata: { name: `gflood-${i}`, namespace: 'default' }, data: { i: String(i) } }).then(
        () => 201,
        (e: { code?: number }) => e.code ?? 0,
      ),
    );
    const restResults = await Promise.all(rest);
    const grpcResults = await Promise.all(grpc);
    // The node keeps renewing a little after the flood, then stops.
    await new Promise((r) => setTimeout(r, 200));
    flooding = false;
    await renewing;

    const refused = restResults.filter((r) => r.code === 429);
    const created = restResults.filter((r) => r.code === 201);
    assert.ok(refused.length > 0, `no REST request refused: ${JSON.stringify(restResults.map((r) => r.code))}`);
    assert.ok(created.length > 0, 'no REST request served');
    assert.equal(created.length + refused.length, restResults.length, `other answers: ${restResults.filter((r) => r.code !== 201 && r.code !== 429).map((r) => r.code)}`);
    for (const r of refused) {
      assert.equal(r.retryAfter, '1');
      assert.equal(r.status.kind, 'Status');
      assert.equal(r.status.reason, 'TooManyRequests');
      assert.equal(r.status.details?.retryAfterSeconds, 1);
    }
    assert.ok(grpcResults.includes(429), `no gRPC request refused: ${grpcResults}`);
    assert.ok(grpcResults.includes(201), 'no gRPC request served');
    assert.deepEqual([...new Set(grpcResults)].sort(), [201, 429]);

    assert.deepEqual(renewals.failed, [], 'a Lease renewal was refused');
    assert.ok(renewals.ok > 0);
    console.log(`REST ${created.length} created / ${refused.length} refused; gRPC ${grpcResults.filter((c) => c === 201).length} / ${grpcResults.filter((c) => c === 429).length}; ${renewals.ok} lease renewals, none refused`);

    assert.ok((await metric('apiserver_flowcontrol_rejected_requests_total', 'global-default')) >= refused.length);
    for (const level of ['global-default', 'leader-election', 'node-high']) {
      assert.equal(await metric('apiserver_flowcontrol_current_executing_seats', level), 0, `${level} still holds seats`);
      assert.equal(await metric('apiserver_flowcontrol_current_inqueue_requests', level), 0, `${level} still queues`);
    }
  } finally {
    node.close();
    flooder.close();
  }
});

test('watches hold no seat: with every seat of the level watching, a get is still served', async () => {
  const aborts: AbortController[] = [];
  try {
    // global-default has 1 seat and a queue of 4: six open watches would fill both.
    for (let i = 0; i < 6; i++) {
      const ac = new AbortController();
      aborts.push(ac);
      const r = await fetch(`${base}/api/v1/namespaces/default/configmaps?watch=true`, { headers: auth(FLOODER), signal: ac.signal });
      assert.equal(r.status, 200);
    }
    const r = await fetch(`${base}/api/v1/namespaces/default/configmaps/flood-0`, { headers: auth(FLOODER) });
    assert.ok(r.status === 200 || r.status === 404, `get answered ${r.status}`);
    await r.arrayBuffer();
    assert.equal(await metric('apiserver_flowcontrol_current_executing_seats', 'global-default'), 0);
  } finally {
    for (const ac of aborts) ac.abort();
  }
});

test('a client that leaves while queued gives its seat back', async () => {
  // Queued requests whose clients hang up: when their turn comes the seat is returned.
  const aborts = Array.from({ length: 30 }, () => new AbortController());
  const reqs = aborts.map((ac, i) =>
    fetch(`${base}/api/v1/namespaces/default/configmaps`, {
      method: 'POST',
      headers: { ...auth(FLOODER), 'content-type': 'application/json' },
      body: JSON.stringify({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: `gone-${i}` } }),
      signal: ac.signal,
    }).catch(() => undefined),
  );
  for (const ac of aborts) ac.abort();
  await Promise.all(reqs);
  const deadline = Date.now() + 10_000;
  while (Date.now() < deadline && (await metric('apiserver_flowcontrol_current_executing_seats', 'global-default')) !== 0) await new Promise((r) => setTimeout(r, 100));
  assert.equal(await metric('apiserver_flowcontrol_current_executing_seats', 'global-default'), 0);
  const r = await fetch(`${base}/api/v1/namespaces/default/configmaps?limit=1`, { headers: auth(FLOODER) });
  assert.equal(r.status, 200);
  await r.arrayBuffer();
});
