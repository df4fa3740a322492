// The store writes only values its readers can decode, and one undecodable value (written
// by hand or an older version) costs lists nothing but itself.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Etcd3 } from 'etcd3';
import type pino from 'pino';
import { ApiError } from '@k8ts/client';
import type { KubeObject } from '@k8ts/api';
import { Store } from './store.js';
import { MemoryKv } from './memory-kv.js';
import { CorruptObjectError } from './codec.js';
import { storableErrors } from './storable.js';
import { capturedLogger } from '../testing/captured-logger.js';

function storeOver(kv: MemoryKv, logger?: pino.Logger): Store {
  return new Store(undefined as unknown as Etcd3, undefined, kv, logger);
}

const KEY = '/registry/configmaps/default/a';
const good = (): any => ({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'a', namespace: 'default' }, data: { k: 'v' } });

function malformed(): unknown[] {
  const out: unknown[] = [null, 1, 'x', [], [good()], true];
  const metas: unknown[] = [null, [], ['a'], 'a', 1, true, { name: 1 }, { name: '' }, { name: 'b' }, { name: ['a'] }, { name: 'a', namespace: 5 }, { name: 'a', namespace: 'x/y' }];
  for (const m of metas) out.push({ ...good(), metadata: m });
  const fields: [string, unknown][] = [
    ['labels', 'x'], ['labels', { a: 1 }], ['labels', []], ['annotations', { a: null }], ['annotations', 7],
    ['finalizers', 'x'], ['finalizers', [1]], ['ownerReferences', {}], ['ownerReferences', ['x']], ['managedFields', 3],
    ['generation', '1'], ['generation', 1.5], ['deletionGracePeriodSeconds', 'x'], ['uid', 5], ['resourceVersion', {}],
    ['creationTimestamp', 3], ['deletionTimestamp', []], ['generateName', {}], ['selfLink', 1],
  ];
  for (const [f, v] of fields) out.push({ ...good(), metadata: { name: 'a', namespace: 'default', [f]: v } });
  out.push({ ...good(), apiVersion: 1 }, { ...good(), kind: null }, { ...good(), kind: '' });
  const { apiVersion: _a, ...noApiVersion } = good();
  out.push(noApiVersion);
  return out;
}

function assertAllStoredValuesDecode(kv: MemoryKv): void {
  for (const [key, e] of kv.data) {
    const obj = JSON.parse(e.value.toString('utf8'));
    assert.deepEqual(storableErrors(key, obj), [], `${key} holds ${e.value}`);
  }
}

describe('the store writes only decodable objects', () => {
  it('refuses every malformed object with 422 on create and on update, writing nothing', async () => {
    const kv = new MemoryKv();
    const store = storeOver(kv);
    const cases = malformed();
    for (const obj of cases) {
      const rev = kv.revision;
      await assert.rejects(store.create(KEY, structuredClone(obj) as KubeObject), (e: unknown) => e instanceof ApiError && e.code === 422, JSON.stringify(obj));
      assert.equal(kv.revision, rev, `nothing written for ${JSON.stringify(obj)}`);
    }
    const created = await store.create(KEY, good());
    assert.ok(created.ok);
    for (const obj of cases) {
      await assert.rejects(store.update(KEY, structuredClone(obj) as KubeObject, created.revision), (e: unknown) => e instanceof ApiError && e.code === 422);
    }
    assert.equal(((await store.get(KEY)) as any)?.data?.k, "v");
    assertAllStoredValuesDecode(kv);
  });

  it('stores the well-formed variants of the same fields', async () => {
    const kv = new MemoryKv();
    const store = storeOver(kv);
    const obj = good();
    Object.assign(obj.metadata, { labels: { a: 'b' }, annotations: {}, finalizers: ['f'], ownerReferences: [{ name: 'o' }], generation: 2, deletionTimestamp: null });
    assert.ok((await store.create(KEY, obj)).ok);
    assertAllStoredValuesDecode(kv);
  });
});

describe('undecodable stored values', () => {
  const garbage: [string, string][] = [
    ['/registry/configmaps/default/b', '{not json'],
    ['/registry/configmaps/default/c', '[1,2]'],
    ['/registry/configmaps/default/d', '{"metadata":[]}'],
    ['/registry/configmaps/default/e', 'null'],
    ['/registry/configmaps/default/f', '{"metadata":{"name":5}}'],
    ['/registry/configmaps/default/g', '\u0000\u00ff'],
  ];

  async function seeded() {
    const kv = new MemoryKv();
    const { logger, lines } = capturedLogger();
    const store = storeOver(kv, logger);
    assert.ok((await store.create(KEY, good())).ok);
    for (const [k, v] of garbage) kv.putRaw(k, v);
    const h = good();
    h.metadata.name = 'h';
    assert.ok((await store.create('/registry/configmaps/default/h', h)).ok);
    return { kv, store, lines };
  }

  it('lists skip them with a warning naming each, paged or not', async () => {
    const { store, lines } = await seeded();
    const page = await store.list('/registry/configmaps/');
    assert.deepEqual(page.items.map((o) => o.metadata.name), ['a', 'h']);
    const warned = lines.filter((l) => l.msg === 'list skipped an undecodable stored value').map((l) => l.key);
    assert.deepEqual(warned, garbage.map(([k]) => k));
    const names: string[] = [];
    let cont: string | undefined;
    do {
      const p = await store.list('/registry/configmaps/', { limit: 2, continue: cont });
      names.push(...p.items.map((o) => o.metadata.name!));
      cont = p.continue;
    } while (cont);
    assert.deepEqual(names, ['a', 'h']);
  });

  it('a read of one answers 500 InternalError naming its key', async () => {
    const { store } = await seeded();
    for (const [k] of garbage) {
      await assert.rejects(store.get(k), (e: unknown) => e instanceof CorruptObjectError && e.code === 500 && e.status.reason === 'InternalError' && e.message.includes(k));
    }
  });

  it('deleteCorrupt removes them and leaves decodable objects alone', async () => {
    const { kv, store } = await seeded();
    assert.deepEqual(await store.deleteCorrupt(KEY), { deleted: false });
    assert.ok(await store.get(KEY));
    for (const [k] of garbage) assert.equal((await store.deleteCorrupt(k)).deleted, true);
    assert.deepEqual([...kv.data.keys()].sort(), [KEY, '/registry/configmaps/default/h']);
    assert.deepEqual(await store.deleteCorrupt('/registry/configmaps/default/none'), { deleted: false });
  });
});
