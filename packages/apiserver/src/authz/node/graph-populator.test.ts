// The Node authorizer fed by the real registry's watches (over the in-memory etcd): pods
// listed at start, then bound, rebound and deleted while it runs.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import pino from 'pino';
import type { Attributes } from '../types.js';
import { EtcdRegistry } from '../../registry/registry.js';
import { memoryStore } from '../../storage/memory-kv.js';
import { createNodeAuthorizer, type NodeAuthorizer } from './index.js';

const logger = pino({ level: 'silent' });
let registry: EtcdRegistry;
let authz: NodeAuthorizer;

const user = (n: string) => ({ name: `system:node:${n}`, groups: ['system:nodes'] });
const getSecret = (n: string, name: string): Attributes => ({ user: user(n), verb: 'get', resourceRequest: true, path: '', apiGroup: '', apiVersion: 'v1', resource: 'secrets', subresource: '', namespace: 'default', name });
const canRead = (n: string, secret: string) => authz.authorize(getSecret(n, secret)).decision === 'Allow';

function pod(name: string, secret: string, nodeName?: string) {
  return { apiVersion: 'v1', kind: 'Pod', metadata: { name }, spec: { ...(nodeName ? { nodeName } : {}), containers: [{ name: 'c', image: 'x' }], volumes: [{ name: 's', secret: { secretName: secret } }] } };
}

async function until(what: string, fn: () => boolean): Promise<void> {
  const deadline = Date.now() + 3000;
  while (!fn()) {
    if (Date.now() > deadline) assert.fail(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

before(async () => {
  const m = memoryStore(logger);
  registry = new EtcdRegistry({ store: m.store, logger, watch: { logger } });
  await registry.ensureSystemNamespaces();
  await registry.create('pods', 'default', pod('early', 'early-secret', 'n1'));
  authz = createNodeAuthorizer({ registry, logger });
});

after(async () => {
  authz.stop();
  await registry.close();
});

describe('the Node authorizer graph over the registry', () => {
  it('holds the pods listed at start once ready', async () => {
    await authz.ready;
    assert.ok(canRead('n1', 'early-secret'));
    assert.ok(!canRead('n2', 'early-secret'));
  });

  it('follows binding, deletion and a pod of the same name on another node', async () => {
    await registry.create('pods', 'default', pod('late', 'late-secret'));
    await new Promise((r) => setTimeout(r, 50));
    assert.ok(!canRead('n2', 'late-secret'), 'an unbound pod gives no node access');
    await registry.createSubresource('pods', 'default', 'late', 'binding', { apiVersion: 'v1', kind: 'Binding', metadata: { name: 'late' }, target: { kind: 'Node', name: 'n2' } } as never);
    await until('the binding', () => canRead('n2', 'late-secret'));
    await registry.delete('pods', 'default', 'late', { gracePeriodSeconds: 0 });
    await until('the deletion', () => !canRead('n2', 'late-secret'));
    await registry.delete('pods', 'default', 'early', { gracePeriodSeconds: 0 });
    await registry.create('pods', 'default', pod('early', 'early-secret', 'n3'));
    await until('the new pod', () => canRead('n3', 'early-secret') && !canRead('n1', 'early-secret'));
  });
});
