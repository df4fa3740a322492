import { test } from 'node:test';
import assert from 'node:assert/strict';
import pino from 'pino';
import { EtcdRegistry } from '../registry/registry.js';
import { memoryStore } from '../storage/memory-kv.js';
import { firstServiceIP, startKubernetesService } from './kubernetes-service.js';

test('firstServiceIP: the first usable address of the range', () => {
  assert.equal(firstServiceIP('10.96.0.0/16'), '10.96.0.1');
  assert.equal(firstServiceIP('10.241.7.0/24'), '10.241.7.1');
});

test('the kubernetes Service: made once, each apiserver adds its address and withdraws it on stop; edits are put back', async () => {
  const logger = pino({ level: 'silent' });
  const memory = memoryStore(logger);
  const registry = new EtcdRegistry({ store: memory.store, logger, watch: { logger } });
  await registry.ensureSystemNamespaces();
  try {
    const a = await startKubernetesService(registry, { serviceClusterIpRange: '10.96.0.0/16', advertiseAddress: '10.213.0.1', port: 6443, logger });
    const b = await startKubernetesService(registry, { serviceClusterIpRange: '10.96.0.0/16', advertiseAddress: '10.213.0.2', port: 6443, logger });
    const svc = await registry.get('services', 'default', 'kubernetes');
    assert.equal(svc.spec.clusterIP, '10.96.0.1');
    assert.deepEqual(svc.spec.ports, [{ name: 'https', protocol: 'TCP', port: 443, targetPort: 6443 }]);
    assert.deepEqual(svc.metadata.labels, { component: 'apiserver', provider: 'kubernetes' });
    const slice: any = await registry.get('endpointslices', 'default', 'kubernetes');
    assert.deepEqual(slice.endpoints.map((e: any) => e.addresses[0]), ['10.213.0.1', '10.213.0.2']);
    assert.equal(slice.metadata.labels['kubernetes.io/service-name'], 'kubernetes');
    const ep: any = await registry.get('endpoints', 'default', 'kubernetes');
    assert.deepEqual(ep.subsets[0].addresses.map((x: any) => x.ip), ['10.213.0.1', '10.213.0.2']);
    assert.deepEqual(ep.subsets[0].ports, [{ name: 'https', port: 6443, protocol: 'TCP' }]);
    await b.stop();
    const after: any = await registry.get('endpoints', 'default', 'kubernetes');
    assert.deepEqual(after.subsets[0].addresses.map((x: any) => x.ip), ['10.213.0.1']);
    // Someone changes the port: the next start (or the periodic reconcile) puts it back.
    await registry.guaranteedUpdate('services', 'default', 'kubernetes', (s) => ({ ...s, spec: { ...s.spec, ports: [{ name: 'https', protocol: 'TCP', port: 443, targetPort: 1 }] } }));
    const c = await startKubernetesService(registry, { serviceClusterIpRange: '10.96.0.0/16', advertiseAddress: '10.213.0.1', port: 6443, logger });
    assert.equal((await registry.get('services', 'default', 'kubernetes')).spec.ports[0].targetPort, 6443);
    await a.stop();
    await c.stop();
  } finally {
    await registry.close();
  }
});
