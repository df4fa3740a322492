// componentOps: a component's start uses the entry's ops server and leaves it open, or starts
// and closes its own for an in-process caller.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { componentOps, startOpsServer } from './ops.js';

const get = async (port: number, path: string) => {
  const r = await fetch(`http://127.0.0.1:${port}${path}`);
  return { status: r.status, text: await r.text() };
};

const refused = (port: number) => fetch(`http://127.0.0.1:${port}/healthz`).then(() => false, () => true);

test("the entry's server is used as it is and stays open after release", async () => {
  const entry = await startOpsServer({ component: 'demo', port: 0 });
  try {
    const { ops, release } = await componentOps('demo', { ops: async () => entry, opsPort: 1 }, -1);
    assert.equal(ops, entry);
    ops.addReadyCheck('synced', () => false);
    assert.deepEqual(await get(entry.port, '/readyz'), { status: 503, text: 'not ready: synced' });
    await release();
    assert.equal((await get(entry.port, '/healthz')).text, 'ok');
  } finally {
    await entry.close();
  }
});

test('without one, its own on opsPort (or the default), closed by release', async () => {
  const own = await componentOps('demo', { opsPort: 0 }, -1);
  assert.ok(own.ops.port > 0);
  assert.match((await get(own.ops.port, '/metrics')).text, /component="demo"/);
  await own.release();
  assert.ok(await refused(own.ops.port));
  const off = await componentOps('demo', {}, -1);
  assert.equal(off.ops.port, -1);
  await off.release();
});
