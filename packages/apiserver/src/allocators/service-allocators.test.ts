import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { KubeObject } from '@k8ts/api';
import { ApiError } from '@k8ts/client';
import { heldBy, ServiceAllocators } from './service-allocators.js';
import { MemoryRangeStore } from './range-store.js';

const svc = (name: string, spec: any, ns = 'default'): KubeObject => ({ apiVersion: 'v1', kind: 'Service', metadata: { name, namespace: ns }, spec });
const web = (extra: any = {}) => ({ selector: { app: 'web' }, ports: [{ port: 80, targetPort: 8080 }], ...extra });

function setup() {
  const store = new MemoryRangeStore();
  const a = new ServiceAllocators(store, { serviceClusterIpRange: '10.231.0.0/24', loadBalancerPool: '10.232.0.0/28', nodePortRange: '30000-30009' });
  return { store, a };
}

async function rejects(p: Promise<unknown>, message: RegExp) {
  await assert.rejects(p, (e: unknown) => {
    assert.ok(e instanceof ApiError, String(e));
    assert.equal(e.code, 422);
    assert.equal(e.reason, 'Invalid');
    assert.match(e.status.message ?? '', message);
    return true;
  });
}

test('ClusterIP is allocated from the range, never .0, .1 or broadcast, and stored', async () => {
  const { a, store } = setup();
  const seen = new Set<string>();
  for (let i = 0; i < 40; i++) {
    const s = svc(`s${i}`, web());
    await a.onCreate(s);
    const ip = s.spec.clusterIP as string;
    assert.match(ip, /^10\.231\.0\.\d+$/);
    assert.ok(!['10.231.0.0', '10.231.0.1', '10.231.0.255'].includes(ip), ip);
    assert.deepEqual(s.spec.clusterIPs, [ip]);
    assert.ok(!seen.has(ip));
    seen.add(ip);
    assert.equal((await store.get(`/registry/ranges/serviceips/${ip}`))?.owner, `default/s${i}`);
  }
  assert.equal(seen.size, 40);
});

test('explicit clusterIP honoured; taken or out of range rejected as Kubernetes words it', async () => {
  const { a } = setup();
  const s = svc('dns', web({ clusterIP: '10.231.0.10' }));
  await a.onCreate(s);
  assert.equal(s.spec.clusterIP, '10.231.0.10');
  await rejects(a.onCreate(svc('dns2', web({ clusterIP: '10.231.0.10' }))), /^Service "dns2" is invalid: spec\.clusterIPs: Invalid value: \[\]string\{"10\.231\.0\.10"\}: failed to allocate IP 10\.231\.0\.10: provided IP is already allocated$/);
  await rejects(a.onCreate(svc('far', web({ clusterIP: '10.99.0.10' }))), /the provided IP \(10\.99\.0\.10\) is not in the valid range\. The range of valid IPs is 10\.231\.0\.0\/24/);
  const k = svc('kubernetes', web({ clusterIP: '10.231.0.1' }));
  await a.onCreate(k);
  assert.equal(k.spec.clusterIP, '10.231.0.1');
});

test('headless and ExternalName allocate nothing', async () => {
  const { a, store } = setup();
  const h = svc('h', web({ clusterIP: 'None' }));
  await a.onCreate(h);
  assert.deepEqual(h.spec.clusterIPs, ['None']);
  const e = svc('e', { type: 'ExternalName', externalName: 'example.internal' });
  await a.onCreate(e);
  assert.equal(e.spec.clusterIP, undefined);
  assert.equal(store.data.size, 0);
});

test('NodePort and LoadBalancer get node ports and an address; release on delete', async () => {
  const { a, store } = setup();
  const n = svc('np', web({ type: 'NodePort', ports: [{ name: 'http', port: 80, nodePort: 30005 }, { name: 'alt', port: 81 }] }));
  await a.onCreate(n);
  assert.equal(n.spec.ports[0].nodePort, 30005);
  assert.ok(n.spec.ports[1].nodePort >= 30000 && n.spec.ports[1].nodePort <= 30009);
  assert.equal(n.spec.externalTrafficPolicy, 'Cluster');
  await rejects(a.onCreate(svc('np2', web({ type: 'NodePort', ports: [{ port: 80, nodePort: 30005 }] }))), /spec\.ports\[0\]\.nodePort: Invalid value: 30005: provided port is already allocated/);
  await rejects(a.onCreate(svc('np3', web({ type: 'NodePort', ports: [{ port: 80, nodePort: 40000 }] }))), /provided port is not in the valid range\. The range of valid ports is 30000-30009/);
  // The failed request gave back the ClusterIP it had taken.
  assert.equal([...store.data.values()].filter((v) => v.owner !== 'default/np').length, 0);

  const lb = svc('lb', web({ type: 'LoadBalancer' }));
  await a.onCreate(lb);
  const ip = lb.status?.loadBalancer?.ingress?.[0]?.ip;
  assert.match(ip, /^10\.232\.0\.([1-9]|1[0-4])$/);
  assert.ok(lb.spec.ports[0].nodePort >= 30000);
  await a.onDelete(lb);
  await a.onDelete(n);
  assert.equal(store.data.size, 0);
});

test('node ports run out with a clear error', async () => {
  const { a } = setup();
  const ports = Array.from({ length: 10 }, (_, i) => ({ name: `p${i}`, port: 1000 + i }));
  await a.onCreate(svc('big', web({ type: 'NodePort', ports })));
  await rejects(a.onCreate(svc('one-more', web({ type: 'NodePort' }))), /spec\.ports\[0\]\.nodePort.*range is full/);
});

test('update keeps allocated values, rejects a changed clusterIP, frees what a type change drops', async () => {
  const { a } = setup();
  const s = svc('s', web({ type: 'NodePort' }));
  await a.onCreate(s);
  const ip = s.spec.clusterIP;
  const port = s.spec.ports[0].nodePort;
  const upd = svc('s', web({ type: 'NodePort' }));
  await a.onUpdate(upd, structuredClone(s));
  assert.equal(upd.spec.clusterIP, ip);
  assert.equal(upd.spec.ports[0].nodePort, port);
  await rejects(a.onUpdate(svc('s', web({ clusterIP: '10.231.0.99', type: 'NodePort' })), structuredClone(s)), /spec\.clusterIPs\[0\]: Invalid value: \[\]string\{"10\.231\.0\.99"\}: may not change once set/);
  const toCluster = svc('s', web({ type: 'ClusterIP' }));
  a.pending.splice(0);
  await a.onUpdate(toCluster, structuredClone(s));
  assert.equal(toCluster.spec.ports[0].nodePort, undefined);
  assert.deepEqual(a.pending, [{ kind: 'nodePort', item: String(port), owner: 'default/s' }]);
  // The dropped node port is freed once the stored Service no longer holds it.
  const freed = await a.repair(async () => toCluster, a.pending.splice(0));
  assert.equal(freed, 1);
});

test('repair frees allocations whose Service is gone, and keeps held ones', async () => {
  const { a } = setup();
  const s = svc('kept', web());
  await a.onCreate(s);
  const orphan = svc('orphan', web());
  await a.onCreate(orphan);
  const freed = await a.repair(async (_ns, name) => (name === 'kept' ? s : undefined), undefined, 0);
  assert.equal(freed, 1);
  assert.deepEqual([...(await a.ips.list()).keys()], [s.spec.clusterIP]);
});

test('repair goes on past an owner it cannot read, keeping what that one holds', async () => {
  const { a } = setup();
  const unreadable = svc('unreadable', web());
  await a.onCreate(unreadable);
  const orphan = svc('orphan', web());
  await a.onCreate(orphan);
  const freed = await a.repair(async (_ns, name) => {
    if (name === 'unreadable') throw new Error('data corruption');
    return undefined;
  }, undefined, 0);
  assert.equal(freed, 1);
  assert.deepEqual([...(await a.ips.list()).keys()], [unreadable.spec.clusterIP]);
  assert.deepEqual(heldBy(svc('p', { type: 'NodePort', ports: 5 })), { nodePorts: [] });
});

test('bad services are rejected with the reason', async () => {
  const { a, store } = setup();
  await rejects(a.onCreate(svc('t', web({ type: 'Foo' }))), /spec\.type: Unsupported value: "Foo": supported values: "ClusterIP", "ExternalName", "LoadBalancer", "NodePort"/);
  await rejects(a.onCreate(svc('d', web({ ports: [{ name: 'a', port: 80 }, { name: 'b', port: 80 }] }))), /spec\.ports\[1\]: Duplicate value/);
  await rejects(a.onCreate(svc('n', web({ ports: [{ name: 'a', port: 80 }, { name: 'a', port: 81 }] }))), /spec\.ports\[1\]\.name: Duplicate value: "a"/);
  await rejects(a.onCreate(svc('u', web({ ports: [{ port: 80 }, { port: 81 }] }))), /spec\.ports\[0\]\.name: Required value/);
  await rejects(a.onCreate(svc('tp', web({ ports: [{ port: 80, targetPort: 'Web_Port' }] }))), /spec\.ports\[0\]\.targetPort: Invalid value: "Web_Port": must contain only alpha-numeric/);
  await rejects(a.onCreate(svc('np', web({ ports: [{ port: 80, nodePort: 30001 }] }))), /spec\.ports\[0\]\.nodePort: Forbidden: may not be used when `type` is 'ClusterIP'/);
  await rejects(a.onCreate(svc('en', { type: 'ExternalName' })), /spec\.externalName: Required value/);
  await rejects(a.onCreate(svc('p0', web({ ports: [{ port: 0 }] }))), /spec\.ports\[0\]\.port: Invalid value: 0: must be between 1 and 65535, inclusive/);
  await rejects(a.onCreate(svc('lo', web({ externalIPs: ['127.0.0.1'] }))), /spec\.externalIPs\[0\]: Invalid value: "127\.0\.0\.1": may not be in the loopback range/);
  await rejects(a.onCreate(svc('in', web({ externalIPs: ['192.168.1.9', '10.231.0.7'] }))), /spec\.externalIPs\[1\]: Invalid value: "10\.231\.0\.7": may not be in the service cluster IP range \(10\.231\.0\.0\/24\)/);
  await rejects(a.onCreate(svc('lb', web({ externalIPs: ['10.232.0.3'] }))), /may not be in the load-balancer IP pool \(10\.232\.0\.0\/28\)/);
  assert.equal(store.data.size, 0);
});
