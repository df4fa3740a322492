import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FakeClient } from '@k8ts/client';
import { WatchCache } from './watch-cache.js';

const svc = (name: string) => ({ apiVersion: 'v1', kind: 'Service', metadata: { name, namespace: 'default' }, spec: { clusterIP: '10.96.0.1', ports: [{ port: 80 }] } });
const until = async (cond: () => boolean) => {
  for (let i = 0; i < 100 && !cond(); i++) await new Promise((r) => setTimeout(r, 10));
  assert.ok(cond());
};

test('lists, follows changes, and survives a broken watch, a 410 and a compaction', async () => {
  const fake = new FakeClient();
  await fake.create('services', svc('a'));
  let changes = 0;
  const cache = new WatchCache(fake, 'services', () => changes++);
  await cache.start();
  assert.deepEqual(cache.list().map((o) => o.metadata.name), ['a']);
  assert.ok(changes >= 1);

  await fake.create('services', svc('b'));
  await until(() => !!cache.get('default', 'b'));

  fake.breakWatches();
  await fake.create('services', svc('c'));
  await until(() => !!cache.get('default', 'c'));

  fake.compact();
  fake.expireWatches();
  await fake.delete('services', 'default', 'a');
  await until(() => !cache.get('default', 'a'));
  assert.deepEqual(cache.list().map((o) => o.metadata.name).sort(), ['b', 'c']);
  cache.stop();
  await until(() => fake.watcherCount === 0);
});
