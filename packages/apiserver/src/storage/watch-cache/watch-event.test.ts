import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { HubEvent } from './watch-event.js';
import type { StorageEvent } from '../storage.js';

const PREFIX = '/registry/pods/';
const KEY = `${PREFIX}default/web`;

function kv(value: string, mod: number, create = 2) {
  return { key: Buffer.from(KEY), value: Buffer.from(value), mod_revision: String(mod), create_revision: String(create) };
}

function pod(nodeName?: string): string {
  return JSON.stringify({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'web', namespace: 'default' }, spec: nodeName ? { nodeName } : {} });
}

const put = (value: string, mod: number, prev?: { value: string; mod: number }): StorageEvent =>
  ({ type: 'Put', kv: kv(value, mod), prev_kv: prev ? kv(prev.value, prev.mod) : undefined }) as unknown as StorageEvent;

describe('HubEvent.previous', () => {
  it('is the object of the event that wrote it, not a second decoding of the same bytes', () => {
    const added = new HubEvent(put(pod(), 2), PREFIX.length, true);
    const bound = new HubEvent(put(pod('n1'), 3, { value: pod(), mod: 2 }), PREFIX.length, true);
    bound.reusePrevious(added);
    assert.equal(bound.previous, added.object);
  });

  it('is decoded from prev_kv when the earlier event is of another revision, or a deletion', () => {
    const older = new HubEvent(put(pod(), 2), PREFIX.length, true);
    const next = new HubEvent(put(pod('n2'), 5, { value: pod('n1'), mod: 4 }), PREFIX.length, true);
    next.reusePrevious(older);
    assert.notEqual(next.previous, older.object);
    assert.equal(next.previous?.spec?.nodeName, 'n1');
    assert.equal(next.previous?.metadata.resourceVersion, '4');

    const deleted = new HubEvent({ type: 'Delete', kv: kv('', 6), prev_kv: kv(pod(), 5) } as unknown as StorageEvent, PREFIX.length, true);
    const again = new HubEvent(put(pod('n3'), 7, { value: pod('n9'), mod: 6 }), PREFIX.length, true);
    again.reusePrevious(deleted);
    assert.equal(again.previous?.spec?.nodeName, 'n9');
  });
});
