import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { ApiError } from '@k8ts/client';
import { listPrefix, objectKey, prefixEnd } from './keys.js';
import { decodeContinue, encodeContinue } from './continue-token.js';
import { decodeObject, encodeForWrite, encodeObject } from './codec.js';

describe('storage keys and codecs', () => {
  it('lays keys out as kube-apiserver does', () => {
    assert.equal(objectKey('pods', 'default', 'a'), '/registry/pods/default/a');
    assert.equal(objectKey('nodes', '', 'n1'), '/registry/nodes/n1');
    assert.equal(listPrefix('pods', 'kube-system'), '/registry/pods/kube-system/');
    assert.equal(listPrefix('pods'), '/registry/pods/');
    assert.equal(prefixEnd('/registry/pods/').toString(), '/registry/pods0');
  });

  it('round-trips continue tokens and rejects garbage with 400', () => {
    const t = encodeContinue({ rv: '42', start: '/registry/pods/default/b\u0000' });
    assert.deepEqual(decodeContinue(t), { rv: '42', start: '/registry/pods/default/b\u0000' });
    assert.throws(() => decodeContinue('not-a-token'), (e: unknown) => e instanceof ApiError && e.code === 400);
  });

  it('stores objects without resourceVersion and reads it from the mod revision', () => {
    const obj = { metadata: { name: 'a', resourceVersion: '5' }, data: { k: 'v' } };
    const s = encodeObject(obj);
    assert.equal(JSON.parse(s).metadata.resourceVersion, undefined);
    assert.equal(obj.metadata.resourceVersion, '5', 'the caller’s object is left as it was');
    assert.equal(decodeObject(Buffer.from(s), '9').metadata.resourceVersion, '9');
  });

  it('encodes a write once: the stored value without resourceVersion, the reply with the new one', () => {
    const cases = [
      { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'a', namespace: 'd' }, data: { k: 'v' } },
      { metadata: { resourceVersion: '3', name: 'b' }, spec: { template: { metadata: { labels: { x: 'y' } } } } },
      { metadata: { resourceVersion: '3' } },
      { metadata: {} },
    ];
    for (const obj of cases) {
      const before = JSON.stringify(obj);
      const enc = encodeForWrite(obj);
      assert.equal(JSON.stringify(obj), before, 'the object is left as it was');
      const stored = JSON.parse(enc.stored);
      assert.equal(stored.metadata.resourceVersion, undefined);
      assert.equal(enc.stored, encodeObject(structuredClone(obj)));
      const reply = JSON.parse(enc.withRevision('17'));
      assert.deepEqual(reply, { ...obj, metadata: { ...obj.metadata, resourceVersion: '17' } });
    }
  });
});
