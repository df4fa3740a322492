// Objects.Exchange against the real apiserver and a real etcd: creates, gets, updates, patches,
// deletes and pods/binding multiplexed over one stream (through @k8ts/client and on the wire),
// errors identical to the unary calls' (409 AlreadyExists and Conflict, 422, 404), 401 for a
// stream without a token, node lease renewals, the same request metrics, binds that arrive
// together sharing etcd reads, and an apiserver restart under a stream of creates losing no
// acknowledged write.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import * as grpc from '@grpc/grpc-js';
import type { KubeObject } from '@k8ts/api';
import { startApiServer, type ApiServer } from '@k8ts/apiserver';
import { ApiError, GrpcClient, NodesClient, createLogger, loadClientProto } from '@k8ts/client';
import { startEtcd, type TestEtcd } from '../support/etcd.js';

const TOKEN = 'exchange-test-token';

/** What a failed call gave: everything a caller can look at. */
async function failure(p: Promise<unknown>): Promise<{ code: number; reason: string; status: unknown }> {
  try {
    await p;
  } catch (e) {
    assert.ok(e instanceof ApiError, `not an ApiError: ${e}`);
    return { code: e.code, reason: e.reason, status: e.status };
  }
  assert.fail('the call succeeded');
}

/** Sum of a metric's samples with these labels (`name` may be a histogram's `<base>_count`). */
async function metricValue(api: ApiServer, name: string, labels: Record<string, string>): Promise<number> {
  const base = name.replace(/_count$/, '');
  const m = await api.metrics.registry.getSingleMetric(base)!.get();
  return m.values.filter((v) => (base === name || (v as { metricName?: string }).metricName === name) && Object.entries(labels).every(([k, want]) => String((v.labels as Record<string, unknown>)[k]) === want)).reduce((s, v) => s + v.value, 0);
}

describe('Objects.Exchange on the real apiserver', () => {
  let etcd: TestEtcd;
  let api: ApiServer;
  let tmp: string;
  let tokenFile: string;
  let stream: GrpcClient;
  let unary: GrpcClient;
  const logger = createLogger('apiserver');
  logger.level = 'silent';
  const startApi = (grpcPort = 0) => startApiServer({ etcdServers: [etcd.url], port: 0, grpcPort, tokenAuthFile: tokenFile, logger });

  before(async () => {
    etcd = await startEtcd();
    tmp = mkdtempSync(path.join(os.tmpdir(), 'k8ts-exchange-test-'));
    tokenFile = path.join(tmp, 'tokens.csv');
    writeFileSync(tokenFile, `${TOKEN},admin,admin-uid,"system:masters"\n`);
    api = await startApi();
    stream = new GrpcClient({ server: `127.0.0.1:${api.grpcPort}`, token: TOKEN });
    unary = new GrpcClient({ server: `127.0.0.1:${api.grpcPort}`, token: TOKEN, exchange: false });
    await unary.create('namespaces', { metadata: { name: 'ex' } });
  });

  after(async () => {
    stream?.close();
    unary?.close();
    await api?.stop();
    await etcd?.stop();
    if (tmp) rmSync(tmp, { recursive: true, force: true });
  });

  it('creates, gets, updates, patches and deletes over one stream, concurrently', async () => {
    const exchanges0 = await metricValue(api, 'k8ts_grpc_requests_total', { verb: 'create', resource: 'configmaps' });
    const names = Array.from({ length: 200 }, (_, i) => `cm-${i}`);
    const created = await Promise.all(names.map((n) => stream.create<KubeObject>('configmaps', { metadata: { name: n, namespace: 'ex' }, data: { n } })));
    assert.deepEqual(created.map((o) => o.metadata.name), names);
    assert.equal(new Set(created.map((o) => o.metadata.uid)).size, 200);
    const got = await Promise.all(names.map((n) => stream.get<KubeObject>('configmaps', 'ex', n)));
    assert.deepEqual(got.map((o) => (o as any).data.n), names);
    assert.deepEqual(got.map((o) => o.metadata.resourceVersion), created.map((o) => o.metadata.resourceVersion));
    // The same metric as unary creates, per verb and resource.
    assert.equal((await metricValue(api, 'k8ts_grpc_requests_total', { verb: 'create', resource: 'configmaps', code: '200' })) - exchanges0, 200);

    const upd = await stream.update<KubeObject>('configmaps', { ...got[0]!, data: { n: 'changed' } });
    assert.ok(Number(upd.metadata.resourceVersion) > Number(got[0]!.metadata.resourceVersion));
    const patched = await stream.patch<KubeObject>('configmaps', 'ex', 'cm-1', 'application/merge-patch+json', { data: { extra: 'x' } });
    assert.deepEqual((patched as any).data, { n: 'cm-1', extra: 'x' });
    await stream.delete('configmaps', 'ex', 'cm-2');
    const gone = await failure(stream.get('configmaps', 'ex', 'cm-2'));
    assert.equal(gone.code, 404);
    // What the stream wrote, the unary face reads.
    assert.equal(((await unary.get<KubeObject>('configmaps', 'ex', 'cm-0')) as any).data.n, 'changed');
  });

  it('fails with the code, reason and Status of the unary call: 409 AlreadyExists, 409 Conflict, 422, 404', async () => {
    const cm = await unary.create<KubeObject>('configmaps', { metadata: { name: 'dup', namespace: 'ex' } });
    await unary.update('configmaps', { ...cm, data: { a: '1' } });
    const cases: [string, (c: GrpcClient) => Promise<unknown>, number, string][] = [
      ['create of an existing name', (c) => c.create('configmaps', { metadata: { name: 'dup', namespace: 'ex' } }), 409, 'AlreadyExists'],
      ['update at a stale resourceVersion', (c) => c.update('configmaps', { ...cm, data: { a: '2' } }), 409, 'Conflict'],
      ['invalid name', (c) => c.create('configmaps', { metadata: { name: 'Bad_Name', namespace: 'ex' } }), 422, 'Invalid'],
      ['get of a missing object', (c) => c.get('configmaps', 'ex', 'nope'), 404, 'NotFound'],
      ['create in a missing namespace', (c) => c.create('configmaps', { metadata: { name: 'x', namespace: 'no-such-ns' } }), 404, 'NotFound'],
      ['patch of a missing object', (c) => c.patch('configmaps', 'ex', 'nope', 'application/merge-patch+json', { data: {} }), 404, 'NotFound'],
      ['delete of a missing object', (c) => c.delete('configmaps', 'ex', 'nope'), 404, 'NotFound'],
      ['unknown resource', (c) => c.get('widgets', 'ex', 'w'), 404, 'NotFound'],
    ];
    for (const [what, call, code, reason] of cases) {
      const overStream = await failure(call(stream));
      const overUnary = await failure(call(unary));
      assert.equal(overStream.code, code, what);
      assert.equal(overStream.reason, reason, what);
      assert.deepEqual(overStream, overUnary, `${what}: stream and unary differ`);
    }
  });

  it('binds pods over the stream; binds that arrive together share etcd reads', async () => {
    const pods = Array.from({ length: 100 }, (_, i) => `p-${i}`);
    await Promise.all(pods.map((n) => stream.create('pods', { metadata: { name: n, namespace: 'ex' }, spec: { containers: [{ name: 'c', image: 'k8ts/pause' }] } })));
    const reads0 = await metricValue(api, 'etcd_request_duration_seconds_count', { operation: 'get' });
    await Promise.all(pods.map((n, i) => stream.createSubresource('pods', 'ex', n, 'binding', { apiVersion: 'v1', kind: 'Binding', metadata: { name: n, namespace: 'ex' }, target: { apiVersion: 'v1', kind: 'Node', name: `node-${i % 3}` } } as unknown as KubeObject)));
    const reads = (await metricValue(api, 'etcd_request_duration_seconds_count', { operation: 'get' })) - reads0;
    // How many share one read depends on how the messages fall into the apiserver's ticks (one
    // CI run needed 27 reads for these 100); one read per bind would mean no sharing at all.
    assert.ok(reads <= pods.length / 2, `${reads} etcd reads for ${pods.length} binds arriving together`);
    const bound = await Promise.all(pods.map((n) => stream.get<KubeObject>('pods', 'ex', n)));
    assert.deepEqual(bound.map((p) => p.spec.nodeName), pods.map((_, i) => `node-${i % 3}`));
    // A second bind of a bound pod: the same 409 as unary.
    const again = { apiVersion: 'v1', kind: 'Binding', metadata: { name: 'p-0', namespace: 'ex' }, target: { apiVersion: 'v1', kind: 'Node', name: 'node-9' } } as unknown as KubeObject;
    const overStream = await failure(stream.createSubresource('pods', 'ex', 'p-0', 'binding', again));
    assert.equal(overStream.code, 409);
    assert.deepEqual(overStream, await failure(unary.createSubresource('pods', 'ex', 'p-0', 'binding', again)));
  });

  it('renews node leases over the stream (GrpcClient.nodes and a NodesClient of its own), counted as unary renewals are', async () => {
    const renewals0 = await metricValue(api, 'k8ts_grpc_requests_total', { verb: 'renewlease', code: '200' });
    const t1 = await stream.nodes.renewLease('node-s1', 40);
    const own = new NodesClient({ server: `127.0.0.1:${api.grpcPort}`, token: TOKEN });
    try {
      const [t2] = await Promise.all([own.renewLease('node-s2', 20), own.renewLease('node-s3', 20)]);
      const l1 = await unary.get<KubeObject>('leases', 'kube-node-lease', 'node-s1');
      const l2 = await unary.get<KubeObject>('leases', 'kube-node-lease', 'node-s2');
      assert.deepEqual([l1.spec.holderIdentity, l1.spec.renewTime, l1.spec.leaseDurationSeconds], ['node-s1', t1, 40]);
      assert.deepEqual([l2.spec.holderIdentity, l2.spec.renewTime, l2.spec.leaseDurationSeconds], ['node-s2', t2, 20]);
      assert.equal((await metricValue(api, 'k8ts_grpc_requests_total', { verb: 'renewlease', code: '200' })) - renewals0, 3);
      const bad = new NodesClient({ server: `127.0.0.1:${api.grpcPort}`, token: 'wrong' });
      try {
        assert.equal((await failure(bad.renewLease('node-s4', 20))).code, 401);
      } finally {
        bad.close();
      }
    } finally {
      own.close();
    }
  });

  it('a stream without a token or with a wrong one gets 401, as unary calls do', async () => {
    for (const token of [undefined, 'wrong']) {
      const c = new GrpcClient({ server: `127.0.0.1:${api.grpcPort}`, token });
      const u = new GrpcClient({ server: `127.0.0.1:${api.grpcPort}`, token, exchange: false });
      try {
        const errs = await Promise.all([failure(c.get('configmaps', 'ex', 'cm-0')), failure(c.create('configmaps', { metadata: { name: 'intruder', namespace: 'ex' } }))]);
        for (const e of errs) assert.equal(e.code, 401);
        assert.deepEqual(errs[0], await failure(u.get('configmaps', 'ex', 'cm-0')));
      } finally {
        c.close();
        u.close();
      }
    }
    assert.equal((await failure(unary.get('configmaps', 'ex', 'intruder'))).code, 404, 'nothing was written');

    // On the wire: the stream itself ends UNAUTHENTICATED with the Status in k8s-status.
    const { Objects } = loadClientProto();
    const raw = new Objects(`127.0.0.1:${api.grpcPort}`, grpc.credentials.createInsecure()) as any;
    try {
      const call = raw.Exchange(new grpc.Metadata());
      call.write({ id: 1, get: { resource: 'configmaps', namespace: 'ex', name: 'cm-0' } });
      const data: unknown[] = [];
      call.on('data', (d: unknown) => data.push(d));
      call.on('error', () => undefined);
      const st: grpc.StatusObject = await new Promise((r) => call.on('status', r));
      assert.equal(st.code, grpc.status.UNAUTHENTICATED);
      assert.equal(JSON.parse(String(st.metadata.get('k8s-status')[0])).code, 401);
      assert.deepEqual(data, []);
    } finally {
      raw.close();
    }
  });

  it('on the wire: replies carry the request ids, errors the unary code and Status; the stream ends after the client does', async () => {
    const { Objects } = loadClientProto();
    const raw = new Objects(`127.0.0.1:${api.grpcPort}`, grpc.credentials.createInsecure()) as any;
    const md = new grpc.Metadata();
    md.set('authorization', `Bearer ${TOKEN}`);
    try {
      const call = raw.Exchange(md);
      const replies: any[] = [];
      call.on('data', (d: any) => replies.push(d));
      const st: Promise<grpc.StatusObject> = new Promise((r) => call.on('status', r));
      call.write({ id: 7, get: { resource: 'configmaps', namespace: 'ex', name: 'cm-3' } });
      call.write({ id: 8, create: { resource: 'configmaps', namespace: 'ex', json: JSON.stringify({ metadata: { name: 'cm-3', namespace: 'ex' } }) } });
      call.write({ id: 9, get: { resource: 'configmaps', namespace: 'ex', name: 'missing' } });
      call.end();
      assert.equal((await st).code, grpc.status.OK);
      const byId = new Map(replies.map((r) => [r.id, r]));
      assert.deepEqual([...byId.keys()].sort(), [7, 8, 9]);
      assert.equal(JSON.parse(byId.get(7).reply.json).metadata.name, 'cm-3');
      assert.equal(byId.get(8).error.code, grpc.status.ALREADY_EXISTS);
      assert.equal(JSON.parse(byId.get(8).error.status_json).reason, 'AlreadyExists');
      assert.equal(byId.get(9).error.code, grpc.status.NOT_FOUND);
      assert.equal(JSON.parse(byId.get(9).error.status_json).code, 404);
    } finally {
      raw.close();
    }
  });

  it('an apiserver restart under a stream of creates: every acknowledged create is kept, the rest fail with a 5xx, the next request opens a new stream', async () => {
    const grpcPort = api.grpcPort;
    const c = new GrpcClient({ server: `127.0.0.1:${grpcPort}`, token: TOKEN, timeoutMs: 10_000 });
    try {
      await c.get('configmaps', 'ex', 'cm-3');
      const names = Array.from({ length: 300 }, (_, i) => `during-${i}`);
      const results = Promise.allSettled(names.map((n) => c.create('configmaps', { metadata: { name: n, namespace: 'ex' } })));
      await new Promise((r) => setTimeout(r, 5));
      await api.stop();
      const settled = await results;
      api = await startApi(grpcPort);
      const deadline = Date.now() + 10_000;
      for (;;) {
        try {
          assert.equal((await c.get<KubeObject>('configmaps', 'ex', 'cm-3')).metadata.name, 'cm-3');
          break;
        } catch (e) {
          if ((e as ApiError).code !== 503 || Date.now() > deadline) throw e;
          await new Promise((r) => setTimeout(r, 200));
        }
      }
      const stored = new Set((await unary.list('configmaps', { namespace: 'ex' })).items.map((o) => o.metadata.name));
      let acked = 0;
      settled.forEach((r, i) => {
        if (r.status === 'fulfilled') {
          acked++;
          assert.ok(stored.has(names[i]!), `${names[i]} was acknowledged but is not stored`);
        } else assert.ok((r.reason as ApiError).code >= 500, `${names[i]}: ${r.reason}`);
      });
      assert.ok(acked < names.length, 'the restart cut some requests');
    } finally {
      c.close();
    }
  });
});
