// The scheduler's event sink: one write at a time, a bounded backlog that drops when full, and
// a flush that gives up after its timeout.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import type { KubeObject } from '@k8ts/api';
import { createLogger } from '@k8ts/client';
import { FakeClient } from '@k8ts/client/testing';
import { ClientEventSink } from './events.js';

const logger = createLogger('scheduler-events-test');
logger.level = 'silent';

/** A FakeClient whose event creates take `delayMs` and report how many overlap. */
function slowEvents(delayMs: number): { client: FakeClient; maxInFlight: () => number; written: () => number } {
  const client = new FakeClient();
  const create = client.create.bind(client);
  let inFlight = 0;
  let max = 0;
  let written = 0;
  client.create = (async (resource: string, obj: KubeObject, opts?: object) => {
    if (resource !== 'events') return create(resource, obj, opts as never);
    inFlight++;
    max = Math.max(max, inFlight);
    try {
      await sleep(delayMs);
      written++;
      return await create(resource, obj, opts as never);
    } finally {
      inFlight--;
    }
  }) as FakeClient['create'];
  return { client, maxInFlight: () => max, written: () => written };
}

const pod = (name: string): KubeObject => ({ apiVersion: 'v1', kind: 'Pod', metadata: { name, namespace: 'default', uid: `uid-${name}` } });

test('events are written one at a time, every one of them when the backlog has room', async () => {
  const { client, maxInFlight, written } = slowEvents(5);
  const sink = new ClientEventSink(client, 'default-scheduler', { logger });
  for (let i = 0; i < 20; i++) sink.event(pod(`p-${i}`), 'Normal', 'Scheduled', `Successfully assigned default/p-${i} to n1`);
  await sink.flush();
  assert.equal(maxInFlight(), 1);
  assert.equal(written(), 20);
  assert.equal(sink.dropped, 0);
  const events = (await client.list('events', { namespace: 'default' })).items;
  assert.equal(events.length, 20);
  assert.ok(events.every((e: any) => e.reason === 'Scheduled' && e.source.component === 'default-scheduler'));
});

test('a full backlog drops new events instead of holding scheduling up; flush gives up after its timeout', async () => {
  const { client, written } = slowEvents(50);
  const sink = new ClientEventSink(client, 'default-scheduler', { logger, maxQueued: 5 });
  const t0 = performance.now();
  for (let i = 0; i < 30; i++) sink.event(pod(`p-${i}`), 'Normal', 'Scheduled', `Successfully assigned default/p-${i} to n1`);
  assert.ok(performance.now() - t0 < 50, 'recording an event does not wait for the apiserver');
  // One is being written, five wait, the rest were dropped.
  assert.equal(sink.dropped, 24);
  await sink.flush(120);
  assert.ok(written() < 6, `flush waited for everything (${written()} written)`);
  assert.ok(sink.dropped > 24, 'what was still queued at the timeout counts as dropped');
});
