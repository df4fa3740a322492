// @k8ts/client against the real apiserver and a real etcd: CRUD through GrpcClient,
// informers converging, an informer relisting after its watch got 410 (etcd compacted
// while the apiserver was restarting), and leader election failover between two electors.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Etcd3 } from 'etcd3';
import type { KubeObject } from '@k8ts/api';
import { startApiServer, type ApiServer } from '@k8ts/apiserver';
import { GrpcClient, Informer, LeaderElector, EventRecorder, createLogger, isAlreadyExists, isConflict, isNotFound, type ApiError } from '@k8ts/client';
import { startEtcd, type TestEtcd } from '../support/etcd.js';

const TOKEN = 'client-test-token-42';
const silent = { debug() {}, info() {}, warn() {}, error() {} };
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
async function until(cond: () => boolean | Promise<boolean>, ms = 10_000, what = 'condition'): Promise<void> {
  const end = Date.now() + ms;
  while (!(await cond())) {
    if (Date.now() > end) throw new Error(`${what} not met within ${ms} ms`);
    await sleep(25);
  }
}

describe('client over the real apiserver', () => {
  let etcd: TestEtcd;
  let api: ApiServer;
  let tmp: string;
  let tokenFile: string;
  let client: GrpcClient;
  const cleanups: (() => Promise<void> | void)[] = [];
  const apiLogger = createLogger('apiserver');
  apiLogger.level = 'silent';

  const startApi = (grpcPort = 0) => startApiServer({ etcdServers: [etcd.url], port: 0, grpcPort, tokenAuthFile: tokenFile, logger: apiLogger, bookmarkIntervalMs: 500 });

  before(async () => {
    etcd = await startEtcd();
    tmp = mkdtempSync(path.join(os.tmpdir(), 'k8ts-client-test-'));
    tokenFile = path.join(tmp, 'tokens.csv');
    writeFileSync(tokenFile, `${TOKEN},admin,admin-uid,"system:masters"\n`);
    api = await startApi();
    client = new GrpcClient({ server: `127.0.0.1:${api.grpcPort}`, token: TOKEN });
  });

  after(async () => {
    for (const c of cleanups.reverse()) await c();
    client?.close();
    await api?.stop();
    await etcd?.stop();
    if (tmp) rmSync(tmp, { recursive: true, force: true });
  });

  it('creates, reads, updates, patches, binds and deletes through GrpcClient, with Kubernetes errors', async () => {
    const cm = await client.create<KubeObject>('configmaps', { metadata: { name: 'crud', namespace: 'default', labels: { t: 'crud' } }, data: { a: '1' } });
    assert.equal(cm.kind, 'ConfigMap');
    assert.match(cm.metadata.uid!, /^[0-9a-f-]{36}$/);
    await assert.rejects(client.create('configmaps', { metadata: { name: 'crud', namespace: 'default' } }), isAlreadyExists);
    const listed = await client.list('configmaps', { namespace: 'default', labelSelector: 't=crud' });
    assert.deepEqual(listed.items.map((i) => i.metadata.name), ['crud']);
    assert.ok(Number(listed.metadata.resourceVersion) >= Number(cm.metadata.resourceVersion));
    const upd = await client.update<KubeObject>('configmaps', { ...cm, data: { a: '2' } });
    assert.ok(Number(upd.metadata.resourceVersion) > Number(cm.metadata.resourceVersion));
    await assert.rejects(client.update('configmaps', { ...cm, data: { a: '3' } }), (e: unknown) => {
      assert.ok(isConflict(e));
      assert.match((e as ApiError).message, /Operation cannot be fulfilled on configmaps "crud"/);
      return true;
    });
    const patched = await client.patch<KubeObject>('configmaps', 'default', 'crud', 'application/merge-patch+json', { data: { b: 'x' } });
    assert.deepEqual(patched.data, { a: '2', b: 'x' });
    await assert.rejects(client.create('configmaps', { metadata: { name: 'Bad_Name', namespace: 'default' } }), (e: unknown) => (e as ApiError).code === 422 && (e as ApiError).reason === 'Invalid');
    await assert.rejects(client.list('pods', { fieldSelector: 'spec.bogus=1' }), (e: unknown) => (e as ApiError).code === 400);

    const pod = await client.create<KubeObject>('pods', { metadata: { name: 'p1', namespace: 'default' }, spec: { containers: [{ name: 'c', image: 'k8ts/busybox' }] } });
    await client.createSubresource('pods', 'default', 'p1', 'binding', { apiVersion: 'v1', kind: 'Binding', metadata: { name: 'p1' }, target: { apiVersion: 'v1', kind: 'Node', name: 'node-a' } } as unknown as KubeObject);
    const bound = await client.get<KubeObject>('pods', 'default', 'p1');
    assert.equal(bound.spec.nodeName, 'node-a');
    const withStatus = await client.update<KubeObject>('pods', { ...bound, spec: { ...bound.spec, nodeName: 'ignored' }, status: { ...bound.status, phase: 'Running' } }, { subresource: 'status' });
    assert.equal(withStatus.status.phase, 'Running');
    assert.equal(withStatus.spec.nodeName, 'node-a');
    const byNode = await client.list('pods', { fieldSelector: 'spec.nodeName=node-a' });
    assert.deepEqual(byNode.items.map((p) => p.metadata.name), ['p1']);
    await client.delete('pods', 'default', 'p1', { gracePeriodSeconds: 0 });
    await until(async () => client.get('pods', 'default', 'p1').then(() => false, (e) => isNotFound(e)), 5000, 'pod deleted');
    assert.ok(pod.metadata.uid);
    await client.delete('configmaps', 'default', 'crud');
    await assert.rejects(client.get('configmaps', 'default', 'crud'), isNotFound);

    const bad = new GrpcClient({ server: `127.0.0.1:${api.grpcPort}`, token: 'wrong' });
    await assert.rejects(bad.list('pods'), (e: unknown) => (e as ApiError).code === 401);
    bad.close();
  });

  it('an informer converges on the objects the apiserver holds', async () => {
    await client.create('namespaces', { metadata: { name: 'inf' } });
    for (let i = 0; i < 5; i++) await client.create('configmaps', { metadata: { name: `pre-${i}`, namespace: 'inf' }, data: { i: String(i) } });
    const inf = new Informer(client, { resource: 'configmaps', namespace: 'inf', logger: silent });
    cleanups.push(() => inf.stop());
    let adds = 0;
    let updates = 0;
    let deletes = 0;
    inf.addEventHandler({ onAdd: () => adds++, onUpdate: () => updates++, onDelete: () => deletes++ });
    inf.start();
    assert.equal(await inf.waitForSync(5000), true);
    assert.equal(inf.size, 5);
    for (let i = 0; i < 20; i++) await client.create('configmaps', { metadata: { name: `cm-${i}`, namespace: 'inf' }, data: { i: String(i) } });
    for (let i = 0; i < 20; i += 2) await client.patch('configmaps', 'inf', `cm-${i}`, 'application/merge-patch+json', { data: { even: 'yes' } });
    for (let i = 0; i < 5; i++) await client.delete('configmaps', 'inf', `pre-${i}`);
    const truth = await client.list('configmaps', { namespace: 'inf' });
    await until(() => inf.lastSyncResourceVersion === truth.metadata.resourceVersion || inf.size === 20 && inf.get('inf/cm-18')?.data !== undefined && (inf.get('inf/cm-18')!.data as any).even === 'yes', 5000, 'informer caught up');
    await until(() => inf.size === truth.items.length, 5000, 'sizes match');
    for (const o of truth.items) assert.equal(inf.get(`inf/${o.metadata.name}`)?.metadata.resourceVersion, o.metadata.resourceVersion);
    assert.equal(adds, 25);
    assert.equal(updates, 10);
    assert.equal(deletes, 5);
    assert.equal(inf.listCount, 1);
    await inf.stop();
  });

  it('relists after a 410: etcd compacted while the apiserver was away', async () => {
    await client.create('namespaces', { metadata: { name: 'cmp' } });
    for (let i = 0; i < 3; i++) await client.create('configmaps', { metadata: { name: `c-${i}`, namespace: 'cmp' } });
    // It rewatches from its resourceVersion however long the apiserver is away (on a loaded
    // machine its restart takes seconds; the default would list again before and never see the 410).
    const inf = new Informer(client, { resource: 'configmaps', namespace: 'cmp', logger: silent, minBackoffMs: 100, maxBackoffMs: 500, relistAfterQuickEnds: Number.MAX_SAFE_INTEGER });
    cleanups.push(() => inf.stop());
    const log: string[] = [];
    inf.addEventHandler({ onAdd: (o) => log.push(`add ${o.metadata.name}`), onUpdate: (a, b) => a !== b && log.push(`update ${b.metadata.name}`), onDelete: (o) => log.push(`delete ${o.metadata.name}`) });
    inf.start();
    await inf.waitForSync(5000);
    log.length = 0;

    // The apiserver goes away; meanwhile a second apiserver on the same etcd takes writes,
    // and etcd's history is compacted past the informer's resourceVersion.
    const grpcPort = api.grpcPort;
    await api.stop();
    const other = await startApi();
    const c2 = new GrpcClient({ server: `127.0.0.1:${other.grpcPort}`, token: TOKEN });
    try {
      await c2.patch('configmaps', 'cmp', 'c-0', 'application/merge-patch+json', { data: { changed: 'yes' } });
      await c2.delete('configmaps', 'cmp', 'c-1');
      await c2.create('configmaps', { metadata: { name: 'c-new', namespace: 'cmp' } });
      const rev = Number((await c2.list('configmaps', { namespace: 'cmp' })).metadata.resourceVersion);
      const raw = new Etcd3({ hosts: etcd.url });
      await raw.kv.compact({ revision: String(rev), physical: true } as any);
      raw.close();
    } finally {
      c2.close();
      await other.stop();
    }
    assert.equal(inf.expiredCount, 0);
    api = await startApi(grpcPort);
    await until(() => inf.expiredCount >= 1, 15_000, 'watch answered 410');
    await until(() => inf.size === 3 && inf.get('cmp/c-new') !== undefined, 10_000, 'informer relisted');
    assert.ok(inf.listCount >= 2);
    assert.deepEqual(log.sort(), ['add c-new', 'delete c-1', 'update c-0']);
    assert.equal((inf.get('cmp/c-0')!.data as any).changed, 'yes');
    // And it follows the new watch.
    await client.create('configmaps', { metadata: { name: 'c-later', namespace: 'cmp' } });
    await until(() => inf.get('cmp/c-later') !== undefined, 5000, 'event after relist');
    await inf.stop();
  });

  it('leader election fails over when the leader stops renewing', async () => {
    const ca = new GrpcClient({ server: `127.0.0.1:${api.grpcPort}`, token: TOKEN });
    const cb = new GrpcClient({ server: `127.0.0.1:${api.grpcPort}`, token: TOKEN });
    const log: string[] = [];
    const mk = (client: GrpcClient, id: string) =>
      new LeaderElector({
        client,
        name: 'k8ts-test',
        identity: id,
        leaseDurationSeconds: 2,
        renewDeadlineSeconds: 1.5,
        retryPeriodSeconds: 0.3,
        logger: silent,
        onStartedLeading: () => void log.push(`${id} started`),
        onStoppedLeading: () => void log.push(`${id} stopped`),
      });
    const ea = mk(ca, 'a');
    const eb = mk(cb, 'b');
    cleanups.push(async () => {
      await Promise.all([ea.stop(), eb.stop()]);
      ca.close();
      cb.close();
    });
    const runA = ea.run();
    await until(() => ea.isLeader(), 5000, 'a leads');
    void eb.run();
    await sleep(2500);
    assert.equal(eb.isLeader(), false, 'b waits while a renews');
    const held = await client.get<KubeObject>('leases', 'kube-system', 'k8ts-test');
    assert.equal(held.spec.holderIdentity, 'a');
    assert.match(held.spec.renewTime, /\.\d{6}Z$/);

    const cut = Date.now();
    ca.close(); // a can no longer reach the apiserver
    await runA;
    assert.ok(Date.now() - cut < 2500, 'a stepped down within its renew deadline');
    await until(() => eb.isLeader(), 6000, 'b takes over');
    const lease = await client.get<KubeObject>('leases', 'kube-system', 'k8ts-test');
    assert.equal(lease.spec.holderIdentity, 'b');
    assert.equal(lease.spec.leaseTransitions, 1);
    assert.deepEqual(log, ['a started', 'a stopped', 'b started']);
  });

  it('records events through the apiserver', async () => {
    const node = await client.create<KubeObject>('nodes', { metadata: { name: 'ev-node' } });
    const rec = new EventRecorder(client, 'test-component', 'host-1', { logger: silent });
    await rec.event(node, 'Normal', 'Tested', 'first');
    await rec.event(node, 'Normal', 'Tested', 'first');
    const evs = await client.list('events', { namespace: 'default', fieldSelector: 'involvedObject.name=ev-node' });
    assert.equal(evs.items.length, 1);
    assert.equal((evs.items[0] as any).count, 2);
    assert.equal((evs.items[0] as any).source.component, 'test-component');
  });
});
