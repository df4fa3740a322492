import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { KubeObject, Namespace } from '@k8ts/api';
import { FakeClient } from '@k8ts/client/testing';
import { staticLister } from '../framework/types.js';
import { ctxFor } from '../testing/fixtures.js';
import { ServiceAccountsController } from './controller.js';
import { RootCAPublisher, ROOT_CA_CONFIGMAP } from './root-ca-publisher.js';

const ns = (name: string, terminating = false): Namespace =>
  ({ apiVersion: 'v1', kind: 'Namespace', metadata: { name, ...(terminating ? { deletionTimestamp: '2024-01-01T00:00:00Z' } : {}) }, status: { phase: terminating ? 'Terminating' : 'Active' } }) as Namespace;

test('serviceaccount controller: creates default in active namespaces only, again after a delete', async () => {
  const client = new FakeClient();
  const { ctx, queue } = ctxFor(client);
  const sas = staticLister<KubeObject>([]);
  const c = new ServiceAccountsController(ctx, { namespaces: staticLister([ns('a'), ns('gone', true)]), serviceaccounts: sas }, queue);
  await c.sync('a');
  await c.sync('gone');
  await c.sync('missing');
  const made = (await client.list('serviceaccounts')).items;
  assert.deepEqual(made.map((s) => `${s.metadata.namespace}/${s.metadata.name}`), ['a/default']);
  // The cache lags: a second create answers AlreadyExists and the sync still succeeds.
  await c.sync('a');
  sas.set(made);
  await c.sync('a');
  c.deleteServiceAccount(made[0]);
  assert.deepEqual(queue.added, ['a']);
  await client.delete('serviceaccounts', 'a', 'default');
  sas.set([]);
  await c.sync('a');
  assert.equal((await client.list('serviceaccounts')).items.length, 1);
});

test('root CA publisher: writes kube-root-ca.crt and puts an edited one back', async () => {
  const client = new FakeClient();
  const { ctx, queue } = ctxFor(client);
  const cms = staticLister<KubeObject>([]);
  const pem = '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n';
  const c = new RootCAPublisher(ctx, { namespaces: staticLister([ns('a'), ns('t', true)]), configmaps: cms }, queue, pem);
  await c.sync('a');
  await c.sync('t');
  let items = (await client.list('configmaps')).items;
  assert.deepEqual(items.map((s) => `${s.metadata.namespace}/${s.metadata.name}`), [`a/${ROOT_CA_CONFIGMAP}`]);
  assert.equal((items[0].data as Record<string, string>)['ca.crt'], pem);
  const edited = { ...items[0], data: { 'ca.crt': 'forged' } };
  await client.update('configmaps', edited);
  cms.set([(await client.get('configmaps', 'a', ROOT_CA_CONFIGMAP))]);
  await c.sync('a');
  items = (await client.list('configmaps')).items;
  assert.equal((items[0].data as Record<string, string>)['ca.crt'], pem);
  // Without a CA file nothing is published.
  const none = new RootCAPublisher(ctx, { namespaces: staticLister([ns('b')]), configmaps: staticLister([]) }, queue, undefined);
  await none.sync('b');
  assert.equal((await client.list('configmaps', { namespace: 'b' })).items.length, 0);
});
