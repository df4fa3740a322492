import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { KubeObject } from '@k8ts/api';
import { FakeClient } from './fake-client.js';
import { Informer, keyOf } from './informer.js';
import { SharedInformerFactory } from './shared-informer.js';

const silent = { debug() {}, info() {}, warn() {}, error() {} };
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
async function until(cond: () => boolean, ms = 3000): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error('condition not met in time');
    await sleep(5);
  }
}
const pod = (name: string, ns = 'default', labels: Record<string, string> = {}): KubeObject => ({ metadata: { name, namespace: ns, labels }, spec: {} });

function record(inf: Informer) {
  const log: string[] = [];
  inf.addEventHandler({
    onAdd: (o) => log.push(`add ${keyOf(o)}`),
    onUpdate: (a, b) => log.push(`update ${keyOf(b)} ${a.metadata.resourceVersion}->${b.metadata.resourceVersion}`),
    onDelete: (o) => log.push(`delete ${keyOf(o)}`),
  });
  return log;
}

test('lists, syncs, then follows the watch; store, namespace and custom indexes', async (t) => {
  const c = new FakeClient();
  await c.create('pods', pod('a', 'ns1', { app: 'x' }));
  await c.create('pods', pod('b', 'ns2'));
  const inf = new Informer(c, { resource: 'pods', logger: silent });
  t.after(() => inf.stop());
  inf.addIndexer('byNode', (p) => (p.spec?.nodeName ? [p.spec.nodeName] : []));
  const log = record(inf);
  assert.equal(inf.hasSynced(), false);
  inf.start();
  assert.equal(await inf.waitForSync(2000), true);
  assert.deepEqual(log.sort(), ['add ns1/a', 'add ns2/b']);
  assert.equal(inf.get('ns1/a')!.metadata.labels!.app, 'x');
  assert.deepEqual(inf.list('ns2').map((p) => p.metadata.name), ['b']);
  log.length = 0;
  await until(() => c.watcherCount === 1);
  await c.createSubresource('pods', 'ns1', 'a', 'binding', { metadata: { name: 'a' }, target: { name: 'n1' } } as any);
  await c.create('pods', pod('c', 'ns1'));
  await c.delete('pods', 'ns2', 'b');
  await until(() => log.length === 3);
  assert.deepEqual(log, ['update ns1/a 1->3', 'add ns1/c', 'delete ns2/b']);
  assert.deepEqual(inf.byIndex('byNode', 'n1').map(keyOf), ['ns1/a']);
  assert.deepEqual(inf.byIndex('namespace', 'ns1').map(keyOf).sort(), ['ns1/a', 'ns1/c']);
  assert.deepEqual(inf.byIndex('namespace', 'ns2'), []);
  assert.equal(inf.lastSyncResourceVersion, c.resourceVersion);
  assert.equal(inf.listCount, 1);
});

test('after 410 Expired it relists and delivers only the differences', async (t) => {
  const c = new FakeClient();
  await c.create('pods', pod('keep'));
  await c.create('pods', pod('change'));
  await c.create('pods', pod('gone'));
  const inf = new Informer(c, { resource: 'pods', logger: silent, minBackoffMs: 10 });
  t.after(() => inf.stop());
  const log = record(inf);
  inf.start();
  await inf.waitForSync();
  await until(() => c.watcherCount === 1);
  log.length = 0;
  // Changes the watch never delivers: the stream is broken first, history is compacted.
  c.breakWatches();
  const oldList = c.resourceVersion;
  await c.patch('pods', 'default', 'change', 'application/merge-patch+json', { metadata: { labels: { v: '2' } } });
  await c.delete('pods', 'default', 'gone');
  await c.create('pods', pod('new'));
  c.compact();
  await until(() => log.length === 3);
  assert.deepEqual(log.sort(), ['add default/new', 'delete default/gone', `update default/change 2->${Number(oldList) + 1}`]);
  assert.ok(inf.listCount >= 2);
  assert.equal(inf.expiredCount, 1);
  assert.deepEqual(inf.listKeys().sort(), ['default/change', 'default/keep', 'default/new']);

  // A 410 ERROR event on a live watch also leads to a relist.
  await until(() => c.watcherCount === 1);
  const lists = inf.listCount;
  c.expireWatches();
  await until(() => inf.listCount > lists && c.watcherCount === 1);
  await c.create('pods', pod('after'));
  await until(() => inf.get('default/after') !== undefined);
});

test('a broken stream is resumed from the last resourceVersion without a relist', async (t) => {
  const c = new FakeClient();
  await c.create('pods', pod('a'));
  const inf = new Informer(c, { resource: 'pods', logger: silent, minBackoffMs: 10 });
  t.after(() => inf.stop());
  const log = record(inf);
  inf.start();
  await inf.waitForSync();
  await until(() => c.watcherCount === 1);
  c.breakWatches();
  await c.create('pods', pod('b'));
  await c.delete('pods', 'default', 'a');
  await until(() => log.length === 3);
  assert.deepEqual(log, ['add default/a', 'add default/b', 'delete default/a']);
  assert.equal(inf.listCount, 1);
  assert.ok(inf.watchCount >= 2);
  const resumed = c.actionsOf('watch', 'pods').at(-1)!.options as { resourceVersion: string };
  assert.equal(resumed.resourceVersion, '1');
});

test('a deleted and recreated object (new uid) shows as delete then add after a relist', async (t) => {
  const c = new FakeClient();
  await c.create('configmaps', pod('x'));
  const inf = new Informer(c, { resource: 'configmaps', logger: silent, minBackoffMs: 10 });
  t.after(() => inf.stop());
  const log = record(inf);
  inf.start();
  await inf.waitForSync();
  await until(() => c.watcherCount === 1);
  c.breakWatches();
  c.compact();
  await c.delete('configmaps', 'default', 'x');
  await c.create('configmaps', pod('x'));
  await until(() => log.length === 3);
  assert.deepEqual(log, ['add default/x', 'delete default/x', 'add default/x']);
});

test('selectors and namespace restrict the cache; objects leaving the selection are deleted', async (t) => {
  const c = new FakeClient();
  await c.create('pods', pod('a', 'ns1', { app: 'web' }));
  await c.create('pods', pod('b', 'ns1', { app: 'db' }));
  await c.create('pods', pod('c', 'ns2', { app: 'web' }));
  const inf = new Informer(c, { resource: 'pods', namespace: 'ns1', labelSelector: 'app=web', logger: silent });
  t.after(() => inf.stop());
  const log = record(inf);
  inf.start();
  await inf.waitForSync();
  assert.deepEqual(inf.listKeys(), ['ns1/a']);
  await until(() => c.watcherCount === 1);
  await c.patch('pods', 'ns1', 'a', 'application/merge-patch+json', { metadata: { labels: { app: 'other' } } });
  await c.patch('pods', 'ns1', 'b', 'application/merge-patch+json', { metadata: { labels: { app: 'web' } } });
  await until(() => log.length === 3);
  assert.deepEqual(log, ['add ns1/a', 'delete ns1/a', 'add ns1/b']);
});

test('handler errors are contained; late handlers get the current objects; resync; list retries', async (t) => {
  const c = new FakeClient();
  await c.create('nodes', { metadata: { name: 'n1' } });
  let failures = 0;
  c.prependReactor('list', 'nodes', () => {
    if (failures++ < 2) throw new Error('apiserver down');
    return undefined;
  });
  const inf = new Informer(c, { resource: 'nodes', logger: silent, resyncPeriodMs: 50, minBackoffMs: 5 });
  t.after(() => inf.stop());
  inf.onAdd(() => {
    throw new Error('bad handler');
  });
  inf.start();
  assert.equal(await inf.waitForSync(2000), true);
  assert.equal(failures, 3);
  assert.equal(inf.get('n1')!.metadata.name, 'n1');
  const late: string[] = [];
  inf.addEventHandler({ onAdd: (o) => late.push(`add ${keyOf(o)}`), onUpdate: (a, b) => a === b && late.push('resync') });
  assert.deepEqual(late, ['add n1']);
  await until(() => late.includes('resync'));
  await inf.stop();
  assert.equal(await inf.waitForSync(), true);
});

test('SharedInformerFactory shares one informer per resource+namespace+selector', async (t) => {
  const c = new FakeClient();
  await c.create('pods', pod('a'));
  const f = new SharedInformerFactory(c, { logger: silent });
  t.after(() => f.stop());
  const p1 = f.informerFor('pods');
  const p2 = f.informerFor('pods');
  const p3 = f.informerFor('pods', { namespace: 'kube-system' });
  assert.equal(p1, p2);
  assert.notEqual(p1, p3);
  f.start();
  assert.equal(await f.waitForSync(2000), true);
  const late = f.informerFor('nodes');
  assert.equal(await late.waitForSync(2000), true, 'informers created after start start at once');
  assert.equal(p1.list().length, 1);
  assert.equal(p3.list().length, 0);
  await f.stop();
  assert.equal(c.watcherCount, 0);
});

test('the cache drops managedFields from listed and watched objects (client-go TransformStripManagedFields) unless told not to', async (t) => {
  const c = new FakeClient();
  const mf = [{ manager: 'kubectl', operation: 'Update', apiVersion: 'v1', fieldsType: 'FieldsV1', fieldsV1: { 'f:spec': {} } }];
  const withFields = (name: string) => ({ ...pod(name), metadata: { ...pod(name).metadata, managedFields: mf } }) as KubeObject;
  await c.create('pods', withFields('listed'));
  const inf = new Informer(c, { resource: 'pods', logger: silent });
  const kept = new Informer(c, { resource: 'pods', logger: silent, transform: null });
  t.after(() => Promise.all([inf.stop(), kept.stop()]));
  const seen: KubeObject[] = [];
  inf.addEventHandler({ onAdd: (o) => seen.push(o), onUpdate: (_a, b) => seen.push(b) });
  inf.start();
  kept.start();
  assert.equal(await inf.waitForSync(2000), true);
  assert.equal(await kept.waitForSync(2000), true);
  await until(() => c.watcherCount === 2);
  await c.create('pods', withFields('watched'));
  await until(() => inf.size === 2 && kept.size === 2);
  for (const key of ['default/listed', 'default/watched']) {
    assert.equal(inf.get(key)!.metadata.managedFields, undefined, key);
    assert.ok(!('managedFields' in inf.get(key)!.metadata), key);
    assert.equal(inf.get(key)!.metadata.name, splitName(key));
    assert.deepEqual(kept.get(key)!.metadata.managedFields, mf, key);
  }
  assert.ok(seen.every((o) => !('managedFields' in o.metadata)), 'handlers get what the cache holds');
});

const splitName = (key: string) => key.slice(key.indexOf('/') + 1);
