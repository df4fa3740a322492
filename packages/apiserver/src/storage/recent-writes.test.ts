import { test } from 'node:test';
import assert from 'node:assert/strict';
import { RecentWrites } from './recent-writes.js';

test('a write is given back once, for its own key and revision; old ones fall out', () => {
  const r = new RecentWrites();
  r.watch('/registry/pods/');
  r.watch('/k/');
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

test('writes no shared watch covers are not kept', () => {
  const r = new RecentWrites();
  const first = r.watch('/registry/pods/');
  r.note('/registry/configmaps/ns/a', '7', { metadata: { name: 'a' } });
  assert.equal(r.take('/registry/configmaps/ns/a', '7'), undefined);
  const second = r.watch('/registry/pods/');
  first.end();
  first.end(); // a second call changes nothing
  r.note('/registry/pods/ns/a', '8', { metadata: { name: 'a' } });
  assert.ok(r.take('/registry/pods/ns/a', '8'), 'one of the two watches still runs');
  second.end();
  r.note('/registry/pods/ns/a', '9', { metadata: { name: 'a' } });
  assert.equal(r.take('/registry/pods/ns/a', '9'), undefined);
});

test('a write whose event the watch already delivered is not kept', () => {
  const r = new RecentWrites();
  const w = r.watch('/registry/pods/');
  w.seen(10);
  r.note('/registry/pods/ns/a', '10', { metadata: { name: 'a' } });
  r.note('/registry/pods/ns/b', '11', { metadata: { name: 'b' } });
  assert.equal(r.take('/registry/pods/ns/a', '10'), undefined);
  assert.ok(r.take('/registry/pods/ns/b', '11'));
});
