import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { KubeObject, Node } from '@k8ts/api';
import type { Lister } from '../framework/types.js';
import { ctxFor, FakeClient } from '../testing/fixtures.js';
import { NodeIpamController, newCidrSet } from './controller.js';

const node = (name: string, podCIDR?: string): Node => ({
  apiVersion: 'v1',
  kind: 'Node',
  metadata: { name, uid: 'uid-' + name },
  spec: podCIDR ? { podCIDR, podCIDRs: [podCIDR] } : {},
});

function live<T extends KubeObject>(client: FakeClient, resource: string): Lister<T> {
  return { get: (_ns, name) => client.peek<T>(resource, '', name), list: () => client.objects<T>(resource) };
}

function setup(nodes: Node[], clusterCidr = '10.244.0.0/22', serviceCidr?: string) {
  const client = new FakeClient(nodes.map((n) => ['nodes', n] as [string, KubeObject]));
  const { ctx, queue, recorder } = ctxFor(client);
  const c = new NodeIpamController(ctx, { nodes: live(client, 'nodes') }, queue, newCidrSet({ allocateNodeCidrs: true, clusterCidr, nodeCidrMaskSize: 24 }), serviceCidr);
  c.start();
  const cidrOf = (name: string) => client.peek<Node>('nodes', '', name)?.spec;
  return { client, c, queue, recorder, cidrOf };
}

test('each new Node gets its own range in spec.podCIDR and podCIDRs, once', async () => {
  const { client, c, cidrOf } = setup([node('a'), node('b')]);
  await c.sync('a');
  await c.sync('b');
  assert.deepEqual(cidrOf('a'), { podCIDR: '10.244.0.0/24', podCIDRs: ['10.244.0.0/24'] });
  assert.deepEqual(cidrOf('b'), { podCIDR: '10.244.1.0/24', podCIDRs: ['10.244.1.0/24'] });
  client.clearActions();
  await c.sync('a');
  assert.equal(client.actionsOf('patch').length, 0, 'a node with a range is never patched again');
});

test('ranges already on Nodes at start are taken; a deleted Node gives its range back', async () => {
  const { client, c, cidrOf } = setup([node('a', '10.244.0.0/24'), node('b', '10.244.2.0/24'), node('c')]);
  await c.sync('c');
  assert.equal(cidrOf('c')!.podCIDR, '10.244.1.0/24');
  await client.create('nodes', node('d'));
  await c.sync('d');
  assert.equal(cidrOf('d')!.podCIDR, '10.244.3.0/24');
  await client.create('nodes', node('full'));
  await assert.rejects(c.sync('full'), /no remaining CIDRs left/);
  const b = client.peek<Node>('nodes', '', 'b')!;
  await client.delete('nodes', '', 'b');
  c.deleteNode(b);
  await c.sync('full');
  assert.equal(cidrOf('full')!.podCIDR, '10.244.2.0/24');
});

test('an exhausted range: CIDRNotAvailable on the Node, an error so the key is retried, nothing written', async () => {
  const { client, c, recorder } = setup([node('a'), node('b')], '10.244.0.0/24');
  await c.sync('a');
  client.clearActions();
  await assert.rejects(c.sync('b'), /no remaining CIDRs left/);
  assert.equal(client.actionsOf('patch').length, 0);
  assert.deepEqual(recorder.events, [{ kind: 'Node', name: 'b', type: 'Warning', reason: 'CIDRNotAvailable', message: 'Node b status is now: CIDRNotAvailable' }]);
});

test('a Node created with a podCIDR keeps it: an overlapping one is taken as is, one out of range is an error retried', async () => {
  const { client, c, cidrOf } = setup([node('a')]);
  await c.sync('a');
  await client.create('nodes', node('twin', '10.244.0.0/24'));
  await c.sync('twin');
  assert.equal(cidrOf('twin')!.podCIDR, '10.244.0.0/24', 'the overlapping range is not changed');
  await client.create('nodes', node('far', '192.168.7.0/24'));
  await assert.rejects(c.sync('far'), /cidr 192\.168\.7\.0\/24 is out the range of cluster cidr 10\.244\.0\.0\/22/);
  assert.equal(cidrOf('far')!.podCIDR, '192.168.7.0/24');
  await client.create('nodes', node('next'));
  await c.sync('next');
  assert.equal(cidrOf('next')!.podCIDR, '10.244.1.0/24');
});

test('a Node set meanwhile keeps its range and the one reserved for it goes back', async () => {
  const { client, c, cidrOf } = setup([node('a')]);
  // The cache still shows no range, the API already has one.
  const stale = client.peek<Node>('nodes', '', 'a')!;
  await client.patch('nodes', '', 'a', 'application/merge-patch+json', { spec: { podCIDR: '10.244.3.0/24', podCIDRs: ['10.244.3.0/24'] } });
  const c2 = new NodeIpamController((c as any).ctx, { nodes: { get: () => stale, list: () => [stale] } }, (c as any).queue, (c as any).cidrs);
  await c2.sync('a');
  assert.equal(cidrOf('a')!.podCIDR, '10.244.3.0/24');
  assert.equal((c as any).cidrs.allocatedCount, 1, 'the range reserved for a was released, the one it has is taken');
  await client.create('nodes', node('b'));
  await c.sync('b');
  assert.equal(cidrOf('b')!.podCIDR, '10.244.1.0/24');
});

test('node ranges overlapping the service range are never handed out; missing --cluster-cidr is refused', async () => {
  const { c, cidrOf } = setup([node('a')], '10.244.0.0/22', '10.244.0.0/23');
  await c.sync('a');
  assert.equal(cidrOf('a')!.podCIDR, '10.244.2.0/24');
  assert.throws(() => newCidrSet({ allocateNodeCidrs: true, nodeCidrMaskSize: 24 }), { message: 'Controller: Must specify --cluster-cidr if --allocate-node-cidrs is set' });
});

test('a Node whose range overlaps one an earlier Node holds: NetworkUnavailable True with the holder named, an event; once the holder is gone, False', async () => {
  const { client, c, recorder, queue } = setup([node('a')]);
  await c.sync('a');
  await client.create('nodes', node('twin', '10.244.0.0/24'));
  c.onNode(client.peek<Node>('nodes', '', 'twin'));
  await c.sync('twin');
  const cond = () => client.peek<Node>('nodes', '', 'twin')!.status?.conditions?.find((x) => x.type === 'NetworkUnavailable');
  assert.equal(cond()?.status, 'True');
  assert.equal(cond()?.reason, 'NoRouteCreated');
  assert.equal(cond()?.message, "podCIDR 10.244.0.0/24 overlaps 10.244.0.0/24, which node a holds: no route is made to this node's pods");
  assert.deepEqual(recorder.events.map((e) => [e.name, e.type, e.reason]), [['twin', 'Warning', 'PodCIDROverlap']]);
  assert.equal(client.peek<Node>('nodes', '', 'a')!.status?.conditions, undefined, 'the holder is not written to');
  // Synced again with nothing changed: nothing written, no second event.
  client.clearActions();
  await c.sync('twin');
  await c.sync('a');
  assert.equal(client.actionsOf('update').length, 0);
  assert.equal(recorder.events.length, 1);
  // The holder goes (after another Node came, so nothing computed before is reused): twin is
  // queued again, and holds the range now.
  await client.create('nodes', node('later'));
  c.onNode(client.peek<Node>('nodes', '', 'later'));
  const a = client.peek<Node>('nodes', '', 'a')!;
  await client.delete('nodes', '', 'a');
  const queued: string[] = [];
  const add = queue.add.bind(queue);
  queue.add = (k: string) => void (queued.push(k), add(k));
  c.deleteNode(a);
  assert.ok(queued.includes('twin'), `twin queued again: ${queued}`);
  await c.sync('twin');
  assert.equal(cond()?.status, 'False');
  assert.equal(cond()?.reason, 'RouteCreated');
  assert.deepEqual(recorder.events.at(-1)!.reason, 'RouteCreated');
});

test("another network's NetworkUnavailable condition is left as it is", async () => {
  const other = { ...node('b', '10.244.1.0/24'), status: { conditions: [{ type: 'NetworkUnavailable', status: 'True', reason: 'CalicoIsDown', message: 'x' }] } } as Node;
  const { client, c } = setup([other]);
  client.clearActions();
  await c.sync('b');
  assert.equal(client.actionsOf('update').length, 0);
});
