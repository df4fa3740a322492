import test from 'node:test';
import assert from 'node:assert/strict';
import pino from 'pino';
import type { KubeObject } from '@k8ts/api';
import { ApiError } from '@k8ts/client';
import { EtcdRegistry } from '../registry/registry.js';
import { memoryStore } from '../storage/memory-kv.js';
import { BootstrapTokenCache, createBootstrapTokenAuthenticator } from './bootstrap-token.js';

const b64 = (s: string) => Buffer.from(s).toString('base64');

function tokenSecret(id: string, secret: string, data: Record<string, string> = {}): KubeObject {
  const all: Record<string, string> = { 'token-id': id, 'token-secret': secret, 'usage-bootstrap-authentication': 'true', ...data };
  return { apiVersion: 'v1', kind: 'Secret', metadata: { name: `bootstrap-token-${id}`, namespace: 'kube-system' }, type: 'bootstrap.kubernetes.io/token', data: Object.fromEntries(Object.entries(all).map(([k, v]) => [k, b64(v)])) } as KubeObject;
}

async function until(cond: () => boolean): Promise<void> {
  for (let i = 0; i < 200 && !cond(); i++) await new Promise((r) => setTimeout(r, 10));
  assert.ok(cond(), 'condition not reached');
}

test('bootstrap tokens authenticate from the watched Secrets; expired, unknown, wrong-secret and non-auth tokens do not', async (t) => {
  const logger = pino({ level: 'silent' });
  const registry = new EtcdRegistry({ store: memoryStore(logger).store, logger });
  await registry.ensureSystemNamespaces();
  const cache = new BootstrapTokenCache(registry, logger);
  t.after(async () => {
    cache.close();
    await registry.close();
  });
  const future = new Date(Date.now() + 3600_000).toISOString().replace(/\.\d+Z$/, 'Z');
  await registry.create('secrets', 'kube-system', tokenSecret('abcdef', '0123456789abcdef', { expiration: future, 'auth-extra-groups': 'system:bootstrappers:k8ts:default-node-token' }));
  await cache.start();
  const auth = createBootstrapTokenAuthenticator(cache);
  const who = (h: string) => auth.authenticate({ authorization: h });
  assert.deepEqual(who('Bearer abcdef.0123456789abcdef'), {
    name: 'system:bootstrap:abcdef',
    groups: ['system:bootstrappers', 'system:bootstrappers:k8ts:default-node-token', 'system:authenticated'],
  });
  assert.equal(who('Bearer abcdef.0123456789abcdee'), null, 'wrong secret');
  assert.equal(who('Bearer zzzzzz.0123456789abcdef'), null, 'unknown id');
  assert.equal(who('Bearer not-a-bootstrap-token'), null, 'other token shapes are not mine');
  assert.equal(auth.authenticate({}), null);

  // Created after the cache started: seen through the watch. Already expired: refused.
  await registry.create('secrets', 'kube-system', tokenSecret('old123', 'aaaaaaaaaaaaaaaa', { expiration: '2020-01-01T00:00:00Z' }));
  await registry.create('secrets', 'kube-system', tokenSecret('noauth', 'bbbbbbbbbbbbbbbb', { 'usage-bootstrap-authentication': 'false' }));
  await registry.create('secrets', 'kube-system', tokenSecret('new456', 'cccccccccccccccc'));
  await until(() => who('Bearer new456.cccccccccccccccc') !== null);
  assert.equal(who('Bearer old123.aaaaaaaaaaaaaaaa'), null, 'expired');
  assert.equal(who('Bearer noauth.bbbbbbbbbbbbbbbb'), null, 'not for authentication');
  // A bootstrap token Secret in another namespace means nothing.
  await registry.create('secrets', 'default', { ...tokenSecret('elsewh', 'dddddddddddddddd'), metadata: { name: 'bootstrap-token-elsewh', namespace: 'default' } });
  // Deleted: no longer authenticates.
  await registry.delete('secrets', 'kube-system', 'bootstrap-token-new456');
  await until(() => who('Bearer new456.cccccccccccccccc') === null);
  assert.equal(who('Bearer elsewh.dddddddddddddddd'), null);
});

test('bootstrap token Secrets are validated on create', async (t) => {
  const logger = pino({ level: 'silent' });
  const registry = new EtcdRegistry({ store: memoryStore(logger).store, logger });
  await registry.ensureSystemNamespaces();
  t.after(() => registry.close());
  const refuse = async (s: KubeObject, re: RegExp) => {
    await assert.rejects(registry.create('secrets', 'kube-system', s), (e: unknown) => e instanceof ApiError && e.code === 422 && re.test(e.message));
  };
  await refuse(tokenSecret('ABCDEF', '0123456789abcdef'), /token-id.*must match/);
  await refuse(tokenSecret('abcdef', 'short'), /token-secret/);
  await refuse({ ...tokenSecret('abcdef', '0123456789abcdef'), metadata: { name: 'bootstrap-token-other1', namespace: 'kube-system' } }, /metadata.name/);
  await refuse(tokenSecret('abcdef', '0123456789abcdef', { expiration: 'tomorrow' }), /RFC3339/);
  await refuse(tokenSecret('abcdef', '0123456789abcdef', { 'auth-extra-groups': 'system:masters' }), /bootstrap group "system:masters" is invalid/);
  await refuse(tokenSecret('abcdef', '0123456789abcdef', { 'usage-bootstrap-signing': 'yes' }), /usage-bootstrap-signing/);
  const ok = await registry.create('secrets', 'kube-system', tokenSecret('abcdef', '0123456789abcdef', { expiration: '2030-01-01T00:00:00Z' }));
  assert.equal(ok.metadata.name, 'bootstrap-token-abcdef');
});
