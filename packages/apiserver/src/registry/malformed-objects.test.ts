// Stored objects of any shape (fields of the wrong types, values that are not JSON) pass
// through the watch path without throwing: each is skipped or filtered out, logged, and
// every other event still reaches every watcher.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { StorageEvent as IEvent } from '../storage/storage.js';
import type { WatchEvent } from '@k8ts/api';
import { FanOut, deliverSafely } from '../storage/watch-cache/fan-out.js';
import { HubEvent, hubEvent } from '../storage/watch-cache/watch-event.js';
import { RegistryWatcher } from './watcher.js';
import { compileFilter } from './api-calls.js';
import { capturedLogger } from '../testing/captured-logger.js';

const PREFIX = '/registry/pods/';

function rawEvent(type: 'Put' | 'Delete', name: string, value: string, mod: number, prev?: string): IEvent {
  const kv = (v: string, m: number) => ({ key: Buffer.from(`${PREFIX}default/${name}`), value: Buffer.from(v), mod_revision: String(m), create_revision: '1', version: '1', lease: '0' });
  return { type, kv: kv(type === 'Delete' ? '' : value, mod), prev_kv: prev === undefined ? undefined : kv(prev, mod - 1) } as unknown as IEvent;
}

const pod = (name: string, extra: Record<string, unknown> = {}) => JSON.stringify({ apiVersion: 'v1', kind: 'Pod', metadata: { name, namespace: 'default', labels: { app: 'x' } }, spec: { nodeName: 'n1' }, ...extra });

/** Pods as the fuzzing found them stored: every field the selectors read, of the wrong type. */
const MALFORMED_PODS = [
  pod('ips', { status: { podIPs: 'x' } }),
  pod('ips2', { status: { podIPs: [null, 1, 'a', { ip: 5 }] } }),
  pod('cond', { status: { conditions: 1.5 } }),
  pod('spec', { spec: 'x' }),
  pod('status', { status: [1] }),
  JSON.stringify({ metadata: { name: 'labels', namespace: 'default', labels: 'x' }, spec: { nodeName: 'n1' } }),
  JSON.stringify({ metadata: { name: 'labels2', namespace: 'default', labels: [1, 2] } }),
  JSON.stringify({ metadata: { name: 'labels3', namespace: 'default', labels: { app: 5 } } }),
];

describe('watch path over malformed stored objects', () => {
  it('hubEvent skips an undecodable value with a warning naming its key, instead of throwing', () => {
    const { logger, lines } = capturedLogger();
    for (const bad of ['{nope', '[]', 'null', '{"metadata":[]}', '{"metadata":{"name":1}}']) {
      assert.equal(hubEvent(rawEvent('Put', 'bad', bad, 9), PREFIX.length, true, undefined, logger), undefined);
    }
    assert.equal(lines.length, 5);
    assert.ok(lines.every((l) => l.key === `${PREFIX}default/bad` && l.reason && l.msg === 'watch skipped an undecodable stored value'));
  });

  it('a DELETED of an undecodable value still goes out, named by its key; an undecodable previous state is none', () => {
    const d = new HubEvent(rawEvent('Delete', 'bad', '', 9, '{nope'), PREFIX.length, true);
    assert.equal(d.type, 'DELETED');
    assert.deepEqual(d.object.metadata, { name: 'bad', namespace: 'default', resourceVersion: '9' });
    const m = new HubEvent(rawEvent('Put', 'p', pod('p'), 9, '{nope'), PREFIX.length, true);
    assert.equal(m.previous, undefined);
  });

  it('selector filters (field and label) never throw: an object they cannot read does not match, logged', () => {
    const { logger } = capturedLogger();
    const byNode = compileFilter('pods', undefined, 'spec.nodeName=n1', logger);
    const byIPs = compileFilter('pods', undefined, 'status.podIPs=a', logger);
    const byLabel = compileFilter('pods', 'app=x', undefined, logger);
    for (const raw of MALFORMED_PODS) {
      const ev = new HubEvent(rawEvent('Put', 'p', raw, 9), PREFIX.length, true);
      for (const f of [byNode, byIPs, byLabel]) assert.equal(typeof f.matches(ev.object), 'boolean', raw);
    }
    assert.equal(byNode.matches(JSON.parse(MALFORMED_PODS[0]!)), true, 'the fields it can read still select');
  });

  it('a field-selected watcher gets the good events around a malformed one', () => {
    const { logger } = capturedLogger();
    const got: WatchEvent[] = [];
    const w = new RegistryWatcher('', compileFilter('pods', 'app=x', 'spec.nodeName=n1', logger), (ev) => got.push(ev));
    const fan = new FanOut<HubEvent>({ logger });
    let rev = 10;
    const events = [pod('first'), ...MALFORMED_PODS, pod('last')].map((raw) => new HubEvent(rawEvent('Put', 'p', raw, rev++, pod('p')), PREFIX.length, true));
    fan.pushAll(events, [w]);
    const names = got.map((e) => e.object.metadata?.name);
    assert.equal(names[0], 'first');
    assert.equal(names[names.length - 1], 'last');
  });

  it('the fan-out logs and skips what a subscriber throws on, and the others (and later events) still arrive', () => {
    const { logger, lines } = capturedLogger();
    const fan = new FanOut<{ type: string; object: any }>({ logger });
    const good: string[] = [];
    const picky: string[] = [];
    const subs = [
      { deliver: (ev: { object: any }) => void good.push(ev.object.metadata.name) },
      {
        deliver: (ev: { object: any }) => {
          if (ev.object.metadata.name === 'bad') throw new TypeError('(status.podIPs ?? []).map is not a function');
          picky.push(ev.object.metadata.name);
        },
      },
    ];
    const ev = (name: string) => ({ type: 'MODIFIED', object: { metadata: { name, namespace: 'default' } } });
    fan.pushAll([ev('a'), ev('bad'), ev('b')], subs);
    fan.push(ev('c'), subs);
    assert.deepEqual(good, ['a', 'bad', 'b', 'c']);
    assert.deepEqual(picky, ['a', 'b', 'c']);
    assert.equal(lines.length, 1);
    assert.equal(lines[0].event.name, 'bad');
    assert.match(lines[0].err, /podIPs/);
    assert.doesNotThrow(() => deliverSafely({ deliver: () => { throw new Error('x'); } }, ev('d')));
  });
});
