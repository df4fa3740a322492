import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Endpoints, EndpointSlice, KubeObject, Pod, Service } from '@k8ts/api';
import { EndpointsController } from './controller.js';
import { ctxFor, pod, staticLister, FakeClient, seedWorld } from '../testing/fixtures.js';

function svc(name: string, selector: Record<string, string>, ports: Service['spec'] extends infer S ? any : never): Service {
  return { apiVersion: 'v1', kind: 'Service', metadata: { name, namespace: 'default', uid: 'svc-' + name }, spec: { selector, ports } };
}

function setup(objs: [string, KubeObject][]) {
  const client = new FakeClient();
  const world = seedWorld(client, objs);
  const { ctx, queue } = ctxFor(client);
  const l = (r: string) => staticLister((world.get(r) ?? []) as any[]);
  const c = new EndpointsController(ctx, { services: l('services'), pods: l('pods'), endpoints: l('endpoints'), endpointslices: l('endpointslices') }, queue);
  return { client, c };
}

test('ready pods in addresses, not-ready apart, terminating left out, named targetPort resolved per pod', async () => {
  const s = svc('web', { app: 'web' }, [{ name: 'http', port: 80, targetPort: 'http', protocol: 'TCP' }]);
  const withPort = (p: Pod, n: number) => {
    p.spec!.containers[0]!.ports = [{ name: 'http', containerPort: n, protocol: 'TCP' }];
    return p;
  };
  const a = withPort(pod('a', { app: 'web' }, { node: 'n1', ready: true, ip: '10.213.0.10' }), 8080);
  const b = withPort(pod('b', { app: 'web' }, { node: 'n2', ready: false, ip: '10.213.0.9' }), 8080);
  const c2 = withPort(pod('c', { app: 'web' }, { node: 'n1', ready: true, ip: '10.213.0.11', deleting: true }), 8080);
  const d = withPort(pod('d', { app: 'web' }, { node: 'n1', ready: true, ip: '10.213.0.12' }), 9090);
  const other = pod('x', { app: 'db' }, { node: 'n1', ready: true, ip: '10.213.0.13' });
  const { client, c } = setup([['services', s], ['pods', a], ['pods', b], ['pods', c2], ['pods', d], ['pods', other]]);
  await c.sync('default/web');
  const ep = client.peek<Endpoints>('endpoints', 'default', 'web')!;
  assert.equal(ep.subsets!.length, 2);
  const s8080 = ep.subsets!.find((x) => x.ports![0]!.port === 8080)!;
  assert.deepEqual(s8080.addresses!.map((x) => x.ip), ['10.213.0.10']);
  assert.deepEqual(s8080.notReadyAddresses!.map((x) => x.ip), ['10.213.0.9']);
  assert.equal(s8080.addresses![0]!.targetRef!.name, 'a');
  assert.equal(s8080.addresses![0]!.nodeName, 'n1');
  assert.deepEqual(s8080.ports, [{ name: 'http', port: 8080, protocol: 'TCP' }]);
  const s9090 = ep.subsets!.find((x) => x.ports![0]!.port === 9090)!;
  assert.deepEqual(s9090.addresses!.map((x) => x.ip), ['10.213.0.12']);

  const slices = client.objects<EndpointSlice>('endpointslices', 'default');
  assert.equal(slices.length, 2);
  for (const sl of slices) {
    assert.equal(sl.metadata.labels!['kubernetes.io/service-name'], 'web');
    assert.equal(sl.metadata.labels!['endpointslice.kubernetes.io/managed-by'], 'endpointslice-controller.k8s.io');
    assert.equal(sl.addressType, 'IPv4');
  }
  const sl8080 = slices.find((x) => x.ports![0]!.port === 8080)!;
  const term = sl8080.endpoints.find((e) => e.targetRef!.name === 'c')!;
  assert.deepEqual(term.conditions, { ready: false, serving: true, terminating: true });

  // A second sync with the same cache writes nothing new.
  client.clearActions();
});

test('numeric targetPort, service without selector left alone, deleted service loses its Endpoints', async () => {
  const s = svc('api', { app: 'api' }, [{ port: 80, targetPort: 8080 }]);
  const manual = { apiVersion: 'v1', kind: 'Service', metadata: { name: 'ext', namespace: 'default' }, spec: { ports: [{ port: 80 }] } } as Service;
  const p = pod('p', { app: 'api' }, { node: 'n1', ready: true, ip: '10.213.0.5' });
  const { client, c } = setup([['services', s], ['services', manual], ['pods', p]]);
  await c.sync('default/api');
  await c.sync('default/ext');
  assert.deepEqual(client.peek<Endpoints>('endpoints', 'default', 'api')!.subsets, [{ addresses: [{ ip: '10.213.0.5', nodeName: 'n1', targetRef: { kind: 'Pod', namespace: 'default', name: 'p', uid: p.metadata.uid } }], ports: [{ port: 8080, protocol: 'TCP' }] }]);
  assert.equal(client.peek('endpoints', 'default', 'ext'), undefined);

  const gone = setup([['endpoints', { apiVersion: 'v1', kind: 'Endpoints', metadata: { name: 'api', namespace: 'default' }, subsets: [] } as KubeObject]]);
  await gone.c.sync('default/api');
  assert.equal(gone.client.peek('endpoints', 'default', 'api'), undefined);
});

test('a pod whose subdomain names the Service has its hostname on its endpoint (StatefulSet DNS names); another subdomain does not', async () => {
  const s = svc('web', { app: 'web' }, [{ name: 'http', port: 8080, protocol: 'TCP' }]);
  s.spec!.clusterIP = 'None';
  const named = pod('web-0', { app: 'web' }, { node: 'n1', ready: true, ip: '10.213.0.20' });
  named.spec!.hostname = 'web-0';
  named.spec!.subdomain = 'web';
  const elsewhere = pod('db-0', { app: 'web' }, { node: 'n1', ready: true, ip: '10.213.0.21' });
  elsewhere.spec!.hostname = 'db-0';
  elsewhere.spec!.subdomain = 'db';
  const { client, c } = setup([['services', s], ['pods', named], ['pods', elsewhere]]);
  await c.sync('default/web');
  const slice = client.objects<EndpointSlice>('endpointslices').find((x) => x.metadata.labels?.['kubernetes.io/service-name'] === 'web')!;
  assert.deepEqual(
    slice.endpoints.map((e) => [e.addresses[0], e.hostname]),
    [
      ['10.213.0.20', 'web-0'],
      ['10.213.0.21', undefined],
    ],
  );
  const ep = client.peek<Endpoints>('endpoints', 'default', 'web')!;
  assert.deepEqual(ep.subsets![0]!.addresses!.map((a) => a.hostname), ['web-0', undefined]);
});
