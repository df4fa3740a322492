import { test } from 'node:test';
import assert from 'node:assert/strict';
import pino from 'pino';
import { ApiError } from '@k8ts/client';
import { FakeClient } from '@k8ts/client/testing';
import type { KubeObject } from '@k8ts/api';
import { NodeLife } from './node-life.js';

const facts = { name: 'agent-9', labels: {}, maxPods: 110, internalIP: '10.213.0.1', runtimeVersion: 'docker://test', opsPort: 0 };
const unavailable = () => new ApiError(503, 'ServiceUnavailable', { kind: 'Status', apiVersion: 'v1', status: 'Failure', code: 503, reason: 'ServiceUnavailable', message: 'connect ECONNREFUSED 127.0.0.1:6444' });

/** A client whose first `failures` node creates fail with `error()`, as when the apiserver is not up yet. */
function flakyClient(failures: number, error: () => Error): { client: FakeClient; attempts: () => number } {
  const client = new FakeClient();
  let attempts = 0;
  const create = client.create.bind(client);
  client.create = (async (resource: string, obj: KubeObject, opts?: unknown) => {
    if (resource === 'nodes' && attempts++ < failures) throw error();
    return create(resource, obj, opts as never);
  }) as typeof client.create;
  return { client, attempts: () => attempts };
}

test('an apiserver that is not up yet is waited for: the node registers once it answers', async () => {
  const { client, attempts } = flakyClient(3, unavailable);
  const life = new NodeLife({ client, facts, pingRuntime: async () => undefined, log: pino({ level: 'silent' }) });
  try {
    await life.start();
    assert.equal(life.registered, true);
    assert.equal(attempts(), 4);
    assert.equal((await client.get('nodes', '', 'agent-9')).metadata.name, 'agent-9');
  } finally {
    life.stop();
  }
});

test('a registration the apiserver refuses (bad token) ends the start at once', async () => {
  const { client, attempts } = flakyClient(100, () => new ApiError(401, 'Unauthorized', { kind: 'Status', apiVersion: 'v1', status: 'Failure', code: 401, reason: 'Unauthorized', message: 'Unauthorized' }));
  const life = new NodeLife({ client, facts, pingRuntime: async () => undefined, log: pino({ level: 'silent' }) });
  try {
    await assert.rejects(life.start(), /Unauthorized/);
    assert.equal(attempts(), 1);
    assert.equal(life.registered, false);
  } finally {
    life.stop();
  }
});

test('a write to the Node between its create and the agent\'s first status (nodeipam\'s podCIDR) is retried, not fatal', async () => {
  const client = new FakeClient();
  const create = client.create.bind(client);
  let patched = false;
  client.create = (async (resource: string, obj: KubeObject, opts?: unknown) => {
    const made = await create(resource, obj, opts as never);
    // nodeipam patches the new Node at once: the agent's status update then conflicts once.
    if (resource === 'nodes' && !patched) {
      patched = true;
      const update = client.update.bind(client);
      client.update = (async (res: string, o: KubeObject, uo?: unknown) => {
        if (res === 'nodes') {
          client.update = update;
          await client.patch('nodes', '', 'agent-9', 'application/merge-patch+json', { spec: { podCIDR: '10.1.0.0/24', podCIDRs: ['10.1.0.0/24'] } });
        }
        return update(res, o, uo as never);
      }) as typeof client.update;
    }
    return made;
  }) as typeof client.create;
  const life = new NodeLife({ client, facts, pingRuntime: async () => undefined, log: pino({ level: 'silent' }) });
  try {
    await life.start();
    assert.equal(life.registered, true);
    const node = await client.get('nodes', '', 'agent-9');
    assert.equal((node as any).spec.podCIDR, '10.1.0.0/24');
  } finally {
    life.stop();
  }
});
