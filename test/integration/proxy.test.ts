// The proxy on the real host: its own Docker network, chain prefix and service range, two
// busybox httpd containers as endpoints, a third container as client.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { FakeClient } from '@k8ts/client/testing';
import { startProxy, cleanupProxy } from '@k8ts/proxy';
import { NetFixture, httpGet, sh, waitFor } from './helpers/netfixture.js';

const prefix = `KT${Math.random().toString(36).slice(2, 6).toUpperCase().replace(/[^A-Z0-9]/g, 'X')}`;
const serviceRange = '10.231.0.0/24';
const lbPool = '10.232.0.0/24';
const localnetBefore = readFileSync('/proc/sys/net/ipv4/conf/all/route_localnet', 'utf8').trim();
const fake = new FakeClient();
let fx: NetFixture;
let proxy: Awaited<ReturnType<typeof startProxy>> | undefined;
let ip1 = '';
let ip2 = '';

const svc = (name: string, spec: any, status: any = {}) => ({ apiVersion: 'v1', kind: 'Service', metadata: { name, namespace: 'default' }, spec, status });
const eps = (name: string, ips: string[]) => ({
  apiVersion: 'v1',
  kind: 'Endpoints',
  metadata: { name, namespace: 'default' },
  subsets: ips.length ? [{ addresses: ips.map((ip) => ({ ip, nodeName: 'node-a' })), ports: [{ port: 8080, protocol: 'TCP' }] }] : [],
});
const ourRules = async () => (await sh('iptables-save', [])).split('\n').filter((l) => l.includes(`${prefix}-`));

before(async () => {
  fx = await NetFixture.create('10.230.0.0/16');
  [ip1, ip2] = await Promise.all([fx.httpServer('b1'), fx.httpServer('b2')]);
  await fx.shell('client');
  const port = { port: 80, targetPort: 8080, protocol: 'TCP' };
  await fake.create('services', svc('web', { type: 'ClusterIP', clusterIP: '10.231.0.10', ports: [port] }));
  await fake.create('endpoints', eps('web', [ip1!, ip2!]));
  await fake.create('services', svc('np', { type: 'NodePort', clusterIP: '10.231.0.11', ports: [{ ...port, nodePort: 31080 }] }));
  await fake.create('endpoints', eps('np', [ip1!]));
  await fake.create('services', svc('lb', { type: 'LoadBalancer', clusterIP: '10.231.0.12', ports: [{ ...port, nodePort: 31081 }] }, { loadBalancer: { ingress: [{ ip: '10.232.0.5' }] } }));
  await fake.create('endpoints', eps('lb', [ip2!]));
  await fake.create('services', svc('empty', { type: 'ClusterIP', clusterIP: '10.231.0.20', ports: [port] }));
  await fake.create('endpoints', eps('empty', []));
  proxy = await startProxy({ client: fake, chainPrefix: prefix, network: fx.network, serviceClusterIpRange: serviceRange, loadBalancerPool: lbPool, opsPort: 0, nodeName: 'node-a' });
});

after(async () => {
  await proxy?.stop().catch(() => {});
  await cleanupProxy({ chainPrefix: prefix, serviceClusterIpRange: serviceRange, loadBalancerPool: lbPool }).catch(() => {});
  await fx?.remove();
});

async function answers(get: () => Promise<string>, n: number): Promise<Map<string, number>> {
  const seen = new Map<string, number>();
  for (let i = 0; i < n; i++) {
    const body = await get();
    seen.set(body, (seen.get(body) ?? 0) + 1);
  }
  return seen;
}

test('ClusterIP from the host reaches both endpoints', async () => {
  const seen = await answers(() => httpGet('10.231.0.10', 80), 40);
  assert.deepEqual([...seen.keys()].sort(), ['b1', 'b2']);
  assert.ok(seen.get('b1')! >= 5 && seen.get('b2')! >= 5, JSON.stringify([...seen]));
});

test('ClusterIP from a container reaches both endpoints', async () => {
  const out = await fx.exec('client', 'for i in $(seq 30); do timeout 3 wget -qO- http://10.231.0.10/; done');
  const lines = out.trim().split('\n');
  assert.equal(lines.length, 30);
  assert.deepEqual([...new Set(lines)].sort(), ['b1', 'b2']);
});

test('hairpin: an endpoint reaching its own Service gets answers from itself too', async () => {
  const out = await fx.exec('b1', 'for i in $(seq 30); do timeout 3 wget -qO- http://10.231.0.10/; done');
  assert.deepEqual([...new Set(out.trim().split('\n'))].sort(), ['b1', 'b2']);
});

test('NodePort answers on 127.0.0.1 and on the bridge address; LoadBalancer address from the host', async () => {
  assert.equal(readFileSync('/proc/sys/net/ipv4/conf/all/route_localnet', 'utf8').trim(), '1');
  assert.equal(await httpGet('127.0.0.1', 31080), 'b1');
  assert.equal(await httpGet('10.230.0.1', 31080), 'b1');
  assert.equal(await httpGet('10.232.0.5', 80), 'b2');
  assert.equal(await httpGet('127.0.0.1', 31081), 'b2');
  // From a container: the node port on the gateway, the LB address.
  assert.equal((await fx.exec('client', 'timeout 3 wget -qO- http://10.230.0.1:31080/')).trim(), 'b1');
  assert.equal((await fx.exec('client', 'timeout 3 wget -qO- http://10.232.0.5/')).trim(), 'b2');
});

test('no endpoints, or no Service at an address: refused at once, from host and container', async () => {
  for (const [host, port] of [['10.231.0.20', 80], ['10.231.0.99', 80], ['10.232.0.77', 80], ['10.231.0.10', 81]] as const) {
    const t0 = Date.now();
    await assert.rejects(httpGet(host, port, 3000), (e: any) => e.code === 'ECONNREFUSED', `${host}:${port}`);
    assert.ok(Date.now() - t0 < 500, `${host}:${port} took ${Date.now() - t0} ms`);
  }
  const t0 = Date.now();
  const out = await fx.exec('client', 'timeout 5 wget -qO- http://10.231.0.20/ 2>&1; echo rc=$?');
  assert.match(out, /refused/i);
  assert.ok(Date.now() - t0 < 2500, `container took ${Date.now() - t0} ms`);
});

test('endpoint changes apply within a second; ClientIP affinity sticks', async () => {
  await fake.update('endpoints', { ...(await fake.get('endpoints', 'default', 'web')), subsets: eps('web', [ip2!]).subsets });
  await waitFor('only b2 answering', async () => [...(await answers(() => httpGet('10.231.0.10', 80), 10)).keys()].join() === 'b2', 1500);
  await fake.update('endpoints', { ...(await fake.get('endpoints', 'default', 'web')), subsets: eps('web', [ip1!, ip2!]).subsets });
  const cur = await fake.get('services', 'default', 'web');
  await fake.update('services', { ...cur, spec: { ...cur.spec, sessionAffinity: 'ClientIP', sessionAffinityConfig: { clientIP: { timeoutSeconds: 60 } } } });
  await waitFor('affinity rules', async () => (await ourRules()).some((l) => l.includes('--rcheck')), 2000);
  const seen = await answers(() => httpGet('10.231.0.10', 80), 20);
  assert.equal(seen.size, 1, JSON.stringify([...seen]));
});

test('rules are rebuilt from the API by a new proxy; --cleanup removes every chain, rule and route', async () => {
  await proxy!.stop();
  proxy = undefined;
  // Rules stay while no proxy runs (as with kube-proxy), and a new one takes over.
  assert.equal(await httpGet('10.231.0.10', 80).then((b) => b.length > 0), true);
  proxy = await startProxy({ client: fake, chainPrefix: prefix, network: fx.network, serviceClusterIpRange: serviceRange, loadBalancerPool: lbPool, opsPort: 0, nodeName: 'node-a' });
  const metrics = await (await fetch(`http://127.0.0.1:${proxy.opsPort}/metrics`)).text();
  assert.match(metrics, /k8ts_proxy_sync_total\{result="ok",component="proxy"\} [1-9]/);
  assert.match(metrics, /k8ts_proxy_rules\{component="proxy"\} [1-9]/);
  await proxy.stop();
  proxy = undefined;
  await sh(process.execPath, ['--import', 'tsx', 'packages/proxy/src/main.ts', '--cleanup', '--chain-prefix', prefix, '--service-cluster-ip-range', serviceRange, '--load-balancer-pool', lbPool]);
  assert.deepEqual(await ourRules(), []);
  assert.equal((await sh('ip', ['route', 'show', serviceRange])).trim(), '');
  assert.equal((await sh('ip', ['route', 'show', lbPool])).trim(), '');
  // route_localnet goes back unless another proxy on this host still serves node ports.
  const others = (await sh('iptables-save', ['-t', 'nat'])).split('\n').some((l) => /^:\S+-NODEPORTS /.test(l));
  if (!others && localnetBefore === '0') assert.equal(readFileSync('/proc/sys/net/ipv4/conf/all/route_localnet', 'utf8').trim(), '0');
});
