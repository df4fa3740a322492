// Cluster DNS as pods use it: a container whose resolver is the dns component on the
// test network's gateway, with the Kubernetes search path and ndots:5, reaching a Service
// by its short name through the proxy. Names outside the cluster go to a fake upstream
// on 127.0.0.1, so no query leaves the machine.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import dgram from 'node:dgram';
import { FakeClient } from '@k8ts/client/testing';
import { startProxy, cleanupProxy } from '@k8ts/proxy';
import { startDns, dnsPacket } from '@k8ts/dns';
import { NetFixture, sh } from './helpers/netfixture.js';

const prefix = `KD${Math.random().toString(36).slice(2, 6).toUpperCase().replace(/[^A-Z0-9]/g, 'X')}`;
const serviceRange = '10.234.0.0/24';
const lbPool = '10.235.0.0/24';
const gateway = '10.233.0.1';
const fake = new FakeClient();
let fx: NetFixture;
let proxy: Awaited<ReturnType<typeof startProxy>> | undefined;
let dns: Awaited<ReturnType<typeof startDns>> | undefined;
let upstream: dgram.Socket | undefined;
let podIP = '';

const svc = (name: string, spec: any) => fake.create('services', { apiVersion: 'v1', kind: 'Service', metadata: { name, namespace: 'default' }, spec });
const eps = async (name: string, ips: string[]) => {
  await fake.create('endpoints', { apiVersion: 'v1', kind: 'Endpoints', metadata: { name, namespace: 'default' }, subsets: [{ addresses: ips.map((ip) => ({ ip })), ports: [{ name: 'http', port: 8080, protocol: 'TCP' }] }] });
  // Cluster DNS reads EndpointSlices (as CoreDNS does); the proxy, Endpoints.
  await fake.create('endpointslices', {
    apiVersion: 'discovery.k8s.io/v1',
    kind: 'EndpointSlice',
    metadata: { name: `${name}-x1`, namespace: 'default', labels: { 'kubernetes.io/service-name': name } },
    addressType: 'IPv4',
    endpoints: ips.map((ip) => ({ addresses: [ip], conditions: { ready: true } })),
    ports: [{ name: 'http', port: 8080, protocol: 'TCP' }],
  });
};

before(async () => {
  upstream = dgram.createSocket('udp4');
  upstream.on('message', (m, r) => {
    try {
      const q = dnsPacket.decode(m);
      const question = q.questions![0]!;
      const answers = question.type === 'A' ? [{ type: 'A' as const, name: question.name, ttl: 30, data: '192.0.2.53' }] : [];
      upstream!.send(dnsPacket.encode({ type: 'response', id: q.id, flags: dnsPacket.RECURSION_AVAILABLE, questions: q.questions, answers }), r.port, r.address);
    } catch {
      /* not a query */
    }
  });
  await new Promise<void>((r) => upstream!.bind(0, '127.0.0.1', () => r()));

  fx = await NetFixture.create('10.233.0.0/16');
  podIP = await fx.httpServer('web-1');
  await fx.shell('client', ['--dns', gateway, '--dns-search', 'default.svc.cluster.local', '--dns-search', 'svc.cluster.local', '--dns-search', 'cluster.local', '--dns-option', 'ndots:5']);
  await svc('nginx-svc', { clusterIP: '10.234.0.10', ports: [{ name: 'http', port: 80, targetPort: 8080, protocol: 'TCP' }] });
  await eps('nginx-svc', [podIP]);
  await svc('nginx-headless', { clusterIP: 'None', ports: [{ name: 'http', port: 8080 }] });
  await eps('nginx-headless', [podIP]);
  await svc('alias', { type: 'ExternalName', externalName: 'nginx-svc.default.svc.cluster.local' });
  await svc('outside', { type: 'ExternalName', externalName: 'db.example.test' });
  await fake.create('pods', { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'web-1', namespace: 'default' }, spec: { containers: [] }, status: { podIP, phase: 'Running' } });

  proxy = await startProxy({ client: fake, chainPrefix: prefix, network: fx.network, serviceClusterIpRange: serviceRange, loadBalancerPool: lbPool, opsPort: -1, nodeName: 'node-a' });
  dns = await startDns({ client: fake, listen: `${gateway}:53`, upstream: `127.0.0.1:${(upstream.address() as { port: number }).port}`, opsPort: -1 });
});

after(async () => {
  await dns?.stop().catch(() => {});
  await proxy?.stop().catch(() => {});
  await cleanupProxy({ chainPrefix: prefix, serviceClusterIpRange: serviceRange, loadBalancerPool: lbPool }).catch(() => {});
  await fx?.remove();
  upstream?.close();
});

const inClient = (script: string) => fx.exec('client', script, 20_000);

test('the short name and the long name reach the Service from a pod', async () => {
  assert.equal((await inClient('timeout 5 wget -qO- http://nginx-svc/')).trim(), 'web-1');
  assert.equal((await inClient('timeout 5 wget -qO- http://nginx-svc.default.svc.cluster.local/')).trim(), 'web-1');
  assert.equal((await inClient('timeout 5 wget -qO- http://nginx-svc.default/')).trim(), 'web-1');
});

test('nslookup: ClusterIP, headless pod IPs, pod records, ExternalName CNAME', async () => {
  assert.match(await inClient('nslookup -type=a nginx-svc.default.svc.cluster.local'), /Address: 10\.234\.0\.10/);
  assert.match(await inClient('nslookup -type=a nginx-headless.default.svc.cluster.local'), new RegExp(`Address: ${podIP.replace(/\./g, '\\.')}`));
  assert.match(await inClient(`nslookup -type=a ${podIP.replace(/\./g, '-')}.default.pod.cluster.local`), new RegExp(`Address: ${podIP.replace(/\./g, '\\.')}`));
  const alias = await inClient('nslookup -type=a alias.default.svc.cluster.local');
  assert.match(alias, /canonical name = nginx-svc\.default\.svc\.cluster\.local/);
  assert.match(alias, /Address: 10\.234\.0\.10/);
  assert.match(await inClient('nslookup -type=cname outside.default.svc.cluster.local'), /canonical name = db\.example\.test/);
  assert.match(await inClient('nslookup -type=srv _http._tcp.nginx-svc.default.svc.cluster.local'), /_http\._tcp\.nginx-svc\.default\.svc\.cluster\.local\s+service = 0 100 80 nginx-svc\.default\.svc\.cluster\.local/);
});

test('unknown cluster names are NXDOMAIN; other names are forwarded upstream', async () => {
  assert.match(await inClient('nslookup -type=a nope.default.svc.cluster.local 2>&1; true'), /NXDOMAIN/);
  assert.match(await inClient('nslookup -type=a www.example.test 2>&1'), /Address: 192\.0\.2\.53/);
});

test('nothing of the proxy remains after cleanup', async () => {
  await dns!.stop();
  dns = undefined;
  await proxy!.stop();
  proxy = undefined;
  await cleanupProxy({ chainPrefix: prefix, serviceClusterIpRange: serviceRange, loadBalancerPool: lbPool });
  assert.equal((await sh('iptables-save', [])).split('\n').filter((l) => l.includes(`${prefix}-`)).length, 0);
  assert.equal((await sh('ip', ['route', 'show', serviceRange])).trim(), '');
});
