// The Service allocators over a real etcd: two allocators (two apiservers) racing never
// hand out one address, and a new allocator (a restarted apiserver) sees what is taken.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { Etcd3 } from 'etcd3';
import { ServiceAllocators, EtcdRangeStore } from '../../packages/apiserver/src/allocators/index.js';
import { startEtcd } from '../support/etcd.js';


const etcd = await startEtcd();
const clients: Etcd3[] = [];
after(async () => {
  for (const c of clients) c.close();
  await etcd.stop();
});
const connect = () => {
  const c = new Etcd3({ hosts: etcd.url });
  clients.push(c);
  return c;
};
for (let i = 0; ; i++) {
  try {
    await connect().get('probe').string();
    break;
  } catch (e) {
    if (i > 100) throw e;
    await new Promise((r) => setTimeout(r, 100));
  }
}

const opts = { serviceClusterIpRange: '10.231.0.0/26', loadBalancerPool: '10.232.0.0/28', nodePortRange: '30000-30039' };
const svc = (name: string, type = 'NodePort') => ({ metadata: { name, namespace: 'default' }, spec: { type, ports: [{ port: 80 }] } });

test('two apiservers racing hand out distinct addresses and ports, all stored in etcd', async () => {
  const a = new ServiceAllocators(new EtcdRangeStore(connect()), opts);
  const b = new ServiceAllocators(new EtcdRangeStore(connect()), opts);
  const made = Array.from({ length: 30 }, (_, i) => svc(`s${i}`));
  await Promise.all(made.map((s, i) => (i % 2 ? a : b).onCreate(s)));
  const ips = made.map((s) => s.spec as any).map((sp) => sp.clusterIP);
  const ports = made.map((s) => (s.spec as any).ports[0].nodePort);
  assert.equal(new Set(ips).size, 30);
  assert.equal(new Set(ports).size, 30);
  const keys = await connect().getAll().prefix('/registry/ranges/serviceips/').keys();
  assert.equal(keys.length, 30);
  for (const s of made) await a.onDelete(s);
  assert.equal((await connect().getAll().prefix('/registry/ranges/').keys()).length, 0);
});

test('a restarted apiserver refuses what is already allocated', async () => {
  const first = new ServiceAllocators(new EtcdRangeStore(connect()), opts);
  const s = { metadata: { name: 'lb', namespace: 'default' }, spec: { type: 'LoadBalancer', clusterIP: '10.231.0.10', ports: [{ port: 80, nodePort: 30010 }] } } as any;
  await first.onCreate(s);
  const lbIP = s.status.loadBalancer.ingress[0].ip;
  const restarted = new ServiceAllocators(new EtcdRangeStore(connect()), opts);
  const clash = { metadata: { name: 'other', namespace: 'default' }, spec: { type: 'LoadBalancer', clusterIP: '10.231.0.10', loadBalancerIP: lbIP, ports: [{ port: 80, nodePort: 30010 }] } } as any;
  await assert.rejects(restarted.onCreate(clash), (e: any) => {
    assert.equal(e.code, 422);
    assert.match(e.message, /spec\.clusterIPs: Invalid value: \[\]string\{"10\.231\.0\.10"\}: failed to allocate IP 10\.231\.0\.10: provided IP is already allocated/);
    assert.match(e.message, /spec\.ports\[0\]\.nodePort: Invalid value: 30010: provided port is already allocated/);
    assert.match(e.message, /provided IP is already allocated/);
    return true;
  });
  await restarted.onDelete(s);
  assert.equal((await connect().getAll().prefix('/registry/ranges/').keys()).length, 0);
});
