import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { findResource, type KubeObject } from '@k8ts/api';
import { ApiError } from '@k8ts/client';
import { EtcdRegistry } from '../registry/registry.js';
import { memoryStore } from '../storage/memory-kv.js';
import { CrdController } from './controller.js';

let registry: EtcdRegistry;
let controller: CrdController;

before(async () => {
  registry = new EtcdRegistry({ store: memoryStore().store });
  await registry.ensureSystemNamespaces();
  controller = new CrdController(registry, undefined, 20);
  await controller.start();
});
after(() => {
  controller.stop();
  registry.close();
});

const crd = (plural: string, kind: string, extra: Record<string, unknown> = {}): KubeObject => ({
  apiVersion: 'apiextensions.k8s.io/v1',
  kind: 'CustomResourceDefinition',
  metadata: { name: `${plural}.unit.k8ts.io` },
  spec: {
    group: 'unit.k8ts.io',
    scope: 'Namespaced',
    names: { plural, kind, ...extra },
    versions: [{ name: 'v1', served: true, storage: true, schema: { openAPIV3Schema: { type: 'object', properties: { spec: { type: 'object', properties: { n: { type: 'integer', default: 3 } } } } } } }],
  },
});

async function waitFor<T>(f: () => Promise<T | undefined | false>): Promise<T> {
  for (let i = 0; i < 200; i++) {
    const v = await f().catch(() => undefined);
    if (v) return v;
    await new Promise((r) => setTimeout(r, 10));
  }
  throw new Error('timed out');
}

/** The CRD once the controller has written its status and served what it serves. */
async function settled(name: string): Promise<KubeObject> {
  const c = await waitFor(async () => {
    const o = await registry.get('customresourcedefinitions', '', name);
    return o.status?.conditions?.length ? o : undefined;
  });
  await controller.idle();
  return c;
}

const code = (p: Promise<unknown>) => p.then(() => 0, (e) => (e instanceof ApiError ? e.code : -1));

test('a CRD is accepted, Established and served; a CR is defaulted, validated and stored under <plural>.<group>', async () => {
  await registry.create('customresourcedefinitions', '', crd('things', 'Thing'));
  const c = await settled('things.unit.k8ts.io');
  assert.deepEqual(c.metadata.finalizers, ['customresourcecleanup.apiextensions.k8s.io']);
  assert.deepEqual(c.status.conditions.map((x: any) => [x.type, x.status]), [['NamesAccepted', 'True'], ['Established', 'True']]);
  assert.equal(findResource('things.unit.k8ts.io')?.kind, 'Thing');
  const obj = await registry.create('things.unit.k8ts.io', 'default', { apiVersion: 'unit.k8ts.io/v1', kind: 'Thing', metadata: { name: 'a' }, spec: {} } as KubeObject);
  assert.equal(obj.spec.n, 3);
  assert.equal(await code(registry.create('things.unit.k8ts.io', 'default', { apiVersion: 'unit.k8ts.io/v1', kind: 'Thing', metadata: { name: 'b' }, spec: { n: 'x' } } as KubeObject)), 422);
});

test('a second CRD of the group with a taken kind is not accepted, and not served', async () => {
  await registry.create('customresourcedefinitions', '', crd('others', 'Thing', { singular: 'other' }));
  const c = await settled('others.unit.k8ts.io');
  assert.deepEqual(c.status.conditions.map((x: any) => [x.type, x.status, x.reason]), [['NamesAccepted', 'False', 'KindConflict'], ['Established', 'False', 'NotAccepted']]);
  assert.equal(findResource('others.unit.k8ts.io'), undefined);
  assert.equal(await code(registry.list('others.unit.k8ts.io', {})), 404);
});

test('deleting a CRD deletes its objects, then the CRD; its resource is no longer served', async () => {
  await registry.create('things.unit.k8ts.io', 'default', { apiVersion: 'unit.k8ts.io/v1', kind: 'Thing', metadata: { name: 'held', finalizers: ['unit/hold'] }, spec: {} } as KubeObject);
  await registry.delete('customresourcedefinitions', '', 'things.unit.k8ts.io');
  await waitFor(async () => (await registry.get('things.unit.k8ts.io', 'default', 'held')).metadata.deletionTimestamp);
  // While an object is held by its own finalizer the CRD waits, Terminating, and refuses creates.
  const c = await registry.get('customresourcedefinitions', '', 'things.unit.k8ts.io');
  assert.ok(c.status.conditions.some((x: any) => x.type === 'Terminating' && x.status === 'True'));
  assert.equal(await code(registry.create('things.unit.k8ts.io', 'default', { apiVersion: 'unit.k8ts.io/v1', kind: 'Thing', metadata: { name: 'late' }, spec: {} } as KubeObject)), 405);
  await registry.patch('things.unit.k8ts.io', 'default', 'held', 'application/merge-patch+json', '{"metadata":{"finalizers":null}}');
  await waitFor(async () => (await code(registry.get('customresourcedefinitions', '', 'things.unit.k8ts.io'))) === 404);
  // The registry answers 404 before the watch brings the deletion to the controller.
  await waitFor(async () => findResource('things.unit.k8ts.io') === undefined);
  assert.equal(await code(registry.get('things.unit.k8ts.io', 'default', 'a')), 404);
});
