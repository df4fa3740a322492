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

test('a write in flight is given to the event whose bytes are the ones it sent, once', () => {
  const r = new RecentWrites();
  r.watch('/registry/pods/');
  const a = { metadata: { name: 'a' } as { name: string; resourceVersion?: string } };
  const sent = Buffer.from('{"metadata":{"name":"a"}}');
  const entry = r.expect('/registry/pods/ns/a', sent, a);
  assert.equal(r.take('/registry/pods/ns/a', '7', Buffer.from('{"metadata":{"name":"b"}}')), undefined, 'other bytes: decoded');
  assert.equal(r.take('/registry/pods/ns/b', '7', sent), undefined, 'another key');
  assert.equal(r.take('/registry/pods/ns/a', '7', Buffer.from(sent)), a);
  assert.equal(a.metadata.resourceVersion, '7');
  assert.equal(r.take('/registry/pods/ns/a', '7', sent), undefined, 'once');
  assert.equal(r.answered(entry), true, 'the writer learns its event came first');
  assert.equal(r.expect('/registry/configmaps/ns/a', sent, a), undefined, 'no shared watch: nothing kept');
  assert.equal(r.answered(undefined), false);
});

test('two writes in flight with the same bytes are left to decoding; an answered write is forgotten', () => {
  const r = new RecentWrites();
  r.watch('/registry/pods/');
  const sent = Buffer.from('{"metadata":{"name":"a"}}');
  const one = r.expect('/registry/pods/ns/a', sent, { metadata: { name: 'a' } });
  const two = r.expect('/registry/pods/ns/a', Buffer.from(sent), { metadata: { name: 'a' } });
  assert.equal(r.take('/registry/pods/ns/a', '7', sent), undefined);
  assert.equal(r.answered(one), false);
  assert.equal(r.answered(two), false);
  const three = r.expect('/registry/pods/ns/a', sent, { metadata: { name: 'a' } });
  assert.equal(r.answered(three), false, 'answered before its event');
  assert.equal(r.take('/registry/pods/ns/a', '8', sent), undefined, 'an answered write is not in flight any more');
});

test('watched prefixes of any shape cover their keys', () => {
  const r = new RecentWrites();
  const a = r.watch('/registry/pods/');
  const b = r.watch('/k/x/y/');
  const c = r.watch('/z');
  for (const key of ['/registry/pods/ns/a', '/registry/pods/n', '/k/x/y/1', '/zz/1']) {
    r.note(key, '5', { metadata: { name: key } });
    assert.ok(r.take(key, '5'), key);
  }
  for (const key of ['/registry/podsx/a', '/k/x/1', '/registry/pods', 'registry/pods/a']) {
    r.note(key, '5', { metadata: { name: key } });
    assert.equal(r.take(key, '5'), undefined, key);
  }
  b.end();
  c.end();
  r.note('/k/x/y/1', '6', { metadata: { name: 'k' } });
  assert.equal(r.take('/k/x/y/1', '6'), undefined);
  r.note('/registry/pods/ns/b', '6', { metadata: { name: 'b' } });
  assert.ok(r.take('/registry/pods/ns/b', '6'));
  a.end();
});
