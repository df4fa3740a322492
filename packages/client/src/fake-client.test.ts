import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { KubeObject, WatchEvent } from '@k8ts/api';
import { FakeClient as Base } from './fake-client.js';

// Typed as KubeObject throughout so the tests read fields freely.
class FakeClient extends Base {
  override create<T extends KubeObject = KubeObject>(resource: string, obj: KubeObject, opts?: Parameters<Base['create']>[2]): Promise<T> {
    return super.create<T>(resource, obj, opts);
  }
}
import { ApiError, isAlreadyExists, isConflict, isNotFound } from './types.js';

const pod = (name: string, extra: Partial<KubeObject> = {}): KubeObject => ({
  metadata: { name, namespace: 'default', labels: { app: 'web' } },
  spec: { containers: [{ name: 'c', image: 'busybox' }] },
  ...extra,
});

function collect(c: FakeClient, resource: string, opts: Parameters<FakeClient['watch']>[1]) {
  const events: WatchEvent[] = [];
  const h = c.watch(resource, opts, (e) => events.push(e));
  return { events, h };
}
const tick = () => new Promise((r) => setTimeout(r, 20));

test('create fills metadata, rv is a global counter, generateName works', async () => {
  const c = new FakeClient();
  const a = await c.create('pods', pod('a'));
  const cm = await c.create('configmaps', { metadata: { generateName: 'cfg-', namespace: 'kube-system' }, data: { x: '1' } });
  const n = await c.create('nodes', { metadata: { name: 'n1', namespace: 'ignored' } });
  assert.equal(a.metadata.resourceVersion, '1');
  assert.equal(cm.metadata.resourceVersion, '2');
  assert.equal(n.metadata.resourceVersion, '3');
  assert.match(a.metadata.uid!, /^[0-9a-f-]{36}$/);
  assert.match(a.metadata.creationTimestamp!, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
  assert.equal(a.apiVersion, 'v1');
  assert.equal(a.kind, 'Pod');
  assert.match(cm.metadata.name!, /^cfg-[a-z0-9]{5}$/);
  assert.equal(n.metadata.namespace, undefined);
  assert.equal((await c.get('pods', 'default', 'a')).metadata.uid, a.metadata.uid);
  assert.equal((await c.create('leases', { metadata: { name: 'l' } })).metadata.namespace, 'default');
});

test('404, 409 AlreadyExists and 409 Conflict carry a metav1.Status', async () => {
  const c = new FakeClient();
  await assert.rejects(c.get('pods', 'default', 'nope'), (e: unknown) => {
    assert.ok(isNotFound(e));
    const s = (e as ApiError).status;
    assert.equal(s.kind, 'Status');
    assert.equal(s.code, 404);
    assert.equal(s.message, 'pods "nope" not found');
    assert.deepEqual(s.details, { name: 'nope', group: undefined, kind: 'pods' });
    return true;
  });
  await c.create('deployments', { metadata: { name: 'd', namespace: 'default' }, spec: {} });
  await assert.rejects(c.create('deployments', { metadata: { name: 'd', namespace: 'default' } }), (e: unknown) => {
    assert.ok(isAlreadyExists(e));
    assert.equal((e as ApiError).message, 'deployments.apps "d" already exists');
    return true;
  });
  const p = await c.create('pods', pod('a'));
  const p2 = await c.update('pods', { ...p, metadata: { ...p.metadata, labels: { app: 'x' } } });
  assert.equal(p2.metadata.resourceVersion, String(Number(p.metadata.resourceVersion) + 1));
  await assert.rejects(c.update('pods', p), (e: unknown) => {
    assert.ok(isConflict(e));
    assert.match((e as ApiError).message, /Operation cannot be fulfilled on pods "a": the object has been modified/);
    return true;
  });
});

test('generation increments on spec changes only; status subresource writes only status', async () => {
  const c = new FakeClient();
  const d = await c.create('deployments', { metadata: { name: 'd', namespace: 'ns1' }, spec: { replicas: 1 } });
  assert.equal(d.metadata.generation, 1);
  const d2 = await c.update('deployments', { ...d, spec: { replicas: 2 }, status: { replicas: 9 } });
  assert.equal(d2.metadata.generation, 2);
  assert.equal(d2.status, undefined, 'main resource update ignores status');
  const d3 = await c.update('deployments', { ...d2, spec: { replicas: 5 }, status: { replicas: 2 } }, { subresource: 'status' });
  assert.equal(d3.spec.replicas, 2, 'status update ignores spec');
  assert.equal(d3.status.replicas, 2);
  assert.equal(d3.metadata.generation, 2);
  const d4 = await c.patch('deployments', 'ns1', 'd', 'application/merge-patch+json', { status: { readyReplicas: 1 } }, { subresource: 'status' });
  assert.deepEqual(d4.status, { replicas: 2, readyReplicas: 1 });
  // A no-op update keeps the resourceVersion.
  const d5 = await c.update('deployments', d4);
  assert.equal(d5.metadata.resourceVersion, d4.metadata.resourceVersion);
});

test('label and field selectors in list', async () => {
  const c = new FakeClient();
  await c.create('pods', pod('a'));
  await c.create('pods', pod('b', { metadata: { name: 'b', namespace: 'default', labels: { app: 'db', tier: 'x' } }, spec: { nodeName: 'n1' } }));
  await c.create('pods', pod('c', { metadata: { name: 'c', namespace: 'other' }, status: { phase: 'Running' } }));
  const names = async (o: Parameters<FakeClient['list']>[1]) => (await c.list('pods', o)).items.map((p) => p.metadata.name);
  assert.deepEqual((await names({})).sort(), ['a', 'b', 'c']);
  assert.deepEqual(await names({ namespace: 'default' }), ['a', 'b']);
  assert.deepEqual(await names({ labelSelector: 'app=web' }), ['a']);
  assert.deepEqual(await names({ labelSelector: 'app in (db,x),tier' }), ['b']);
  assert.deepEqual(await names({ labelSelector: '!tier' }), ['a', 'c']);
  assert.deepEqual(await names({ labelSelector: 'app!=web' }), ['b', 'c'], 'a missing label counts as not equal');
  assert.deepEqual(await names({ fieldSelector: 'spec.nodeName=n1' }), ['b']);
  assert.deepEqual(await names({ fieldSelector: 'spec.nodeName=' }), ['a', 'c']);
  assert.deepEqual(await names({ fieldSelector: 'status.phase!=Running,metadata.namespace=default' }), ['a', 'b']);
  assert.deepEqual(await names({ fieldSelector: 'metadata.name=c' }), ['c']);
  const l = await c.list('pods', { limit: 2 });
  assert.equal(l.items.length, 2);
  assert.ok(l.metadata.continue);
  const l2 = await c.list('pods', { limit: 2, continue: l.metadata.continue });
  assert.deepEqual(l2.items.map((p) => p.metadata.name), ['c']);
  assert.equal(l.metadata.resourceVersion, '3');
  assert.equal(l.kind, 'PodList');
});

test('watch: replay from "0", resume from a resourceVersion, selectors, 410 after compact', async () => {
  const c = new FakeClient();
  await c.create('pods', pod('a'));
  const { events, h } = collect(c, 'pods', { resourceVersion: '0', labelSelector: 'app=web' });
  const b = await c.create('pods', pod('b'));
  await c.patch('pods', 'default', 'b', 'application/merge-patch+json', { metadata: { labels: { app: 'db' } } });
  await c.create('configmaps', { metadata: { name: 'x', namespace: 'default' } });
  await c.delete('pods', 'default', 'a');
  await tick();
  assert.deepEqual(
    events.map((e) => `${e.type} ${e.object.metadata.name}`),
    ['ADDED a', 'ADDED b', 'DELETED b', 'DELETED a'],
  );
  h.stop();
  await h.done;
  assert.equal(c.watcherCount, 0);

  const resumed = collect(c, 'pods', { resourceVersion: b.metadata.resourceVersion });
  await tick();
  assert.deepEqual(resumed.events.map((e) => `${e.type} ${e.object.metadata.name}`), ['MODIFIED b', 'DELETED a']);
  resumed.h.stop();

  c.compact();
  const old = collect(c, 'pods', { resourceVersion: b.metadata.resourceVersion });
  await old.h.done;
  assert.equal(old.events.length, 1);
  assert.equal(old.events[0]!.type, 'ERROR');
  assert.equal((old.events[0]!.object as any).code, 410);
  assert.equal((old.events[0]!.object as any).reason, 'Expired');

  const live = collect(c, 'pods', { resourceVersion: c.resourceVersion, fieldSelector: 'spec.nodeName=n1' });
  await c.create('pods', pod('z'));
  await c.createSubresource('pods', 'default', 'z', 'binding', { metadata: { name: 'z' }, target: { kind: 'Node', name: 'n1' } } as any);
  await tick();
  assert.deepEqual(live.events.map((e) => `${e.type} ${e.object.metadata.name}`), ['ADDED z']);
  c.breakWatches();
  await live.h.done;
});

test('binding sets nodeName once; eviction deletes', async () => {
  const c = new FakeClient();
  await c.create('pods', pod('a'));
  const st = await c.createSubresource('pods', 'default', 'a', 'binding', { apiVersion: 'v1', kind: 'Binding', metadata: { name: 'a' }, target: { kind: 'Node', name: 'n1' } } as any);
  assert.equal((st as any).status, 'Success');
  const p = await c.get('pods', 'default', 'a');
  assert.equal(p.spec.nodeName, 'n1');
  assert.equal(p.status.conditions[0].type, 'PodScheduled');
  await assert.rejects(c.createSubresource('pods', 'default', 'a', 'binding', { metadata: { name: 'a' }, target: { name: 'n2' } } as any), isConflict);
  await c.createSubresource('pods', 'default', 'a', 'eviction', { apiVersion: 'policy/v1', kind: 'Eviction', metadata: { name: 'a', namespace: 'default' } });
  await assert.rejects(c.get('pods', 'default', 'a'), isNotFound);
  assert.deepEqual(c.actions.map((a) => `${a.verb}${a.subresource ? '/' + a.subresource : ''}`), ['create', 'create/binding', 'get', 'create/binding', 'create/eviction', 'get']);
});

test('delete with finalizers sets deletionTimestamp; removing the last finalizer deletes', async () => {
  const c = new FakeClient();
  const events: WatchEvent[] = [];
  const w = c.watch('configmaps', {}, (e) => events.push(e));
  await c.create('configmaps', { metadata: { name: 'f', namespace: 'default', finalizers: ['a/b', 'c/d'] } });
  const marked = await c.delete('configmaps', 'default', 'f');
  assert.ok(marked.metadata.deletionTimestamp);
  const cur = await c.get('configmaps', 'default', 'f');
  assert.ok(cur.metadata.deletionTimestamp);
  await c.patch('configmaps', 'default', 'f', 'application/json-patch+json', [{ op: 'remove', path: '/metadata/finalizers/0' }]);
  await c.get('configmaps', 'default', 'f');
  const last = await c.get('configmaps', 'default', 'f');
  await c.update('configmaps', { ...last, metadata: { ...last.metadata, finalizers: [] } });
  await assert.rejects(c.get('configmaps', 'default', 'f'), isNotFound);
  await tick();
  assert.deepEqual(events.map((e) => e.type), ['ADDED', 'MODIFIED', 'MODIFIED', 'DELETED']);
  w.stop();
  await c.create('configmaps', { metadata: { name: 'g', namespace: 'default' } });
  await assert.rejects(c.delete('configmaps', 'default', 'g', { preconditions: { uid: 'other' } }), isConflict);
});

test('merge and strategic patches', async () => {
  const c = new FakeClient();
  await c.create('pods', {
    metadata: { name: 'p', namespace: 'default', labels: { a: '1', b: '2' } },
    spec: { containers: [{ name: 'x', image: 'i1', env: [{ name: 'A', value: '1' }] }, { name: 'y', image: 'i2' }] },
  });
  const m = await c.patch('pods', 'default', 'p', 'application/merge-patch+json', { metadata: { labels: { a: null, c: '3' } } });
  assert.deepEqual(m.metadata.labels, { b: '2', c: '3' });
  const s = await c.patch('pods', 'default', 'p', 'application/strategic-merge-patch+json', {
    spec: { containers: [{ name: 'y', image: 'i3' }] },
  });
  assert.deepEqual(s.spec.containers.map((x: any) => `${x.name}:${x.image}`), ['x:i1', 'y:i3']);
  const mp = await c.patch('pods', 'default', 'p', 'application/merge-patch+json', JSON.stringify({ spec: { containers: [{ name: 'z', image: 'i' }] } }));
  assert.deepEqual(mp.spec.containers.map((x: any) => x.name), ['z'], 'merge patch replaces lists');
  await assert.rejects(c.patch('pods', 'default', 'p', 'application/merge-patch+json', { metadata: { resourceVersion: '1' } }), isConflict);
  await assert.rejects(c.patch('pods', 'default', 'p', 'application/merge-patch+json', '{bad'), (e: unknown) => (e as ApiError).code === 400);
});

test('reactors can fail or answer calls, actions are recorded', async () => {
  const c = new FakeClient([['nodes', { metadata: { name: 'n1' } }]]);
  assert.equal(c.actions.length, 0);
  let fail = true;
  c.prependReactor('update', 'nodes', () => {
    if (fail) {
      fail = false;
      throw new Error('boom');
    }
    return undefined;
  });
  const n = await c.get('nodes', '', 'n1');
  await assert.rejects(c.update('nodes', n), /boom/);
  await c.update('nodes', { ...n, spec: { unschedulable: true } });
  assert.equal(c.actionsOf('update', 'nodes').length, 2);
  assert.equal(c.peek('nodes', '', 'n1')!.spec.unschedulable, true);
});
