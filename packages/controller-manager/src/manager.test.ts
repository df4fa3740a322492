import { test } from 'node:test';
import assert from 'node:assert/strict';
import pino from 'pino';
import { FakeClient } from '@k8ts/client/testing';
import { microTime, type Lease } from '@k8ts/api';
import { ControllerManager } from './manager.js';

const until = async (what: string, ok: () => boolean, ms = 10_000) => {
  const end = Date.now() + ms;
  while (!ok()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
};

test('a manager that loses the Lease stops its controllers and leads again once the Lease is free', async () => {
  const client = new FakeClient();
  await client.create('namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'kube-system' } });
  let lost = 0;
  const cm = new ControllerManager({
    client,
    controllers: ['replicaset'],
    identity: 'cm-a',
    leaseDurationMs: 1000,
    renewDeadlineMs: 600,
    retryPeriodMs: 200,
    logger: pino({ level: 'silent' }),
    onLostLeadership: () => lost++,
  });
  cm.start();
  try {
    await until('cm-a leads', () => cm.isLeader);
    // Another holder keeps the Lease fresh (as after an apiserver outage longer than the renew deadline).
    const steal = setInterval(() => {
      void client.get<Lease>('leases', 'kube-system', 'k8ts-controller-manager').then((l) =>
        client.update('leases', { ...l, spec: { ...l.spec, holderIdentity: 'cm-other', leaseDurationSeconds: 1, renewTime: microTime() } }).catch(() => undefined),
      );
    }, 50);
    try {
      await until('cm-a steps down', () => !cm.isLeader && lost === 1);
    } finally {
      clearInterval(steal);
    }
    await until('cm-a leads again', () => cm.isLeader);
    const lease = await client.get<Lease>('leases', 'kube-system', 'k8ts-controller-manager');
    assert.equal(lease.spec?.holderIdentity, 'cm-a');
  } finally {
    await cm.stop();
  }
});
