import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { StorageEvent as IEvent } from '../storage/storage.js';
import type { WatchEvent } from '@k8ts/api';
import { RegistryWatcher } from './watcher.js';
import { HubEvent, encodeShared } from '../storage/watch-cache/watch-event.js';
import { compileFilter, EVERYTHING } from './api-calls.js';

const PREFIX = '/registry/pods/';

function kv(ns: string, name: string, labels: Record<string, string>, mod: number, create: number) {
  return {
    key: Buffer.from(`${PREFIX}${ns}/${name}`),
    value: Buffer.from(JSON.stringify({ metadata: { name, namespace: ns, labels } })),
    mod_revision: String(mod),
    create_revision: String(create),
    version: '1',
    lease: '0',
  };
}

function put(ns: string, name: string, labels: Record<string, string>, mod: number, create: number, prev?: Record<string, string>): HubEvent {
  const ev = { type: 'Put', kv: kv(ns, name, labels, mod, create), prev_kv: prev ? kv(ns, name, prev, mod - 1, create) : undefined } as unknown as IEvent;
  return new HubEvent(ev, PREFIX.length, true);
}

function del(ns: string, name: string, labels: Record<string, string>, mod: number): HubEvent {
  const ev = { type: 'Delete', kv: { ...kv(ns, name, {}, mod, 0), value: Buffer.alloc(0) }, prev_kv: kv(ns, name, labels, mod - 1, 1) } as unknown as IEvent;
  return new HubEvent(ev, PREFIX.length, true);
}

describe('registry watcher', () => {
  it('decodes etcd events once: type, namespace, revision; DELETED carries the last state at the delete revision', () => {
    const a = put('ns1', 'a', { app: 'x' }, 5, 5);
    assert.equal(a.type, 'ADDED');
    assert.equal(a.namespace, 'ns1');
    assert.equal(a.object.metadata.resourceVersion, '5');
    assert.equal(put('ns1', 'a', {}, 6, 5, {}).type, 'MODIFIED');
    const d = del('ns1', 'a', { app: 'x' }, 7);
    assert.equal(d.type, 'DELETED');
    assert.equal(d.object.metadata.resourceVersion, '7');
    assert.deepEqual(d.object.metadata.labels, { app: 'x' });
    assert.equal(a.asWatchEvent(), a.asWatchEvent(), 'the same event object goes to every watcher');
    assert.equal(encodeShared(a.object), encodeShared(a.object));
  });

  it('filters by namespace and skips revisions already sent', () => {
    const got: WatchEvent[] = [];
    const w = new RegistryWatcher('ns1', EVERYTHING, (e) => got.push(e));
    w.sinceRevision = 5;
    w.deliver(put('ns1', 'old', {}, 5, 5));
    w.deliver(put('ns2', 'other', {}, 6, 6));
    w.deliver(put('ns1', 'new', {}, 7, 7));
    assert.deepEqual(got.map((e) => e.object.metadata.name), ['new']);
    assert.equal(w.lastRevision, 7);
    // Two keys written in one etcd transaction share a revision: both are delivered.
    w.deliver(put('ns1', 'x', {}, 9, 9));
    w.deliver(put('ns1', 'y', {}, 9, 9));
    assert.deepEqual(got.map((e) => e.object.metadata.name), ['new', 'x', 'y']);
  });

  it('turns selector transitions into ADDED and DELETED', () => {
    const got: string[] = [];
    const w = new RegistryWatcher('', compileFilter('pods', 'app=web'), (e) => got.push(`${e.type} ${e.object.metadata.name}`));
    w.deliver(put('n', 'a', { app: 'db' }, 2, 2)); // not matching: nothing
    w.deliver(put('n', 'a', { app: 'web' }, 3, 2, { app: 'db' })); // starts matching
    w.deliver(put('n', 'a', { app: 'web', v: '2' }, 4, 2, { app: 'web' })); // still matching
    w.deliver(put('n', 'a', { app: 'db' }, 5, 2, { app: 'web', v: '2' })); // stops matching
    w.deliver(del('n', 'a', { app: 'db' }, 6)); // gone while not matching: nothing
    w.deliver(put('n', 'b', { app: 'web' }, 7, 7));
    w.deliver(del('n', 'b', { app: 'web' }, 8));
    assert.deepEqual(got, ['ADDED a', 'MODIFIED a', 'DELETED a', 'ADDED b', 'DELETED b']);
  });

  it('ends after an ERROR and sends bookmarks with the newest revision seen', () => {
    const got: WatchEvent[] = [];
    const w = new RegistryWatcher('', EVERYTHING, (e) => got.push(e));
    w.deliver(put('n', 'a', {}, 9, 9));
    w.bookmark(0, 'v1', 'Pod');
    assert.deepEqual(got[1], { type: 'BOOKMARK', object: { apiVersion: 'v1', kind: 'Pod', metadata: { resourceVersion: '9' } } });
    w.fail({ kind: 'Status', code: 410 });
    assert.equal(got[2].type, 'ERROR');
    assert.equal(w.stopped, true);
    w.deliver(put('n', 'b', {}, 10, 10));
    assert.equal(got.length, 3);
  });
});

describe('registry watcher hold and release', () => {
  it('sends a large held backlog a slice per turn of the event loop, live events after it, in revision order', async () => {
    const got: number[] = [];
    const slow = (e: WatchEvent) => {
      got.push(Number(e.object.metadata.resourceVersion));
      const until = performance.now() + 0.5; // a costly write per event
      while (performance.now() < until);
    };
    const w = new RegistryWatcher('', EVERYTHING, slow);
    w.hold();
    for (let r = 2; r <= 201; r++) w.deliver(put('n', `p${r}`, {}, r, r));
    w.replay([], 1);
    w.release();
    assert.ok(got.length > 0 && got.length < 100, `one slice sent at once: ${got.length}`);
    w.deliver(put('n', 'live', {}, 202, 202));
    assert.ok(!got.includes(202), 'a live event waits behind the backlog');
    while (got.length < 201) await new Promise((r) => setImmediate(r));
    assert.deepEqual(got, Array.from({ length: 201 }, (_, i) => i + 2));
    w.deliver(put('n', 'after', {}, 203, 203));
    assert.equal(got.at(-1), 203, 'once drained, live events go at once');
  });
});
