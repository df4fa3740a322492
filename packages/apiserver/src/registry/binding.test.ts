// pods/binding from the shared watch's pod: no read when the pod can be bound, and every other
// answer from what etcd holds, however stale the watch's copy.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { KubeObject } from '@k8ts/api';
import { ApiError } from '@k8ts/client';
import { memoryStore } from '../storage/memory-kv.js';
import { PodBinder } from './binding.js';

const KEY = '/registry/pods/ns/p';
const pod = (uid: string): KubeObject => ({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p', namespace: 'ns', uid }, spec: { containers: [{ name: 'c', image: 'i' }] } });
const binding = (node: string, uid?: string) => ({ apiVersion: 'v1', kind: 'Binding', metadata: { name: 'p', ...(uid ? { uid } : {}) }, target: { kind: 'Node', name: node } }) as unknown as KubeObject;

function setup() {
  const { kv, store } = memoryStore();
  let reads = 0;
  const get = store.get.bind(store);
  const getMany = store.getMany.bind(store);
  store.get = (k) => (reads++, get(k));
  store.getMany = (ks) => ((reads += ks.length), getMany(ks));
  const cache = new Map<string, KubeObject>();
  const binder = new PodBinder(store, (k) => cache.get(k));
  return { kv, store, cache, binder, reads: () => reads };
}

test('a pod the watch holds is bound without a read, and the watch’s object is left as it was', async () => {
  const { store, cache, binder, reads } = setup();
  const r = await store.create(KEY, pod('u1'));
  assert.ok(r.ok);
  const shared = structuredClone(r.object);
  cache.set(KEY, shared);
  const before = JSON.stringify(shared);
  await binder.bind('ns', 'p', binding('n1', 'u1'), {});
  assert.equal(reads(), 0);
  assert.equal(JSON.stringify(shared), before, 'the shared object is not changed');
  const now = await store.get(KEY);
  assert.equal(now?.spec?.nodeName, 'n1');
  assert.equal(now?.status?.conditions?.[0]?.type, 'PodScheduled');
});

test('a stale watch copy loses the compare-and-swap, and the answer is etcd’s', async () => {
  const { store, cache, binder } = setup();
  const r = await store.create(KEY, pod('u1'));
  assert.ok(r.ok);
  cache.set(KEY, structuredClone(r.object)); // unbound in the watch's copy
  await binder.bind('ns', 'p', binding('n1'), {});
  // The copy still says unbound: the bind goes to etcd and is refused on etcd's state.
  await assert.rejects(binder.bind('ns', 'p', binding('n2'), {}), (e: unknown) => e instanceof ApiError && e.code === 409 && /already assigned to node "n1"/.test(e.message));
  // Deleted and created again under the same name: the uid precondition is checked on etcd's pod.
  await store.delete(KEY, (await store.get(KEY))!, (await store.get(KEY))!.metadata.resourceVersion!);
  const again = await store.create(KEY, pod('u2'));
  assert.ok(again.ok);
  await assert.rejects(binder.bind('ns', 'p', binding('n3', 'u1'), {}), (e: unknown) => e instanceof ApiError && e.code === 409 && /UID in object meta: u2/.test(e.message));
  await binder.bind('ns', 'p', binding('n3', 'u2'), {});
  assert.equal((await store.get(KEY))?.spec?.nodeName, 'n3');
  // Gone from etcd while the watch still holds it: 404.
  await store.delete(KEY, (await store.get(KEY))!, (await store.get(KEY))!.metadata.resourceVersion!);
  cache.set(KEY, structuredClone(again.object));
  await assert.rejects(binder.bind('ns', 'p', binding('n4'), {}), (e: unknown) => e instanceof ApiError && e.code === 404);
});
