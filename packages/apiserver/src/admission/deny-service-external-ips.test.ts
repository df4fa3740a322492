// DenyServiceExternalIPs through the real registry (in-memory etcd): the admission chain
// runs it on create and update, and a refusal writes nothing.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { ApiError } from '@k8ts/client';
import { EtcdRegistry } from '../registry/registry.js';
import { memoryStore } from '../storage/memory-kv.js';
import { capturedLogger } from '../testing/captured-logger.js';
import { optionalAdmissionPlugins } from './plugins.js';

let registry: EtcdRegistry;
const svc = (name: string, externalIPs?: string[]) => ({ apiVersion: 'v1', kind: 'Service', metadata: { name }, spec: { ports: [{ port: 80 }], ...(externalIPs ? { externalIPs } : {}) } });
const denied = (e: unknown) => e instanceof ApiError && e.code === 422 && /spec\.externalIPs: Forbidden: use of external IPs is denied by admission control/.test(e.message);

before(async () => {
  const log = capturedLogger();
  const m = memoryStore(log.logger);
  registry = new EtcdRegistry({ store: m.store, logger: log.logger, watch: { logger: log.logger } });
  await registry.ensureSystemNamespaces();
});
after(() => registry.close());

test('without the plugin external IPs are accepted', async () => {
  const s = await registry.create('services', 'default', svc('before', ['192.168.7.7']));
  assert.deepEqual(s.spec.externalIPs, ['192.168.7.7']);
});

test('with it: creates using externalIPs are refused and nothing is stored; updates may keep or drop what they had, not add', async () => {
  for (const p of optionalAdmissionPlugins('DenyServiceExternalIPs')) registry.registerAdmission(p);
  await assert.rejects(registry.create('services', 'default', svc('new', ['192.168.7.8'])), denied);
  await assert.rejects(registry.get('services', 'default', 'new'), (e: unknown) => e instanceof ApiError && e.code === 404);
  await registry.create('services', 'default', svc('plain'));
  const cur = await registry.get('services', 'default', 'before');
  await registry.update('services', 'default', 'before', { ...cur, metadata: { ...cur.metadata, labels: { kept: 'yes' } } });
  const again = await registry.get('services', 'default', 'before');
  await assert.rejects(registry.update('services', 'default', 'before', { ...again, spec: { ...again.spec, externalIPs: ['192.168.7.7', '192.168.7.9'] } }), denied);
  await registry.update('services', 'default', 'before', { ...again, spec: { ...again.spec, externalIPs: [] } });
  assert.deepEqual((await registry.get('services', 'default', 'before')).spec.externalIPs ?? [], []);
});

test('an unknown plugin name fails the start', () => {
  assert.throws(() => optionalAdmissionPlugins('DenyServiceExternalIPs,NoSuchPlugin'), /unknown plugin "NoSuchPlugin"/);
});
