// The shared watch's fan-out against a real etcd: with many watchers, every watcher gets
// every event in resourceVersion order, and a write made while an event is still being
// handed out is answered before the hand-out ends (the fan-out yields the event loop).
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { WatchEvent } from '@k8ts/api';
import { startApiServer, type ApiServer } from '@k8ts/apiserver';
import { startEtcd, type TestEtcd } from '../support/etcd.js';

function configMap(name: string) {
  return { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, namespace: 'default' }, data: { k: name } };
}

function busy(ms: number): void {
  const end = performance.now() + ms;
  while (performance.now() < end);
}

describe('watch fan-out', () => {
  let etcd: TestEtcd;
  let api: ApiServer;
  const stops: (() => void)[] = [];

  before(async () => {
    etcd = await startEtcd();
    api = await startApiServer({ etcdServers: [etcd.url], port: 0, grpcPort: 0 });
  });

  after(async () => {
    for (const s of stops) s();
    await api?.stop();
    await etcd?.stop();
  });

  it('gives 300 watchers every event in order, also events written together', async () => {
    const rv = (await api.registry.list('configmaps', { namespace: 'default' })).metadata.resourceVersion as string;
    const got: string[][] = [];
    for (let i = 0; i < 300; i++) {
      const mine: string[] = [];
      got.push(mine);
      const w = api.registry.watch('configmaps', { namespace: 'default', resourceVersion: rv }, (ev: WatchEvent) => {
        if (ev.type === 'ADDED' && ev.object.metadata.name?.startsWith('order-')) mine.push(ev.object.metadata.resourceVersion!);
        busy(0.05); // a watcher that costs something, so the hand-out spans several slices
      });
      stops.push(() => w.stop());
    }
    const created = await Promise.all(Array.from({ length: 12 }, (_, i) => api.registry.create('configmaps', 'default', configMap(`order-${i}`))));
    const rvs = created.map((o) => o.metadata.resourceVersion!).sort((a, b) => Number(a) - Number(b));
    const deadline = Date.now() + 20_000;
    while (got.some((g) => g.length < rvs.length) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    for (const g of got) assert.deepEqual(g, rvs);
  });

  it('answers a write made while an event is being handed out before the hand-out ends', async () => {
    const rv = (await api.registry.list('configmaps', { namespace: 'default' })).metadata.resourceVersion as string;
    let delivered = 0;
    let lastDelivery = 0;
    const watchers = 400;
    for (let i = 0; i < watchers; i++) {
      const w = api.registry.watch('configmaps', { namespace: 'default', resourceVersion: rv }, (ev: WatchEvent) => {
        if (ev.type !== 'ADDED' || ev.object.metadata.name !== 'slow-event') return;
        busy(4); // 400 × 4 ms: the hand-out of this event takes 1.6 s of CPU
        delivered++;
        lastDelivery = performance.now();
      });
      stops.push(() => w.stop());
    }
    await api.registry.create('configmaps', 'default', configMap('slow-event'));
    while (delivered === 0) await new Promise((r) => setImmediate(r));
    const during = await api.registry.create('configmaps', 'default', configMap('during-hand-out'));
    const answered = performance.now();
    assert.ok(during.metadata.resourceVersion);
    assert.ok(delivered < watchers, `the write was answered after ${delivered} of ${watchers} deliveries`);
    const deadline = Date.now() + 30_000;
    while (delivered < watchers && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    assert.equal(delivered, watchers);
    assert.ok(answered < lastDelivery);
  });
});
