import { test } from 'node:test';
import assert from 'node:assert/strict';
import { RecentWrites } from './recent-writes.js';

test('a write is given back once, for its own key and revision; old ones fall out', () => {
  const r = new RecentWrites();
  const a = { metadata: { name: 'a', resourceVersion: '7' } };
  r.note('/registry/pods/ns/a', '7', a);
  assert.equal(r.take('/registry/pods/ns/a', '8'), undefined);
  assert.equal(r.take('/registry/pods/ns/b', '7'), undefined);
  assert.equal(r.take('/registry/pods/ns/a', '7'), a);
  assert.equal(r.take('/registry/pods/ns/a', '7'), undefined);
  for (let i = 0; i < 5000; i++) r.note(`/k/${i}`, String(i + 100), { metadata: { name: String(i) } });
  assert.equal(r.take('/k/0', '100'), undefined);
  assert.ok(r.take('/k/4999', '5099'));
});
