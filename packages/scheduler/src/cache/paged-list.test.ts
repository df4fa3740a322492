import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FakeClient } from '@k8ts/client/testing';
import { withPagedLists } from './paged-list.js';
import { makePod } from '../testing/fixtures.js';

test('lists every object in pages of the given size, one revision for all', async () => {
  const c = new FakeClient();
  for (let i = 0; i < 23; i++) c.seed('pods', makePod(`p${String(i).padStart(2, '0')}`));
  const paged = withPagedLists(c, 5);
  const list = await paged.list('pods');
  assert.equal(list.items.length, 23);
  assert.equal(new Set(list.items.map((p) => p.metadata.name)).size, 23);
  assert.equal(list.metadata.continue, undefined);
  const calls = c.actions.filter((a) => a.verb === 'list').length;
  assert.equal(calls, 5);
  // Other calls pass through.
  assert.equal((await paged.get('pods', 'default', 'p00')).metadata.name, 'p00');
});
