// etcd3's watch stream throws from its 'data' handler when its bookkeeping loses a watch id
// (the apiserver exited on "Failed to find watcher for IWatchResponse" once in a soak). Such a
// response is fed to the apiserver's client here as it would come off the stream: the process
// must not throw, the stream is reset, and the watch resumes from after the last revision it
// saw, missing no write and repeating none.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Etcd3, IKeyValue } from 'etcd3';
import { createEtcdClient } from '@k8ts/apiserver';
import { startEtcd, type TestEtcd } from '../support/etcd.js';

let etcd: TestEtcd;
let client: Etcd3;

before(async () => {
  etcd = await startEtcd();
});

after(async () => {
  client?.close();
  await etcd?.stop();
});

/** The stream etcd3 reads watch responses from (internal: what the guard stands behind). */
const watchStream = (c: Etcd3) => (c as unknown as { watchManager: { stream: NodeJS.EventEmitter } }).watchManager.stream;

test('a watch response for a watch id the client does not know resets the stream instead of throwing, and the watch resumes', async () => {
  const resets: string[] = [];
  client = createEtcdClient({ servers: [etcd.url], onWatchStreamReset: (e) => resets.push(e.message) });
  const seen: string[] = [];
  const w = await client.watch().prefix('/guard/').create();
  w.on('put', (kv: IKeyValue) => seen.push(kv.value.toString()));
  await client.put('/guard/a').value('1');
  for (let i = 0; i < 100 && seen.length < 1; i++) await new Promise((r) => setTimeout(r, 20));
  assert.deepEqual(seen, ['1']);

  const thrown: unknown[] = [];
  const onUncaught = (e: unknown) => thrown.push(e);
  process.on('uncaughtException', onUncaught);
  try {
    const stream = watchStream(client);
    stream.emit('data', { header: { revision: '1' }, watch_id: '987654', created: false, canceled: false, events: [] });
    assert.match(resets.join(), /Failed to find watcher/);
    // Written while the stream reconnects: the watch resumes after '1' and delivers these once.
    await client.put('/guard/a').value('2');
    await client.put('/guard/b').value('3');
    for (let i = 0; i < 250 && seen.length < 3; i++) await new Promise((r) => setTimeout(r, 20));
    assert.notEqual(watchStream(client), stream, 'a new stream');
  } finally {
    process.off('uncaughtException', onUncaught);
  }
  assert.deepEqual(thrown, []);
  assert.deepEqual(seen, ['1', '2', '3']);
  await w.cancel();
});
