import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { findResource, type WatchEvent } from '@k8ts/api';
import { memoryStore } from '../storage/memory-kv.js';
import type { Store } from '../storage/store.js';
import { objectKey } from '../storage/keys.js';
import { WatchService } from './watch-service.js';

const configmaps = findResource('configmaps')!;

function putConfigMap(kv: ReturnType<typeof memoryStore>['kv'], name: string): void {
  kv.putRaw(objectKey('configmaps', 'ns', name), JSON.stringify({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, namespace: 'ns', uid: name } }));
}

/** Waits until the events seen satisfy `done` (the hub delivers on later turns of the loop). */
async function until(done: () => boolean): Promise<void> {
  for (let i = 0; i < 200 && !done(); i++) await new Promise((r) => setTimeout(r, 5));
  assert.ok(done(), 'timed out');
}

const names = (got: WatchEvent[]) => got.map((e) => `${e.type} ${e.object.metadata?.name ?? e.object.reason}`);

describe('watch service', () => {
  it('a watch from resourceVersion "0" gets every write after its list even when the shared ring moved past that list meanwhile, without an etcd watch of its own', async () => {
    const { kv, store } = memoryStore();
    const ws = new WatchService(store, { ringSize: 2 });
    putConfigMap(kv, 'before');
    const list = store.list.bind(store);
    // Writes land while the list is on its way: more than the ring (2..4 events) holds.
    store.list = async (...args) => {
      const page = await list(...args);
      for (let i = 0; i < 10; i++) putConfigMap(kv, `during-${i}`);
      await new Promise((r) => setTimeout(r, 30));
      return page;
    };
    await ws.hub(configmaps).ensureStarted();
    const got: WatchEvent[] = [];
    const w = ws.watch(configmaps, 'ns', { resourceVersion: '0' }, (e) => got.push(e));
    try {
      await until(() => got.length >= 11);
      assert.deepEqual(names(got), ['ADDED before', ...Array.from({ length: 10 }, (_, i) => `ADDED during-${i}`)]);
      assert.ok(ws.hub(configmaps).floor > Number(got[0].object.metadata.resourceVersion), 'the ring had moved past the list');
      assert.equal(kv.watchCount, 1, 'only the shared watch of the resource runs at etcd');
    } finally {
      w.stop();
      await ws.close();
    }
  });

  it('serves watches from before the ring with an etcd watch of their own up to maxDedicated, then answers 410 Expired', async () => {
    const { kv, store } = memoryStore();
    let dedicatedClientWatches = 0;
    store.dedicatedWatches = {
      watch: () => {
        dedicatedClientWatches++;
        return (kv.asEtcd3() as Store['etcd']).watch();
      },
    } as unknown as Store['dedicatedWatches'];
    const ws = new WatchService(store, { ringSize: 2, maxDedicated: 1 });
    await ws.hub(configmaps).ensureStarted();
    putConfigMap(kv, 'first');
    const from = String(kv.revision - 1);
    for (let i = 0; i < 10; i++) putConfigMap(kv, `later-${i}`);
    await until(() => ws.hub(configmaps).floor > Number(from));

    const a: WatchEvent[] = [];
    const wa = ws.watch(configmaps, 'ns', { resourceVersion: from }, (e) => a.push(e));
    await until(() => a.length === 11);
    assert.equal(kv.watchCount, 2, 'the shared watch and the dedicated one');
    assert.equal(dedicatedClientWatches, 1, "the dedicated one on the store's second client, the shared one not");

    const b: WatchEvent[] = [];
    ws.watch(configmaps, 'ns', { resourceVersion: from }, (e) => b.push(e));
    await until(() => b.length === 1);
    assert.equal(b[0].type, 'ERROR');
    assert.equal((b[0].object as { code?: number }).code, 410);
    assert.match(String((b[0].object as { message?: string }).message), /^too old resource version: \d+ \(\d+\)$/);

    wa.stop();
    const c: WatchEvent[] = [];
    const wc = ws.watch(configmaps, 'ns', { resourceVersion: from }, (e) => c.push(e));
    try {
      await until(() => c.length === 11);
      assert.equal(c[0].object.metadata.name, 'first', 'a slot freed by a stopped watch serves the next one');
    } finally {
      wc.stop();
      await ws.close();
    }
  });
});
