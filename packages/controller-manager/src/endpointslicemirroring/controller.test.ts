import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Endpoints, EndpointSlice, KubeObject, Service } from '@k8ts/api';
import type { Lister } from '../framework/types.js';
import { ctxFor, FakeClient } from '../testing/fixtures.js';
import { EndpointSliceMirroringController, MirroringManagedBy } from './controller.js';

const svc = (name: string, selector?: Record<string, string>): Service => ({
  apiVersion: 'v1',
  kind: 'Service',
  metadata: { name, namespace: 'default', uid: 'svc-' + name },
  spec: { clusterIP: 'None', ports: [{ name: 'http', port: 80 }], ...(selector ? { selector } : {}) },
});

const endpoints = (name: string, subsets: Endpoints['subsets'], labels: Record<string, string> = {}): Endpoints => ({
  apiVersion: 'v1',
  kind: 'Endpoints',
  metadata: { name, namespace: 'default', uid: 'ep-' + name, labels, annotations: { note: 'kept', 'kubectl.kubernetes.io/last-applied-configuration': '{}' } },
  subsets,
});

/** Listers that read the fake client's store, so each sync sees the last one's writes. */
function live<T extends KubeObject>(client: FakeClient, resource: string): Lister<T> {
  return {
    get: (ns, name) => client.peek<T>(resource, ns, name),
    list: (ns) => client.objects<T>(resource, ns),
  };
}

function setup(objs: [string, KubeObject][]) {
  const client = new FakeClient(objs);
  const { ctx, queue } = ctxFor(client);
  const c = new EndpointSliceMirroringController(ctx, { services: live(client, 'services'), endpoints: live(client, 'endpoints'), endpointslices: live(client, 'endpointslices') }, queue);
  const slices = () => client.objects<EndpointSlice>('endpointslices', 'default');
  return { client, c, queue, slices };
}

const port = { name: 'http', port: 8080, protocol: 'TCP' as const };

test('hand-written Endpoints of a selector-less Service are mirrored: labels, owner, ready and not-ready, hostname, nodeName, targetRef', async () => {
  const ep = endpoints(
    'ext',
    [
      {
        addresses: [{ ip: '10.0.0.2', hostname: 'db-0', nodeName: 'n1', targetRef: { kind: 'Pod', namespace: 'default', name: 'db-0', uid: 'p1' } }],
        notReadyAddresses: [{ ip: '10.0.0.3' }],
        ports: [port],
      },
    ],
    { team: 'a' },
  );
  const { client, c, slices } = setup([['services', svc('ext')], ['endpoints', ep]]);
  await c.sync('default/ext');
  const uid = client.peek<Endpoints>('endpoints', 'default', 'ext')!.metadata.uid!;
  const all = slices();
  assert.equal(all.length, 1);
  const s = all[0]!;
  assert.deepEqual(s.metadata.labels, { team: 'a', 'kubernetes.io/service-name': 'ext', 'endpointslice.kubernetes.io/managed-by': MirroringManagedBy });
  assert.deepEqual(s.metadata.annotations, { note: 'kept' });
  assert.deepEqual(s.metadata.ownerReferences, [{ apiVersion: 'v1', kind: 'Endpoints', name: 'ext', uid, controller: true, blockOwnerDeletion: true }]);
  assert.equal(s.addressType, 'IPv4');
  assert.deepEqual(s.ports, [{ name: 'http', port: 8080, protocol: 'TCP' }]);
  assert.deepEqual(s.endpoints, [
    { addresses: ['10.0.0.2'], conditions: { ready: true }, hostname: 'db-0', nodeName: 'n1', targetRef: { kind: 'Pod', namespace: 'default', name: 'db-0', uid: 'p1' } },
    { addresses: ['10.0.0.3'], conditions: { ready: false } },
  ]);
});

test('one slice per address family and port set; a change of addresses and ports updates them, a second sync writes nothing', async () => {
  const ep = endpoints('ext', [
    { addresses: [{ ip: '10.0.0.2' }, { ip: 'fd00::2' }, { ip: 'not-an-ip' }], ports: [port] },
    { addresses: [{ ip: '10.0.0.9' }], ports: [{ name: 'metrics', port: 9090, protocol: 'TCP' }] },
  ]);
  const { client, c, slices } = setup([['services', svc('ext')], ['endpoints', ep]]);
  await c.sync('default/ext');
  assert.deepEqual(slices().map((s) => `${s.addressType} ${s.ports![0]!.port} ${s.endpoints.map((e) => e.addresses[0]).join(',')}`).sort(), ['IPv4 8080 10.0.0.2', 'IPv4 9090 10.0.0.9', 'IPv6 8080 fd00::2']);

  client.clearActions();
  await c.sync('default/ext');
  assert.equal(client.actionsOf('update').length + client.actionsOf('create').length + client.actionsOf('delete').length, 0);

  const next = client.peek<Endpoints>('endpoints', 'default', 'ext')!;
  next.subsets = [{ addresses: [{ ip: '10.0.0.2' }], notReadyAddresses: [{ ip: '10.0.0.4' }], ports: [port] }, { addresses: [{ ip: '10.0.0.9' }], ports: [{ name: 'metrics', port: 9191, protocol: 'TCP' }] }];
  await client.update('endpoints', next);
  await c.sync('default/ext');
  assert.deepEqual(
    slices().map((s) => `${s.addressType} ${s.ports![0]!.port} ${s.endpoints.map((e) => `${e.addresses[0]}=${e.conditions?.ready}`).join(',')}`).sort(),
    ['IPv4 8080 10.0.0.2=true,10.0.0.4=false', 'IPv4 9191 10.0.0.9=true'],
  );
});

test('mirrored slices are removed when the Endpoints go, the Service goes, or the Service gains a selector', async () => {
  const subsets = [{ addresses: [{ ip: '10.0.0.2' }], ports: [port] }];
  for (const change of ['endpoints deleted', 'service deleted', 'selector added'] as const) {
    const { client, c, slices } = setup([['services', svc('ext')], ['endpoints', endpoints('ext', subsets)]]);
    // Someone else's slice for the same Service stays.
    client.seed('endpointslices', { apiVersion: 'discovery.k8s.io/v1', kind: 'EndpointSlice', metadata: { name: 'ext-own', namespace: 'default', labels: { 'kubernetes.io/service-name': 'ext' } }, addressType: 'IPv4', endpoints: [] } as KubeObject);
    await c.sync('default/ext');
    assert.equal(slices().length, 2, change);
    if (change === 'endpoints deleted') await client.delete('endpoints', 'default', 'ext');
    if (change === 'service deleted') await client.delete('services', 'default', 'ext');
    if (change === 'selector added') {
      const s = client.peek<Service>('services', 'default', 'ext')!;
      await client.update('services', { ...s, spec: { ...s.spec, selector: { app: 'ext' } } });
    }
    await c.sync('default/ext');
    assert.deepEqual(slices().map((s) => s.metadata.name), ['ext-own'], change);
  }
});

test('skip-mirror honoured; Endpoints of a selector Service left alone', async () => {
  const subsets = [{ addresses: [{ ip: '10.0.0.2' }], ports: [port] }];
  const { c, slices } = setup([
    ['services', svc('skip')],
    ['endpoints', endpoints('skip', subsets, { 'endpointslice.kubernetes.io/skip-mirror': 'true' })],
    ['services', svc('web', { app: 'web' })],
    ['endpoints', endpoints('web', subsets)],
    ['endpoints', endpoints('orphan', subsets)],
  ]);
  await c.sync('default/skip');
  await c.sync('default/web');
  await c.sync('default/orphan');
  assert.deepEqual(slices(), []);
});

test('slice events enqueue only the slices this controller manages', () => {
  const { c, queue } = setup([]);
  const slice = (managedBy: string) => ({ metadata: { name: 'x', namespace: 'default', labels: { 'kubernetes.io/service-name': 'ext', 'endpointslice.kubernetes.io/managed-by': managedBy } } }) as unknown as EndpointSlice;
  c.onSlice(slice('endpointslice-controller.k8s.io'));
  assert.deepEqual(queue.added, []);
  c.onSlice(slice(MirroringManagedBy));
  c.updateSlice(slice(MirroringManagedBy), slice('someone-else'));
  assert.deepEqual(queue.added, ['default/ext', 'default/ext']);
});
