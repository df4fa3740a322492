// jsonEqual and deepCopy serve the registry, the patch code and the controller-manager, each
// of which had its own copy. These are the rules those copies agreed on.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { deepCopy, jsonEqual } from '../index.js';

test('jsonEqual: key order ignored, an undefined member counts as absent, list order counts', () => {
  assert.equal(jsonEqual({ a: 1, b: { c: [1, 2] } }, { b: { c: [1, 2] }, a: 1 }), true);
  assert.equal(jsonEqual({ a: 1, gone: undefined }, { a: 1 }), true);
  assert.equal(jsonEqual({ a: 1 }, { a: 1, gone: undefined }), true);
  assert.equal(jsonEqual({ a: null }, { a: undefined }), false);
  assert.equal(jsonEqual([1, 2], [2, 1]), false);
  assert.equal(jsonEqual({ a: [] }, { a: {} }), false);
  assert.equal(jsonEqual({ a: 1 }, { a: 1, b: 2 }), false);
});

test('deepCopy: a copy no change reaches back through; undefined stays undefined', () => {
  const o = { metadata: { labels: { a: 'b' } }, spec: { list: [{ x: 1 }] } };
  const c = deepCopy(o);
  c.metadata.labels.a = 'changed';
  c.spec.list[0]!.x = 2;
  assert.deepEqual(o, { metadata: { labels: { a: 'b' } }, spec: { list: [{ x: 1 }] } });
  assert.equal(deepCopy(undefined), undefined);
  // Unlike the JSON round-trip the registry used, an undefined member survives the copy; it
  // compares equal to an absent one and JSON.stringify drops it before etcd sees it.
  const u = deepCopy({ a: 1, b: undefined });
  assert.equal('b' in u, true);
  assert.equal(jsonEqual(u, { a: 1 }), true);
  assert.equal(JSON.stringify(u), '{"a":1}');
});
