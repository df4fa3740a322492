// The watch event of a write that arrives before the write's answer carries the object the
// write built, and only when etcd holds exactly its bytes.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Etcd3 } from 'etcd3';
import type { KubeObject } from '@k8ts/api';
import { MemoryKv } from './memory-kv.js';
import { Store, type KvCalls } from './store.js';
import { hubEvent, encodeShared, type HubEvent } from './watch-cache/watch-event.js';

const PREFIX = '/registry/configmaps/';

/** A store whose transactions are answered only after their watch events have gone out. */
async function slowAnswers() {
  const kv = new MemoryKv();
  const calls: KvCalls = {
    range: (req) => kv.range(req),
    txn: async (req) => {
      const res = await kv.txn(req);
      await new Promise((r) => setTimeout(r, 20));
      return res;
    },
  };
  const store = new Store(kv.asEtcd3() as Etcd3, undefined, calls);
  const handle = store.recent.watch(PREFIX);
  const events: HubEvent[] = [];
  const w = await store.watch(PREFIX, 1);
  w.on('data', (evs) => {
    for (const ev of evs) {
      const e = hubEvent(ev, PREFIX.length, true, store.recent);
      if (e) events.push(e);
    }
    handle.seen(Math.max(...evs.map((e) => Number(e.kv.mod_revision))));
  });
  return { kv, store, events, stop: () => (handle.end(), w.cancel()) };
}

const cm = (name: string, v: string): KubeObject => ({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, namespace: 'ns', uid: `u-${name}` }, data: { k: v } });

test('an event ahead of its write’s answer is the written object, with the JSON etcd holds', async () => {
  const { kv, store, events, stop } = await slowAnswers();
  try {
    const r = await store.create(`${PREFIX}ns/a`, cm('a', '1'));
    assert.ok(r.ok);
    assert.equal(events.length, 1, 'the event came before the answer');
    const ev = events[0]!;
    assert.equal(ev.object, r.object, 'not decoded a second time');
    assert.equal(ev.object.metadata.resourceVersion, r.revision);
    const u = await store.update(`${PREFIX}ns/a`, { ...cm('a', '2'), metadata: { ...cm('a', '2').metadata } }, r.revision);
    assert.ok(u.ok);
    assert.equal(events[1]!.object, u.object);
    const held = JSON.parse((await kv.range({ key: Buffer.from(`${PREFIX}ns/a`) })).kvs[0]!.value.toString());
    held.metadata.resourceVersion = u.revision;
    assert.deepEqual(JSON.parse(encodeShared(events[1]!.object)), held, 'what watchers are sent is what etcd holds');
  } finally {
    await stop();
  }
});

test('an event whose bytes are not the write’s is decoded from them', async () => {
  const { kv, store, events, stop } = await slowAnswers();
  try {
    const r = await store.create(`${PREFIX}ns/b`, cm('b', '1'));
    assert.ok(r.ok);
    // Another writer (another apiserver) puts other bytes while this one's update is out.
    const other = JSON.stringify(cm('b', 'theirs'));
    const pending = store.update(`${PREFIX}ns/b`, cm('b', 'mine'), r.revision);
    await kv.txn({ compare: [], success: [{ request_put: { key: Buffer.from(`${PREFIX}ns/b`), value: Buffer.from(other) } }], failure: [] });
    const u = await pending;
    await new Promise((res) => setTimeout(res, 20));
    const theirs = events.find((e) => (e.object as { data?: { k?: string } }).data?.k === 'theirs');
    assert.ok(theirs, 'their write is seen as theirs');
    if (u.ok) {
      const mine = events.find((e) => (e.object as { data?: { k?: string } }).data?.k === 'mine');
      assert.equal(mine?.object, u.object);
    } else {
      assert.equal(events.filter((e) => (e.object as { data?: { k?: string } }).data?.k === 'mine').length, 0, 'a write that lost its compare-and-swap is never an event');
    }
  } finally {
    await stop();
  }
});
