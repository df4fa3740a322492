// The apiserver's registry and gRPC face against a real etcd: CRUD, optimistic
// concurrency, namespaces, graceful deletion, finalizers, subresources, paging, watches,
// compaction, authentication and durability across a kill -9.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { writeFileSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Etcd3 } from 'etcd3';
import { startApiServer, type ApiServer } from '@k8ts/apiserver';
import { startEtcd, type TestEtcd } from '../support/etcd.js';
import { RawObjects, type RawError } from '../support/grpc-objects.js';

const TOKEN = 'test-token-0123456789';
const GRPC = { NOT_FOUND: 5, ALREADY_EXISTS: 6, PERMISSION_DENIED: 7, ABORTED: 10, OUT_OF_RANGE: 11, UNAUTHENTICATED: 16, INVALID_ARGUMENT: 3 };

function pod(name: string, extra: Record<string, unknown> = {}, labels: Record<string, string> = {}) {
  return { apiVersion: 'v1', kind: 'Pod', metadata: { name, labels }, spec: { containers: [{ name: 'c', image: 'k8ts/busybox' }], ...extra } };
}

async function rejects(p: Promise<unknown>): Promise<RawError> {
  try {
    await p;
  } catch (e) {
    return e as RawError;
  }
  assert.fail('expected the call to fail');
}

describe('apiserver registry over gRPC', () => {
  let etcd: TestEtcd;
  let api: ApiServer;
  let c: RawObjects;
  let raw: Etcd3;
  let tmp: string;
  let tokenFile: string;

  before(async () => {
    etcd = await startEtcd();
    tmp = mkdtempSync(path.join(os.tmpdir(), 'k8ts-api-test-'));
    tokenFile = path.join(tmp, 'tokens.csv');
    writeFileSync(tokenFile, `${TOKEN},admin,admin-uid,"system:masters"\n`);
    api = await startApiServer({ etcdServers: [etcd.url], port: 0, grpcPort: 0, tokenAuthFile: tokenFile, bookmarkIntervalMs: 300 });
    c = new RawObjects(`127.0.0.1:${api.grpcPort}`, TOKEN);
    raw = new Etcd3({ hosts: etcd.url });
  });

  after(async () => {
    c?.close();
    raw?.close();
    await api?.stop();
    await etcd?.stop();
    if (tmp) rmSync(tmp, { recursive: true, force: true });
  });

  it('creates the system namespaces', async () => {
    const names = (await c.list('namespaces')).items.map((n: any) => n.metadata.name);
    for (const ns of ['default', 'kube-system', 'kube-public', 'kube-node-lease']) assert.ok(names.includes(ns), ns);
    const d = await c.get('namespaces', '', 'default');
    assert.equal(d.status.phase, 'Active');
    assert.deepEqual(d.spec.finalizers, ['kubernetes']);
  });

  it('creates, gets, lists, updates and deletes, with etcd revisions as resourceVersions', async () => {
    const cm = await c.create('configmaps', 'default', { metadata: { name: 'crud' }, data: { a: '1' } });
    assert.equal(cm.kind, 'ConfigMap');
    assert.equal(cm.apiVersion, 'v1');
    assert.match(cm.metadata.uid, /^[0-9a-f-]{36}$/);
    assert.match(cm.metadata.creationTimestamp, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    const stored = await raw.get('/registry/configmaps/default/crud').exec();
    assert.equal(stored.kvs[0].mod_revision, cm.metadata.resourceVersion);
    assert.equal(JSON.parse(stored.kvs[0].value.toString()).metadata.resourceVersion, undefined);

    const got = await c.get('configmaps', 'default', 'crud');
    assert.deepEqual(got, cm);
    cm.data.a = '2';
    const up = await c.update('configmaps', 'default', cm);
    assert.ok(Number(up.metadata.resourceVersion) > Number(cm.metadata.resourceVersion));
    assert.equal(up.data.a, '2');
    const list = await c.list('configmaps', { namespace: 'default' });
    assert.equal(list.kind, 'ConfigMapList');
    assert.ok(Number(list.metadata.resourceVersion) >= Number(up.metadata.resourceVersion));
    assert.deepEqual(list.items.map((i: any) => i.metadata.name), ['crud']);

    const dup = await rejects(c.create('configmaps', 'default', { metadata: { name: 'crud' } }));
    assert.equal(dup.code, GRPC.ALREADY_EXISTS);
    assert.equal(dup.status.reason, 'AlreadyExists');
    assert.equal(dup.status.message, 'configmaps "crud" already exists');

    await c.delete('configmaps', 'default', 'crud');
    const gone = await rejects(c.get('configmaps', 'default', 'crud'));
    assert.equal(gone.code, GRPC.NOT_FOUND);
    assert.equal(gone.status.code, 404);
    assert.equal(gone.status.message, 'configmaps "crud" not found');
  });

  it('rejects an update with a stale resourceVersion (409 Conflict) and allows one without', async () => {
    const cm = await c.create('configmaps', 'default', { metadata: { name: 'cas' }, data: { v: '0' } });
    await c.update('configmaps', 'default', { ...cm, data: { v: '1' } });
    const err = await rejects(c.update('configmaps', 'default', { ...cm, data: { v: 'stale' } }));
    assert.equal(err.code, GRPC.ABORTED);
    assert.equal(err.status.reason, 'Conflict');
    assert.equal(
      err.status.message,
      'Operation cannot be fulfilled on configmaps "cas": the object has been modified; please apply your changes to the latest version and try again',
    );
    const free = await c.update('configmaps', 'default', { metadata: { name: 'cas' }, data: { v: '2' } });
    assert.equal(free.data.v, '2');
    assert.equal(free.metadata.uid, cm.metadata.uid);
    assert.equal(free.metadata.creationTimestamp, cm.metadata.creationTimestamp);
  });

  it('resolves generateName', async () => {
    const a = await c.create('configmaps', 'default', { metadata: { generateName: 'gen-' } });
    const b = await c.create('configmaps', 'default', { metadata: { generateName: 'gen-' } });
    assert.match(a.metadata.name, /^gen-[a-z0-9]{5}$/);
    assert.notEqual(a.metadata.name, b.metadata.name);
    const none = await rejects(c.create('configmaps', 'default', { metadata: {} }));
    assert.equal(none.status.code, 422);
  });

  it('refuses content in a missing namespace (404) and a terminating one (403)', async () => {
    const missing = await rejects(c.create('configmaps', 'nowhere', { metadata: { name: 'x' } }));
    assert.equal(missing.code, GRPC.NOT_FOUND);
    assert.equal(missing.status.message, 'namespaces "nowhere" not found');

    await c.create('namespaces', '', { metadata: { name: 'doomed' } });
    const del = await c.delete('namespaces', '', 'doomed');
    assert.equal(del.status.phase, 'Terminating');
    assert.ok(del.metadata.deletionTimestamp);
    const refused = await rejects(c.create('configmaps', 'doomed', { metadata: { name: 'x' } }));
    assert.equal(refused.code, GRPC.PERMISSION_DENIED);
    assert.equal(refused.status.reason, 'Forbidden');
    assert.equal(refused.status.message, 'configmaps "x" is forbidden: unable to create new content in namespace doomed because it is being terminated');
    // The namespace controller's finalize removes the last finalizer: the namespace goes.
    const ns = await c.get('namespaces', '', 'doomed');
    ns.spec.finalizers = [];
    await c.update('namespaces', '', ns, 'finalize');
    assert.equal((await rejects(c.get('namespaces', '', 'doomed'))).code, GRPC.NOT_FOUND);
  });

  it('deletes pods gracefully: bound pods wait for the agent, unbound ones go at once', async () => {
    await c.create('pods', 'default', pod('loose'));
    const d = await c.delete('pods', 'default', 'loose');
    assert.equal(d.metadata.name, 'loose');
    assert.equal((await rejects(c.get('pods', 'default', 'loose'))).code, GRPC.NOT_FOUND);

    const p = await c.create('pods', 'default', { ...pod('graceful', { terminationGracePeriodSeconds: 7 }), status: { phase: 'Running', podIP: '1.2.3.4' } });
    assert.deepEqual(p.status, { phase: 'Pending', qosClass: 'BestEffort' }, 'status from the client is dropped on create');
    for (const key of ['node.kubernetes.io/not-ready', 'node.kubernetes.io/unreachable']) {
      assert.deepEqual(
        p.spec.tolerations.find((t: any) => t.key === key),
        { key, operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 2 },
      );
    }
    await c.create('pods', 'default', { apiVersion: 'v1', kind: 'Binding', metadata: { name: 'graceful' }, target: { kind: 'Node', name: 'n1' } }, 'binding', 'graceful');
    const bound = await c.get('pods', 'default', 'graceful');
    assert.equal(bound.spec.nodeName, 'n1');
    assert.equal(bound.status.conditions.find((x: any) => x.type === 'PodScheduled')?.status, 'True');
    const again = await rejects(c.create('pods', 'default', { metadata: { name: 'graceful' }, target: { name: 'n2' } }, 'binding', 'graceful'));
    assert.equal(again.code, GRPC.ABORTED);
    assert.match(again.status.message, /already assigned to node "n1"/);

    const marked = await c.delete('pods', 'default', 'graceful');
    assert.equal(marked.metadata.deletionGracePeriodSeconds, 7);
    assert.ok(marked.metadata.deletionTimestamp);
    assert.equal((await c.get('pods', 'default', 'graceful')).metadata.deletionGracePeriodSeconds, 7);
    // The agent, once the containers are gone: grace period 0.
    await c.delete('pods', 'default', 'graceful', { gracePeriodSeconds: 0 });
    assert.equal((await rejects(c.get('pods', 'default', 'graceful'))).code, GRPC.NOT_FOUND);

    // Eviction: a graceful delete through pods/eviction.
    await c.create('pods', 'default', pod('evictee', { nodeName: 'n1', terminationGracePeriodSeconds: 5 }));
    const st = await c.create('pods', 'default', { apiVersion: 'policy/v1', kind: 'Eviction', metadata: { name: 'evictee', namespace: 'default' } }, 'eviction', 'evictee');
    assert.equal(st.status, 'Success');
    assert.equal((await c.get('pods', 'default', 'evictee')).metadata.deletionGracePeriodSeconds, 5);
    await c.delete('pods', 'default', 'evictee', { gracePeriodSeconds: 0 });
  });

  it('keeps objects with finalizers until the last one is removed; honours preconditions', async () => {
    const cm = await c.create('configmaps', 'default', { metadata: { name: 'fin', finalizers: ['example.com/hold'] } });
    const pre = await rejects(c.delete('configmaps', 'default', 'fin', { preconditions: { uid: 'not-the-uid' } }));
    assert.equal(pre.code, GRPC.ABORTED);
    assert.match(pre.status.message, /Precondition failed: UID in precondition: not-the-uid/);
    const marked = await c.delete('configmaps', 'default', 'fin', { preconditions: { uid: cm.metadata.uid } });
    assert.ok(marked.metadata.deletionTimestamp);
    const held = await c.get('configmaps', 'default', 'fin');
    assert.deepEqual(held.metadata.finalizers, ['example.com/hold']);
    held.metadata.finalizers = [];
    await c.update('configmaps', 'default', held);
    assert.equal((await rejects(c.get('configmaps', 'default', 'fin'))).code, GRPC.NOT_FOUND);

    await c.create('configmaps', 'default', { metadata: { name: 'fg' } });
    const fg = await c.delete('configmaps', 'default', 'fg', { propagationPolicy: 'Foreground' });
    assert.deepEqual(fg.metadata.finalizers, ['foregroundDeletion']);
  });

  it('writes status only through the status subresource and bumps generation on spec changes', async () => {
    const spec = { replicas: 2, selector: { matchLabels: { app: 'g' } }, template: { metadata: { labels: { app: 'g' } }, spec: { containers: [{ name: 'c', image: 'k8ts/busybox' }] } } };
    const rs = await c.create('replicasets', 'default', { apiVersion: 'apps/v1', kind: 'ReplicaSet', metadata: { name: 'gen' }, spec, status: { replicas: 99 } });
    assert.equal(rs.status, undefined, 'status is dropped on create');
    assert.equal(rs.metadata.generation, 1);

    const st = await c.update('replicasets', 'default', { ...rs, spec: { ...spec, replicas: 50 }, status: { replicas: 1, observedGeneration: 1 } }, 'status');
    assert.equal(st.status.replicas, 1);
    assert.equal(st.spec.replicas, 2, 'a status write leaves spec alone');
    assert.equal(st.metadata.generation, 1);

    const main = await c.update('replicasets', 'default', { ...st, metadata: { ...st.metadata, labels: { x: 'y' } }, status: { replicas: 7 } });
    assert.equal(main.status.replicas, 1, 'a main-resource write keeps the stored status');
    assert.equal(main.metadata.generation, 1, 'a metadata change is not a new generation');
    const bumped = await c.update('replicasets', 'default', { ...main, spec: { ...spec, replicas: 3 } });
    assert.equal(bumped.metadata.generation, 2);

    const scale = await c.get('replicasets', 'default', 'gen', 'scale');
    assert.equal(scale.kind, 'Scale');
    assert.equal(scale.spec.replicas, 3);
    const scaled = await c.update('replicasets', 'default', { ...scale, spec: { replicas: 5 } }, 'scale');
    assert.equal(scaled.spec.replicas, 5);
    const after5 = await c.get('replicasets', 'default', 'gen');
    assert.equal(after5.spec.replicas, 5);
    assert.equal(after5.metadata.generation, 3);
  });

  it('filters lists and watches by label and field selectors, with ADDED/DELETED on transitions', async () => {
    await c.create('namespaces', '', { metadata: { name: 'sel' } });
    await c.create('pods', 'sel', pod('web-1', {}, { app: 'web', tier: 'front' }));
    await c.create('pods', 'sel', pod('db-1', {}, { app: 'db' }));
    await c.create('pods', 'sel', { apiVersion: 'v1', kind: 'Binding', metadata: { name: 'db-1' }, target: { name: 'node-a' } }, 'binding', 'db-1');
    const byLabel = await c.list('pods', { namespace: 'sel', label_selector: 'app in (web,cache),tier' });
    assert.deepEqual(byLabel.items.map((p: any) => p.metadata.name), ['web-1']);
    const byField = await c.list('pods', { namespace: 'sel', field_selector: 'spec.nodeName=node-a' });
    assert.deepEqual(byField.items.map((p: any) => p.metadata.name), ['db-1']);
    const unbound = await c.list('pods', { field_selector: 'spec.nodeName=,metadata.namespace=sel' });
    assert.deepEqual(unbound.items.map((p: any) => p.metadata.name), ['web-1']);
    const bad = await rejects(c.list('pods', { field_selector: 'spec.bogus=1' }));
    assert.equal(bad.code, GRPC.INVALID_ARGUMENT);
    assert.equal(bad.status.code, 400);

    const w = c.watch('pods', { namespace: 'sel', label_selector: 'app=web', resource_version: '0' });
    await w.until((e) => e.length >= 1);
    const db = await c.get('pods', 'sel', 'db-1');
    await c.update('pods', 'sel', { ...db, metadata: { ...db.metadata, labels: { app: 'web' } } }); // starts matching
    const web = await c.get('pods', 'sel', 'web-1');
    await c.update('pods', 'sel', { ...web, metadata: { ...web.metadata, labels: { app: 'gone' } } }); // stops matching
    const db2 = await c.get('pods', 'sel', 'db-1');
    await c.update('pods', 'sel', { ...db2, metadata: { ...db2.metadata, annotations: { a: 'b' } } });
    await w.until((e) => e.length >= 4);
    assert.deepEqual(w.events.map((e) => `${e.type} ${e.object.metadata.name}`), ['ADDED web-1', 'ADDED db-1', 'DELETED web-1', 'MODIFIED db-1']);
    w.cancel();
    const wf = c.watch('pods', { field_selector: 'spec.nodeName=node-a', resource_version: '0' });
    await wf.until((e) => e.length >= 1);
    assert.deepEqual(wf.events.map((e) => `${e.type} ${e.object.metadata.name}`), ['ADDED db-1']);
    wf.cancel();
  });

  it('patches: merge, strategic, JSON patch, server-side apply that creates, status, stale resourceVersion', async () => {
    await c.create('namespaces', '', { metadata: { name: 'patching' } });
    const base = await c.create('pods', 'patching', pod('p', {}, { app: 'a' }));
    const merged = await c.patch('pods', 'patching', 'p', 'application/merge-patch+json', JSON.stringify({ metadata: { labels: { extra: 'yes' } } }));
    assert.deepEqual(merged.metadata.labels, { app: 'a', extra: 'yes' });
    assert.ok(Number(merged.metadata.resourceVersion) > Number(base.metadata.resourceVersion));
    const strategic = await c.patch('pods', 'patching', 'p', 'application/strategic-merge-patch+json', JSON.stringify({ spec: { containers: [{ name: 'c', image: 'k8ts/busybox:2' }] } }));
    assert.equal(strategic.spec.containers.length, 1);
    assert.equal(strategic.spec.containers[0].image, 'k8ts/busybox:2');
    const jp = await c.patch('pods', 'patching', 'p', 'application/json-patch+json', JSON.stringify([{ op: 'remove', path: '/metadata/labels/extra' }]));
    assert.deepEqual(jp.metadata.labels, { app: 'a' });
    const stale = await rejects(c.patch('pods', 'patching', 'p', 'application/merge-patch+json', JSON.stringify({ metadata: { resourceVersion: base.metadata.resourceVersion, labels: { z: '1' } } })));
    assert.equal(stale.code, GRPC.ABORTED);
    const status = await c.patch('pods', 'patching', 'p', 'application/merge-patch+json', JSON.stringify({ status: { phase: 'Running' }, spec: { nodeName: 'sneaky' } }), 'status');
    assert.equal(status.status.phase, 'Running');
    assert.equal(status.spec.nodeName, undefined, 'a status patch leaves spec alone');
    const unknown = await rejects(c.patch('pods', 'patching', 'p', 'text/plain', '{}'));
    assert.equal(unknown.status.code, 415);

    const cm = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'applied', namespace: 'patching' }, data: { a: '1' } };
    const created = await c.call('Patch', { resource: 'configmaps', namespace: 'patching', name: 'applied', patch_type: 'application/apply-patch+yaml', patch: JSON.stringify(cm), field_manager: 'test' });
    assert.equal(JSON.parse(created.json).data.a, '1');
    const missing = await rejects(c.patch('configmaps', 'patching', 'nope', 'application/merge-patch+json', '{}'));
    assert.equal(missing.code, GRPC.NOT_FOUND);
  });

  it('pages a list with limit/continue at one revision', async () => {
    await c.create('namespaces', '', { metadata: { name: 'paging' } });
    for (let i = 0; i < 7; i++) await c.create('configmaps', 'paging', { metadata: { name: `cm-${i}` } });
    const first = await c.list('configmaps', { namespace: 'paging', limit: 3 });
    assert.equal(first.items.length, 3);
    assert.ok(first.metadata.continue);
    assert.equal(first.metadata.remainingItemCount, 4);
    // Written after the first page: not in the snapshot the next pages read.
    await c.create('configmaps', 'paging', { metadata: { name: 'cm-late' } });
    const names = first.items.map((i: any) => i.metadata.name);
    let cont = first.metadata.continue;
    while (cont) {
      const page = await c.list('configmaps', { namespace: 'paging', limit: 3, continue: cont });
      assert.equal(page.metadata.resourceVersion, first.metadata.resourceVersion);
      names.push(...page.items.map((i: any) => i.metadata.name));
      cont = page.metadata.continue;
    }
    assert.deepEqual(names, ['cm-0', 'cm-1', 'cm-2', 'cm-3', 'cm-4', 'cm-5', 'cm-6']);
  });

  it('watches: replay for resourceVersion 0, resume from a revision, bookmarks', async () => {
    await c.create('namespaces', '', { metadata: { name: 'watching' } });
    const a = await c.create('configmaps', 'watching', { metadata: { name: 'a' } });
    const w0 = c.watch('configmaps', { namespace: 'watching', resource_version: '0', allow_bookmarks: true });
    await w0.until((e) => e.some((x) => x.type === 'ADDED' && x.object.metadata.name === 'a'));
    const wFrom = c.watch('configmaps', { namespace: 'watching', resource_version: a.metadata.resourceVersion });
    const b = await c.create('configmaps', 'watching', { metadata: { name: 'b' } });
    await c.update('configmaps', 'watching', { ...b, data: { k: 'v' } });
    await c.delete('configmaps', 'watching', 'a');
    const seq = (e: typeof w0.events) => e.filter((x) => x.type !== 'BOOKMARK').map((x) => `${x.type} ${x.object.metadata.name}`);
    await w0.until((e) => seq(e).length >= 4);
    assert.deepEqual(seq(w0.events), ['ADDED a', 'ADDED b', 'MODIFIED b', 'DELETED a']);
    await wFrom.until((e) => seq(e).length >= 3);
    assert.deepEqual(seq(wFrom.events), ['ADDED b', 'MODIFIED b', 'DELETED a']);
    const deleted = w0.events.find((x) => x.type === 'DELETED')!;
    assert.ok(Number(deleted.object.metadata.resourceVersion) > Number(a.metadata.resourceVersion));
    await w0.until((e) => e.some((x) => x.type === 'BOOKMARK'), 3000);
    const bm = w0.events.find((x) => x.type === 'BOOKMARK')!;
    assert.equal(bm.object.kind, 'ConfigMap');
    assert.ok(Number(bm.object.metadata.resourceVersion) > 0);
    w0.cancel();
    wFrom.cancel();
  });

  it('answers a watch from a compacted revision with one 410 ERROR event', async () => {
    await c.create('configmaps', 'default', { metadata: { name: 'compact-me' } });
    const page = await c.list('configmaps', { limit: 1 });
    assert.ok(page.metadata.continue);
    for (let i = 0; i < 3; i++) await c.update('configmaps', 'default', { metadata: { name: 'compact-me' }, data: { i: String(i) } });
    const current = Number((await c.list('configmaps', { limit: 1 })).metadata.resourceVersion);
    await raw.kv.compact({ revision: current, physical: true });
    // Revision 2 is older than the shared watch of configmaps (it started with this suite's
    // first configmaps list), so this watch needs etcd's history, which is compacted.
    const w = c.watch('configmaps', { resource_version: '2' });
    await w.until((e) => e.length >= 1);
    assert.equal(w.events.length, 1);
    assert.equal(w.events[0].type, 'ERROR');
    assert.equal(w.events[0].object.code, 410);
    assert.equal(w.events[0].object.reason, 'Expired');
    assert.equal(w.events[0].object.message, `too old resource version: 2 (${current})`);
    // A continue token from before the compaction cannot give a consistent list any more.
    const gone = await rejects(c.list('configmaps', { limit: 1, continue: page.metadata.continue }));
    assert.equal(gone.code, GRPC.OUT_OF_RANGE);
    assert.equal(gone.status.code, 410);
    assert.equal(gone.status.reason, 'Expired');
    await w.until(() => w.ended, 3000).catch(() => {});
    assert.ok(w.ended, 'the stream ends after the ERROR');
  });

  it('lists by resourceVersion as Kubernetes does: newest, NotOlderThan, Exact, legacy paging, continue', async () => {
    await c.create('namespaces', '', { metadata: { name: 'rv' } });
    const one = await c.create('configmaps', 'rv', { metadata: { name: 'one' } });
    const rv1 = one.metadata.resourceVersion;
    await c.create('configmaps', 'rv', { metadata: { name: 'two' } });
    const names = (l: any) => l.items.map((i: any) => i.metadata.name);
    // "" and "0": the newest state.
    const newest = await c.list('configmaps', { namespace: 'rv' });
    assert.deepEqual(names(newest), ['one', 'two']);
    assert.deepEqual(names(await c.list('configmaps', { namespace: 'rv', resource_version: '0' })), ['one', 'two']);
    // NotOlderThan (also the default without a limit): the newest, at least rv1.
    for (const match of ['NotOlderThan', '']) {
      const l = await c.list('configmaps', { namespace: 'rv', resource_version: rv1, resource_version_match: match });
      assert.deepEqual(names(l), ['one', 'two'], match);
      assert.ok(Number(l.metadata.resourceVersion) >= Number(newest.metadata.resourceVersion));
    }
    // Exact (also the legacy meaning with a limit): the state at rv1, before "two".
    const exact = await c.list('configmaps', { namespace: 'rv', resource_version: rv1, resource_version_match: 'Exact' });
    assert.deepEqual(names(exact), ['one']);
    assert.equal(exact.metadata.resourceVersion, rv1);
    const legacy = await c.list('configmaps', { namespace: 'rv', resource_version: rv1, limit: 5 });
    assert.deepEqual(names(legacy), ['one']);
    // Pages of an Exact list stay at its revision.
    const p1 = await c.list('configmaps', { namespace: 'rv', resource_version: newest.metadata.resourceVersion, resource_version_match: 'Exact', limit: 1 });
    await c.create('configmaps', 'rv', { metadata: { name: 'three' } });
    const p2 = await c.list('configmaps', { namespace: 'rv', limit: 5, continue: p1.metadata.continue });
    assert.deepEqual([...names(p1), ...names(p2)], ['one', 'two']);
    assert.equal(p2.metadata.resourceVersion, newest.metadata.resourceVersion);
    // A revision etcd has not reached: 504 Timeout with a ResourceVersionTooLarge cause.
    const future = String(Number(newest.metadata.resourceVersion) + 1000);
    for (const match of ['NotOlderThan', 'Exact']) {
      const e = await rejects(c.list('configmaps', { namespace: 'rv', resource_version: future, resource_version_match: match }));
      assert.equal(e.status.code, 504, match);
      assert.equal(e.status.reason, 'Timeout');
      assert.match(e.status.message, new RegExp(`^Timeout: Too large resource version: ${future}, current: \\d+$`));
      assert.equal(e.status.details.causes[0].reason, 'ResourceVersionTooLarge');
    }
    // Invalid combinations: 422 on ListOptions, 400 for a resourceVersion with continue.
    const noRv = await rejects(c.list('configmaps', { namespace: 'rv', resource_version_match: 'Exact' }));
    assert.equal(noRv.status.code, 422);
    assert.equal(noRv.status.message, 'ListOptions.meta.k8s.io "" is invalid: resourceVersionMatch: Forbidden: resourceVersionMatch is forbidden unless resourceVersion is provided');
    const exactZero = await rejects(c.list('configmaps', { namespace: 'rv', resource_version: '0', resource_version_match: 'Exact' }));
    assert.equal(exactZero.status.message, 'ListOptions.meta.k8s.io "" is invalid: resourceVersionMatch: Forbidden: resourceVersionMatch "exact" is forbidden for resourceVersion "0"');
    const bogus = await rejects(c.list('configmaps', { namespace: 'rv', resource_version: rv1, resource_version_match: 'Newest' }));
    assert.equal(bogus.status.code, 422);
    assert.equal(bogus.status.details.causes[0].reason, 'FieldValueNotSupported');
    const withContinue = await rejects(c.list('configmaps', { namespace: 'rv', resource_version: rv1, continue: p1.metadata.continue }));
    assert.equal(withContinue.status.code, 400);
    assert.equal(withContinue.status.message, 'specifying resource version is not allowed when using continue');
    // Exact at a compacted revision: 410 Expired.
    const now = Number((await c.list('configmaps', { namespace: 'rv' })).metadata.resourceVersion);
    await raw.kv.compact({ revision: now, physical: true });
    const old = await rejects(c.list('configmaps', { namespace: 'rv', resource_version: rv1, resource_version_match: 'Exact' }));
    assert.equal(old.code, GRPC.OUT_OF_RANGE);
    assert.equal(old.status.code, 410);
    assert.equal(old.status.reason, 'Expired');
    assert.equal(old.status.message, 'The resourceVersion for the provided list is too old.');
  });

  it('lists more than gRPC\'s default 4 MiB message from etcd', async () => {
    await c.create('namespaces', '', { metadata: { name: 'big' } });
    const blob = 'x'.repeat(900 * 1024);
    for (let i = 0; i < 6; i++) await c.create('configmaps', 'big', { metadata: { name: `big-${i}` }, data: { blob } });
    // This client's own receive limit must allow the answer too.
    const big = new RawObjects(`127.0.0.1:${api.grpcPort}`, TOKEN, { 'grpc.max_receive_message_length': 64 * 1024 * 1024 });
    const list = await big.list('configmaps', { namespace: 'big' }).finally(() => big.close());
    assert.equal(list.items.length, 6);
    assert.ok(JSON.stringify(list).length > 5 * 1024 * 1024);
    assert.ok(list.items.every((i: any) => i.data.blob.length === blob.length));
  });

  it('refuses an object over 1.5 MiB (422) on create and on update, and stores nothing of it', async () => {
    // Every part valid on its own (a ConfigMap's data is capped at 1 MiB, annotations at
    // 256 KiB): 900 KiB of data and 25,000 labels of 70 bytes make the whole too big.
    const labels = Object.fromEntries(Array.from({ length: 25_000 }, (_, i) => [`k${i}`, 'v'.repeat(60)]));
    const blob = 'x'.repeat(900 * 1024);
    const created = await rejects(c.create('configmaps', 'big', { metadata: { name: 'too-big', labels }, data: { blob } }));
    assert.equal(created.status.code, 422);
    assert.equal(created.status.reason, 'Invalid');
    assert.deepEqual(created.status.details.causes.map((x: any) => [x.field, x.reason]), [['', 'FieldValueTooLong']]);
    assert.match(created.status.message, /^ConfigMap "too-big" is invalid: .*Too long: may not be more than 1572864 bytes/);
    assert.equal((await raw.get('/registry/configmaps/big/too-big').string()), null);

    const small = await c.create('configmaps', 'big', { metadata: { name: 'grows' }, data: { blob: 'x' } });
    const updated = await rejects(c.update('configmaps', 'big', { ...small, metadata: { ...small.metadata, labels }, data: { blob } }));
    assert.equal(updated.status.code, 422);
    assert.equal((await c.get('configmaps', 'big', 'grows')).data.blob, 'x');
  });

  it('renews node leases', async () => {
    const r1 = await c.call('RenewLease', { node_name: 'n7', lease_duration_seconds: 4 }, 'nodes');
    assert.match(r1.renew_time, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$/);
    const lease = await c.get('leases', 'kube-node-lease', 'n7');
    assert.equal(lease.spec.holderIdentity, 'n7');
    assert.equal(lease.spec.leaseDurationSeconds, 4);
    assert.equal(lease.spec.renewTime, r1.renew_time);
    const r2 = await c.call('RenewLease', { node_name: 'n7', lease_duration_seconds: 4 }, 'nodes');
    assert.ok(r2.renew_time > r1.renew_time);
  });

  it('sends events that are ready together as one batch to a watcher that allows it, in order', async () => {
    await c.create('namespaces', '', { metadata: { name: 'batched' } });
    for (let i = 0; i < 10; i++) await c.create('configmaps', 'batched', { metadata: { name: `b${i}` }, data: { i: String(i) } });
    // The current state, sent first, is ten events handed out at once.
    const w = c.watch('configmaps', { namespace: 'batched', allow_batches: true });
    const plain = c.watch('configmaps', { namespace: 'batched' });
    try {
      await w.until((evs) => evs.length >= 10);
      await plain.until((evs) => evs.length >= 10);
      assert.ok(w.batches >= 1, 'no batch');
      assert.equal(plain.batches, 0);
      const later = await Promise.all(Array.from({ length: 20 }, (_, i) => c.create('configmaps', 'batched', { metadata: { name: `c${i}` } })));
      await w.until((evs) => evs.length >= 30);
      await plain.until((evs) => evs.length >= 30);
      for (const watch of [w, plain]) {
        const rvs = watch.events.slice(10).map((e) => Number(e.object.metadata.resourceVersion));
        assert.deepEqual(rvs, [...rvs].sort((a, b) => a - b));
        assert.deepEqual(new Set(watch.events.map((e) => e.object.metadata.name)), new Set([...Array.from({ length: 10 }, (_, i) => `b${i}`), ...later.map((o) => o.metadata.name)]));
      }
    } finally {
      w.cancel();
      plain.cancel();
    }
  });

  it('renews a node lease that someone else changed or deleted since its last renewal', async () => {
    // The apiserver renews from the Lease it last wrote: a change made meanwhile must
    // survive the renewal (it loses its compare-and-swap and retries on the current Lease).
    await c.call('RenewLease', { node_name: 'n8', lease_duration_seconds: 40 }, 'nodes');
    const lease = await c.get('leases', 'kube-node-lease', 'n8');
    lease.metadata.labels = { touched: 'by-kubectl' };
    lease.spec.holderIdentity = 'someone-else';
    const changed = await c.update('leases', 'kube-node-lease', lease);
    const r = await c.call('RenewLease', { node_name: 'n8', lease_duration_seconds: 40 }, 'nodes');
    const renewed = await c.get('leases', 'kube-node-lease', 'n8');
    assert.equal(renewed.metadata.labels?.touched, 'by-kubectl');
    assert.equal(renewed.spec.holderIdentity, 'n8');
    assert.equal(renewed.spec.renewTime, r.renew_time);
    assert.ok(Number(renewed.metadata.resourceVersion) > Number(changed.metadata.resourceVersion));
    // Deleted: the next renewal creates it again.
    await c.delete('leases', 'kube-node-lease', 'n8');
    const again = await c.call('RenewLease', { node_name: 'n8', lease_duration_seconds: 40 }, 'nodes');
    const recreated = await c.get('leases', 'kube-node-lease', 'n8');
    assert.equal(recreated.spec.renewTime, again.renew_time);
    assert.notEqual(recreated.metadata.uid, lease.metadata.uid);
  });

  it('hands agents\' Connect streams to the tunnel after their hello', async () => {
    const call = c.nodes.Connect(c.metadata());
    call.on('error', () => {});
    call.write({ stream_id: '', hello: { node_name: 'n-tunnel' } });
    const t0 = Date.now();
    while (!api.tunnel.connectedNodes().includes('n-tunnel') && Date.now() - t0 < 3000) await new Promise((r) => setTimeout(r, 20));
    assert.ok(api.tunnel.connectedNodes().includes('n-tunnel'));
    call.cancel();
  });

  it('refuses calls without a valid token (401)', async () => {
    const anon = new RawObjects(`127.0.0.1:${api.grpcPort}`);
    const wrong = new RawObjects(`127.0.0.1:${api.grpcPort}`, 'nope');
    try {
      for (const client of [anon, wrong]) {
        const e = await rejects(client.get('namespaces', '', 'default'));
        assert.equal(e.code, GRPC.UNAUTHENTICATED);
        assert.equal(e.status.code, 401);
        assert.equal(e.status.reason, 'Unauthorized');
        const w = client.watch('pods');
        await w.until(() => w.ended, 3000).catch(() => {});
        assert.equal(w.error?.code, GRPC.UNAUTHENTICATED);
      }
    } finally {
      anon.close();
      wrong.close();
    }
  });
});

describe('apiserver through a short etcd outage', () => {
  let etcd: TestEtcd;
  let api: ApiServer;
  let c: RawObjects;

  before(async () => {
    etcd = await startEtcd();
    api = await startApiServer({ etcdServers: [etcd.url], port: 0, grpcPort: 0 });
    c = new RawObjects(`127.0.0.1:${api.grpcPort}`);
  });
  after(async () => {
    c?.close();
    await api?.stop();
    await etcd?.stop();
  });

  it('serves again within a couple of seconds of etcd returning, and its watches resume', async () => {
    await c.create('configmaps', 'default', { metadata: { name: 'before' } });
    const w = c.watch('configmaps', { namespace: 'default', resource_version: '0' });
    await w.until((e) => e.some((x) => x.object.metadata.name === 'before'));
    await etcd.kill();
    // During the outage a write either waits for etcd (the client retries) or fails 503.
    const during = c.create('configmaps', 'default', { metadata: { name: 'during' } }).then(
      () => 'ok',
      (e: RawError) => e.status?.code ?? e.code,
    );
    await new Promise((r) => setTimeout(r, 1000));
    await etcd.start();
    const back = Date.now();
    for (;;) {
      try {
        await c.create('configmaps', 'default', { metadata: { name: 'after' } });
        break;
      } catch (e) {
        if (Date.now() - back > 2500) throw new Error(`still failing ${Date.now() - back} ms after etcd returned: ${JSON.stringify(e)}`);
        await new Promise((r) => setTimeout(r, 100));
      }
    }
    assert.ok(['ok', 503].includes(await during as never), `write during the outage: ${await during}`);
    await w.until((e) => e.some((x) => x.object.metadata.name === 'after'), 8000);
    assert.equal(w.error, undefined);
    w.cancel();
  });
});

describe('apiserver durability', () => {
  let etcd: TestEtcd;
  let child: ReturnType<typeof spawn> | undefined;

  before(async () => {
    etcd = await startEtcd();
  });
  after(async () => {
    if (child && child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    await etcd?.stop();
  });

  it('loses no acknowledged create when the apiserver is killed with SIGKILL', async () => {
    const main = new URL('../../packages/apiserver/src/main.ts', import.meta.url).pathname;
    child = spawn(process.execPath, ['--import', 'tsx', main, '--etcd-servers', etcd.url, '--port', '0', '--grpc-port', '0'], { stdio: ['ignore', 'pipe', 'pipe'] });
    const grpcPort = await new Promise<number>((resolve, reject) => {
      let out = '';
      const t = setTimeout(() => reject(new Error(`apiserver did not start: ${out}`)), 20_000);
      child!.stdout!.on('data', (d) => {
        out += d;
        const m = /"msg":"apiserver ready","restPort":\d+,"grpcPort":(\d+)/.exec(out);
        if (m) {
          clearTimeout(t);
          resolve(Number(m[1]));
        }
      });
      child!.once('exit', (code) => reject(new Error(`apiserver exited ${code}: ${out}`)));
    });
    const c = new RawObjects(`127.0.0.1:${grpcPort}`);
    const acked: string[] = [];
    let stop = false;
    const workers = Array.from({ length: 8 }, async (_, w) => {
      for (let i = 0; !stop; i++) {
        try {
          await c.create('configmaps', 'default', { metadata: { name: `d-${w}-${i}` }, data: { i: String(i) } });
          acked.push(`d-${w}-${i}`);
        } catch {
          return; // the server died mid-call: not acknowledged
        }
      }
    });
    // Kill in the middle of the stream of creates, once a good number went through.
    const t0 = Date.now();
    while (acked.length < 60 && Date.now() - t0 < 15_000) await new Promise((r) => setTimeout(r, 20));
    child.kill('SIGKILL');
    stop = true;
    await Promise.all(workers);
    c.close();
    assert.ok(acked.length > 20, `only ${acked.length} creates before the kill`);
    const raw = new Etcd3({ hosts: etcd.url });
    try {
      const keys = await raw.getAll().prefix('/registry/configmaps/default/').keys();
      const stored = new Set(keys.map((k) => k.slice('/registry/configmaps/default/'.length)));
      const lost = acked.filter((n) => !stored.has(n));
      assert.deepEqual(lost, []);
    } finally {
      raw.close();
    }
  });
});
