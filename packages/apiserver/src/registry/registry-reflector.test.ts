// The registry reflector over a registry stand-in whose lists and watches the test drives.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { KubeObject, WatchEvent } from '@k8ts/api';
import type { Registry } from './types.js';
import { RegistryReflector, type ReflectorStore } from './registry-reflector.js';

const cm = (name: string, rv: string): KubeObject => ({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, namespace: 'ns', resourceVersion: rv } });

/** Lists answer from `items` at `rv` (or fail while `failLists` > 0); each watch is recorded. */
class FakeRegistry {
  items: KubeObject[] = [];
  rv = '1';
  failLists = 0;
  lists = 0;
  /** Lists answered (or refused) but not yet seen by the test. */
  private waiters: (() => void)[] = [];
  readonly watches: { resourceVersion?: string; send: (ev: WatchEvent) => void; stopped: boolean }[] = [];

  async list(resource: string): Promise<{ items: KubeObject[]; metadata: { resourceVersion: string } }> {
    assert.equal(resource, 'configmaps');
    this.lists++;
    this.waiters.splice(0).forEach((w) => w());
    if (this.failLists > 0) {
      this.failLists--;
      throw new Error('etcd unavailable');
    }
    return { items: [...this.items], metadata: { resourceVersion: this.rv } };
  }

  watch(resource: string, opts: { resourceVersion?: string }, onEvent: (ev: WatchEvent) => void): { stop(): void } {
    const w = { resourceVersion: opts.resourceVersion, send: onEvent, stopped: false };
    this.watches.push(w);
    return { stop: () => void (w.stopped = true) };
  }

  /** Until `n` lists have been asked for, then until the reflector has acted on the answer. */
  async untilLists(n: number): Promise<void> {
    while (this.lists < n) await new Promise<void>((r) => this.waiters.push(r));
    await new Promise((r) => setImmediate(r));
  }
}

function recorder(): ReflectorStore & { log: string[] } {
  const log: string[] = [];
  return {
    log,
    replace: (items) => log.push(`replace ${items.map((o) => o.metadata.name).join(',')}`),
    event: (type, obj) => log.push(`${type} ${obj.metadata.name}`),
    stale: () => log.push('stale'),
  };
}

const expired: WatchEvent = { type: 'ERROR', object: { apiVersion: 'v1', kind: 'Status', metadata: {}, code: 410, reason: 'Expired' } as unknown as KubeObject };

describe('RegistryReflector', () => {
  it('lists into the store, then watches from the list resourceVersion and hands on changes (not bookmarks)', async () => {
    const reg = new FakeRegistry();
    reg.items = [cm('a', '3'), cm('b', '4')];
    reg.rv = '5';
    const store = recorder();
    const r = new RegistryReflector(reg as unknown as Registry, 'configmaps', store);
    await r.start();
    assert.equal(reg.watches.length, 1);
    assert.equal(reg.watches[0].resourceVersion, '5');
    reg.watches[0].send({ type: 'ADDED', object: cm('c', '6') });
    reg.watches[0].send({ type: 'BOOKMARK', object: { apiVersion: 'v1', kind: 'ConfigMap', metadata: { resourceVersion: '7' } } });
    reg.watches[0].send({ type: 'MODIFIED', object: cm('a', '8') });
    reg.watches[0].send({ type: 'DELETED', object: cm('b', '9') });
    assert.deepEqual(store.log, ['replace a,b', 'ADDED c', 'MODIFIED a', 'DELETED b']);
    r.close();
    assert.ok(reg.watches[0].stopped);
  });

  it('relists and watches again from the new list when the watch ends, retrying a failed relist', async () => {
    const reg = new FakeRegistry();
    reg.items = [cm('a', '3')];
    reg.rv = '3';
    const store = recorder();
    const r = new RegistryReflector(reg as unknown as Registry, 'configmaps', store, { retryMs: 1 });
    await r.start();
    reg.items = [cm('a', '3'), cm('b', '20')];
    reg.rv = '21';
    reg.failLists = 1;
    reg.watches[0].send(expired);
    assert.ok(reg.watches[0].stopped);
    await reg.untilLists(3);
    assert.deepEqual(store.log, ['replace a', 'stale', 'stale', 'replace a,b']);
    assert.equal(reg.watches.length, 2);
    assert.equal(reg.watches[1].resourceVersion, '21');
    reg.watches[1].send({ type: 'DELETED', object: cm('a', '22') });
    assert.equal(store.log.at(-1), 'DELETED a');
    r.close();
    assert.ok(reg.watches[1].stopped);
  });

  it('does not relist after close(), nor start a watch when closed during a list', async () => {
    const reg = new FakeRegistry();
    const store = recorder();
    const r = new RegistryReflector(reg as unknown as Registry, 'configmaps', store);
    await r.start();
    r.close();
    reg.watches[0].send(expired);
    await new Promise((resolve) => setImmediate(resolve));
    assert.equal(reg.lists, 1);
    assert.deepEqual(store.log, ['replace ']);

    const closing = new RegistryReflector(reg as unknown as Registry, 'configmaps', recorder());
    const started = closing.start();
    closing.close();
    await started;
    assert.equal(reg.watches.length, 1, 'no watch started for the reflector closed during its list');
  });
});
