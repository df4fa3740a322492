// The DNS server against a FakeClient, on 127.0.0.1 with random ports; forwarding is
// checked against a fake upstream on 127.0.0.1 (no query leaves the machine).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import dgram from 'node:dgram';
import net from 'node:net';
import dnsPacket, { type DecodedPacket } from 'dns-packet';

// dns-packet decodes rcode and record TTLs; its typings leave them out.
type Packet = DecodedPacket & { rcode?: string; answers?: any[] };
import { FakeClient } from '@k8ts/client/testing';
import { startDns, type RunningDns } from './index.js';

const fake = new FakeClient();
let dns: RunningDns;
let upstream: dgram.Socket;
let upstreamPort = 0;
const upstreamSeen: string[] = [];

function query(name: string, type: string, port = dns.port, raw?: Buffer): Promise<Packet | undefined> {
  return new Promise((resolve, reject) => {
    const sock = dgram.createSocket('udp4');
    const timer = setTimeout(() => {
      sock.close();
      resolve(undefined);
    }, 1000);
    sock.on('message', (m) => {
      clearTimeout(timer);
      sock.close();
      try {
        resolve(dnsPacket.decode(m));
      } catch (e) {
        reject(e);
      }
    });
    const pkt = raw ?? dnsPacket.encode({ type: 'query', id: 4242, flags: dnsPacket.RECURSION_DESIRED, questions: [{ type: type as any, name, class: 'IN' }] });
    sock.send(pkt, port, '127.0.0.1');
  });
}

function queryTcp(name: string, type: string): Promise<Packet> {
  return new Promise((resolve, reject) => {
    const sock = net.connect({ host: '127.0.0.1', port: dns.port }, () => sock.write(dnsPacket.streamEncode({ type: 'query', id: 7, questions: [{ type: type as any, name }] })));
    let buf = Buffer.alloc(0);
    sock.on('data', (d) => {
      buf = Buffer.concat([buf, d]);
      if (buf.length >= 2 && buf.length >= 2 + buf.readUInt16BE(0)) {
        sock.end();
        resolve(dnsPacket.streamDecode(buf) as Packet);
      }
    });
    sock.on('error', reject);
  });
}

const data = (p: Packet | undefined, type: string) => (p?.answers ?? []).filter((a) => a.type === type).map((a) => (a as any).data);

before(async () => {
  // A fake upstream: answers every A query with 192.0.2.53 and records what it was asked.
  upstream = dgram.createSocket('udp4');
  upstream.on('message', (m, r) => {
    const q = dnsPacket.decode(m);
    upstreamSeen.push(q.questions![0]!.name);
    upstream.send(dnsPacket.encode({ type: 'response', id: q.id, flags: dnsPacket.RECURSION_AVAILABLE, questions: q.questions, answers: [{ type: 'A', name: q.questions![0]!.name, ttl: 30, data: '192.0.2.53' }] }), r.port, r.address);
  });
  await new Promise<void>((r) => upstream.bind(0, '127.0.0.1', () => r()));
  upstreamPort = upstream.address().port;

  const svc = (name: string, spec: any) => fake.create('services', { apiVersion: 'v1', kind: 'Service', metadata: { name, namespace: 'web' }, spec });
  await svc('nginx', { clusterIP: '10.96.0.20', ports: [{ name: 'http', port: 80, protocol: 'TCP' }] });
  await svc('db', { clusterIP: 'None', ports: [{ name: 'pg', port: 5432 }] });
  await svc('ext', { type: 'ExternalName', externalName: 'db.example.test' });
  await svc('alias', { type: 'ExternalName', externalName: 'nginx.web.svc.cluster.local' });
  // As the endpointslice controller writes them: hostname from a pod whose subdomain names the Service.
  await fake.create('endpointslices', {
    apiVersion: 'discovery.k8s.io/v1',
    kind: 'EndpointSlice',
    metadata: { name: 'db-abcde', namespace: 'web', labels: { 'kubernetes.io/service-name': 'db' } },
    addressType: 'IPv4',
    endpoints: [
      { addresses: ['10.213.0.7'], hostname: 'db-0', conditions: { ready: true, serving: true, terminating: false } },
      { addresses: ['10.213.0.8'], conditions: { ready: true } },
      { addresses: ['10.213.0.9'], hostname: 'db-2', conditions: { ready: false, serving: false, terminating: false } },
    ],
    ports: [{ name: 'pg', port: 5432, protocol: 'TCP' }],
  });
  await fake.create('pods', { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p', namespace: 'web' }, spec: { containers: [] }, status: { podIP: '10.213.0.7', phase: 'Running' } });
  dns = await startDns({ client: fake, listen: '127.0.0.1:0', upstream: `127.0.0.1:${upstreamPort}`, opsPort: 0 });
});

after(async () => {
  await dns?.stop();
  upstream?.close();
});

test('ClusterIP Service: A record with a 5 s TTL, authoritative', async () => {
  const r = await query('nginx.web.svc.cluster.local', 'A');
  assert.equal(r?.rcode, 'NOERROR');
  assert.deepEqual(data(r, 'A'), ['10.96.0.20']);
  assert.equal(r!.answers![0]!.ttl, 5);
  assert.equal(r!.flag_aa, true);
  assert.equal(r!.id, 4242);
});

test('headless Service: the ready pod IPs; hostnames and dashed IPs name each one', async () => {
  const r = await query('db.web.svc.cluster.local', 'A');
  assert.deepEqual(data(r, 'A').sort(), ['10.213.0.7', '10.213.0.8']);
  assert.deepEqual(data(await query('db-0.db.web.svc.cluster.local', 'A'), 'A'), ['10.213.0.7']);
  assert.deepEqual(data(await query('10-213-0-8.db.web.svc.cluster.local', 'A'), 'A'), ['10.213.0.8']);
  // A not-ready endpoint has no name yet.
  assert.equal((await query('db-2.db.web.svc.cluster.local', 'A'))?.rcode, 'NXDOMAIN');
});

test('SRV for named ports, with targets resolved in the additional section', async () => {
  const r = await query('_http._tcp.nginx.web.svc.cluster.local', 'SRV');
  assert.deepEqual(data(r, 'SRV').map((s: any) => [s.port, s.target]), [[80, 'nginx.web.svc.cluster.local']]);
  assert.deepEqual((r?.additionals ?? []).filter((a) => a.type === 'A').map((a: any) => a.data), ['10.96.0.20']);
  const h = await query('_pg._tcp.db.web.svc.cluster.local', 'SRV');
  assert.deepEqual(data(h, 'SRV').map((s: any) => s.target).sort(), ['10-213-0-8.db.web.svc.cluster.local', 'db-0.db.web.svc.cluster.local']);
});

test('ExternalName: CNAME, chased upstream for outside targets and inside for cluster ones', async () => {
  const r = await query('ext.web.svc.cluster.local', 'A');
  assert.deepEqual(data(r, 'CNAME'), ['db.example.test']);
  assert.deepEqual(data(r, 'A'), ['192.0.2.53']);
  const a = await query('alias.web.svc.cluster.local', 'A');
  assert.deepEqual(data(a, 'CNAME'), ['nginx.web.svc.cluster.local']);
  assert.deepEqual(data(a, 'A'), ['10.96.0.20']);
});

test('pod records, PTR for Service addresses', async () => {
  assert.deepEqual(data(await query('10-213-0-7.web.pod.cluster.local', 'A'), 'A'), ['10.213.0.7']);
  assert.equal((await query('10-213-0-99.web.pod.cluster.local', 'A'))?.rcode, 'NXDOMAIN');
  assert.deepEqual(data(await query('20.0.96.10.in-addr.arpa', 'PTR'), 'PTR'), ['nginx.web.svc.cluster.local']);
});

test('unknown cluster names: NXDOMAIN with the SOA; existing names without that type: NODATA', async () => {
  const r = await query('nope.web.svc.cluster.local', 'A');
  assert.equal(r?.rcode, 'NXDOMAIN');
  assert.equal(r?.authorities?.[0]?.type, 'SOA');
  const aaaa = await query('nginx.web.svc.cluster.local', 'AAAA');
  assert.equal(aaaa?.rcode, 'NOERROR');
  assert.equal(aaaa?.answers?.length, 0);
  assert.equal((await query('web.svc.cluster.local', 'A'))?.rcode, 'NOERROR');
  assert.equal((await query('www.example.test.web.svc.cluster.local', 'A'))?.rcode, 'NXDOMAIN');
  assert.ok(!upstreamSeen.some((n) => n.endsWith('cluster.local')), 'cluster names never go upstream');
});

test('other names go to the upstream; over TCP too', async () => {
  const r = await query('www.example.test', 'A');
  assert.deepEqual(data(r, 'A'), ['192.0.2.53']);
  assert.ok(upstreamSeen.includes('www.example.test'));
  const t = await queryTcp('nginx.web.svc.cluster.local', 'A');
  assert.deepEqual(data(t, 'A'), ['10.96.0.20']);
});

test('changes show up at once', async () => {
  await fake.create('services', { apiVersion: 'v1', kind: 'Service', metadata: { name: 'late', namespace: 'web' }, spec: { clusterIP: '10.96.0.21', ports: [{ port: 80 }] } });
  let got: string[] = [];
  for (let i = 0; i < 50 && got.length === 0; i++) {
    got = data(await query('late.web.svc.cluster.local', 'A'), 'A');
    if (!got.length) await new Promise((r) => setTimeout(r, 20));
  }
  assert.deepEqual(got, ['10.96.0.21']);
  await fake.delete('services', 'web', 'late');
  let rcode: string | undefined;
  for (let i = 0; i < 50 && rcode !== 'NXDOMAIN'; i++) {
    rcode = (await query('late.web.svc.cluster.local', 'A'))?.rcode;
    if (rcode !== 'NXDOMAIN') await new Promise((r) => setTimeout(r, 20));
  }
  assert.equal(rcode, 'NXDOMAIN');
});

test('malformed packets are dropped and the server keeps answering', async () => {
  for (const junk of [Buffer.from([1, 2, 3]), Buffer.alloc(0), Buffer.from('ffffffffffffffffffffffffffffffff', 'hex'), Buffer.concat([dnsPacket.encode({ type: 'query', id: 1, questions: [{ type: 'A', name: 'x' }] }).subarray(0, 15)])]) {
    assert.equal(await query('', 'A', dns.port, junk), undefined);
  }
  // Garbage on TCP closes only that connection.
  await new Promise<void>((resolve) => {
    const s = net.connect({ host: '127.0.0.1', port: dns.port }, () => s.write(Buffer.from([0, 4, 9, 9, 9, 9])));
    s.on('close', () => resolve());
    s.on('error', () => {});
  });
  assert.deepEqual(data(await query('nginx.web.svc.cluster.local', 'A'), 'A'), ['10.96.0.20']);
  const metrics = await (await fetch(`http://127.0.0.1:${dns.opsPort}/metrics`)).text();
  assert.match(metrics, /k8ts_dns_malformed_total\{component="dns"\} [4-9]/);
  assert.match(metrics, /k8ts_dns_queries_total\{type="A",rcode="NXDOMAIN",proto="udp",component="dns"\} [1-9]/);
});
