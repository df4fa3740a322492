import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { KubeObject, Lease, Node, Pod } from '@k8ts/api';
import { NodeLifecycleController, computeZoneState } from './controller.js';
import { AgentDisconnectedAtAnnotation, tolerationMs } from '@k8ts/api';
import { ctxFor, pod, staticLister, FakeClient, seedWorld } from '../testing/fixtures.js';

const T0 = Date.parse('2024-01-01T00:00:00Z');

function node(name: string): Node {
  return {
    apiVersion: 'v1',
    kind: 'Node',
    metadata: { name },
    status: { conditions: [{ type: 'Ready', status: 'True', reason: 'KubeletReady', lastHeartbeatTime: '2024-01-01T00:00:00Z', lastTransitionTime: '2024-01-01T00:00:00Z' }] },
  };
}
function lease(name: string, renew: string): Lease {
  return { apiVersion: 'coordination.k8s.io/v1', kind: 'Lease', metadata: { name, namespace: 'kube-node-lease' }, spec: { holderIdentity: name, leaseDurationSeconds: 4, renewTime: renew } };
}

function setup(objs: [string, KubeObject][]) {
  let now = T0;
  const client = new FakeClient();
  const world = seedWorld(client, objs);
  const { ctx, recorder, queue } = ctxFor(client, () => now);
  const nodes = staticLister((world.get('nodes') ?? []) as Node[]);
  const leases = staticLister((world.get('leases') ?? []) as Lease[]);
  const pods = staticLister((world.get('pods') ?? []) as Pod[]);
  const c = new NodeLifecycleController(ctx, { nodes, leases, pods }, queue);
  const refresh = () => {
    nodes.set(client.objects<Node>('nodes'));
    pods.set(client.objects<Pod>('pods'));
    leases.set(client.objects<Lease>('leases'));
  };
  return { client, recorder, c, nodes, leases, pods, refresh, advance: (ms: number) => (now += ms), now: () => now };
}

test('a node whose lease stops moving becomes Unknown and unreachable-tainted; its pods go not-ready; a fresh lease removes the taint', async (t) => {
  const p = pod('web-1', { app: 'web' }, { node: 'n1', ready: true, ip: '10.213.0.2' });
  const w = setup([['nodes', node('n1')], ['nodes', node('n2')], ['nodes', node('n3')], ['leases', lease('n1', '2024-01-01T00:00:00.000000Z')], ['leases', lease('n2', '2024-01-01T00:00:00.000000Z')], ['pods', p]]);
  t.after(() => w.c.stop());
  await w.c.monitor();
  w.advance(3000);
  // n2 and n3 keep renewing; n1 does not.
  await w.client.update('leases', { ...w.client.peek<Lease>('leases', 'kube-node-lease', 'n2')!, spec: { renewTime: '2024-01-01T00:00:03.000000Z' } });
  w.refresh();
  await w.c.monitor();
  assert.equal(w.client.peek<Node>('nodes', '', 'n1')!.spec?.taints, undefined);
  w.advance(1500);
  await w.client.update('leases', { ...w.client.peek<Lease>('leases', 'kube-node-lease', 'n2')!, spec: { renewTime: '2024-01-01T00:00:04.500000Z' } });
  w.refresh();
  await w.c.monitor();
  const n1 = w.client.peek<Node>('nodes', '', 'n1')!;
  const ready = n1.status!.conditions!.find((c) => c.type === 'Ready')!;
  assert.equal(ready.status, 'Unknown');
  assert.equal(ready.reason, 'NodeStatusUnknown');
  assert.equal(ready.message, 'Kubelet stopped posting node status.');
  assert.deepEqual(
    n1.spec!.taints!.map((x) => `${x.key}:${x.effect}`),
    ['node.kubernetes.io/unreachable:NoExecute', 'node.kubernetes.io/unreachable:NoSchedule'],
  );
  assert.equal(w.client.peek<Node>('nodes', '', 'n2')!.spec?.taints, undefined);
  assert.ok(w.recorder.events.some((e) => e.reason === 'NodeNotReady' && e.name === 'n1'));
  const pr = w.client.peek<Pod>('pods', 'default', 'web-1')!.status!.conditions!.find((c) => c.type === 'Ready')!;
  assert.equal(pr.status, 'False');

  // The agent comes back: the lease moves again, the taints go.
  await w.client.update('leases', { ...w.client.peek<Lease>('leases', 'kube-node-lease', 'n1')!, spec: { renewTime: '2024-01-01T00:00:05.000000Z' } });
  w.refresh();
  await w.c.monitor();
  assert.equal(w.client.peek<Node>('nodes', '', 'n1')!.spec?.taints, undefined);
});

test("a node whose agent's stream ended after its last renewal is Unknown after the disconnect grace, long before its lease ages out; a reconnect that renews, or a mark older than the last renewal, is not", async (t) => {
  const mark = (name: string, at: string, renew: string) =>
    w.client.update('leases', { ...w.client.peek<Lease>('leases', 'kube-node-lease', name)!, metadata: { ...w.client.peek<Lease>('leases', 'kube-node-lease', name)!.metadata, annotations: { [AgentDisconnectedAtAnnotation]: at } }, spec: { renewTime: renew } });
  const nodes = ['n1', 'n2', 'n3', 'n4'];
  const w = setup([...nodes.map((n) => ['nodes', node(n)] as [string, KubeObject]), ...nodes.map((n) => ['leases', lease(n, '2024-01-01T00:00:00.000000Z')] as [string, KubeObject])]);
  t.after(() => w.c.stop());
  await w.c.monitor();
  // n1: killed (stream gone at 0.2 s, no renewal since). n2: its stream broke, it reconnected and
  // renewed at 0.5 s. n3: marked long ago, renewed since. n4: renews as usual.
  await mark('n1', '2024-01-01T00:00:00.200000Z', '2024-01-01T00:00:00.000000Z');
  await mark('n2', '2024-01-01T00:00:00.200000Z', '2024-01-01T00:00:00.000000Z');
  await mark('n3', '2023-12-31T23:00:00.000000Z', '2024-01-01T00:00:00.000000Z');
  w.refresh();
  w.advance(250);
  await w.c.monitor();
  await mark('n2', '2024-01-01T00:00:00.200000Z', '2024-01-01T00:00:00.500000Z');
  w.refresh();
  w.advance(500);
  await w.c.monitor();
  const status = (n: string) => w.client.peek<Node>('nodes', '', n)!.status!.conditions!.find((c) => c.type === 'Ready')!.status;
  assert.deepEqual(nodes.map(status), ['True', 'True', 'True', 'True'], 'within the grace');
  w.advance(600); // 1.1 s after the mark was seen, 1.35 s after the last renewal: the lease is far from its 4 s
  await w.c.monitor();
  assert.deepEqual(nodes.map(status), ['Unknown', 'True', 'True', 'True']);
  assert.deepEqual(
    w.client.peek<Node>('nodes', '', 'n1')!.spec!.taints!.map((x) => `${x.key}:${x.effect}`),
    ['node.kubernetes.io/unreachable:NoExecute', 'node.kubernetes.io/unreachable:NoSchedule'],
  );
  // The agent comes back and renews: the mark is older than the renewal now.
  await mark('n1', '2024-01-01T00:00:00.200000Z', '2024-01-01T00:00:01.400000Z');
  w.refresh();
  await w.c.monitor();
  assert.equal(w.client.peek<Node>('nodes', '', 'n1')!.spec?.taints, undefined);
});

test('with the disconnect grace at 0 only the lease age counts', async (t) => {
  const w = setup([['nodes', node('n1')], ['nodes', node('n2')], ['leases', lease('n1', '2024-01-01T00:00:00.000000Z')]]);
  t.after(() => w.c.stop());
  (w.c as unknown as { ctx: { options: { nodeDisconnectGracePeriodMs: number } } }).ctx.options.nodeDisconnectGracePeriodMs = 0;
  const l = w.client.peek<Lease>('leases', 'kube-node-lease', 'n1')!;
  await w.client.update('leases', { ...l, metadata: { ...l.metadata, annotations: { [AgentDisconnectedAtAnnotation]: '2024-01-01T00:00:00.100000Z' } } });
  w.refresh();
  await w.c.monitor();
  w.advance(3000);
  await w.c.monitor();
  assert.equal(w.client.peek<Node>('nodes', '', 'n1')!.status!.conditions![0]!.status, 'True');
});

test('taint manager: no toleration evicts at once, tolerationSeconds waits, eviction is a graceful delete with an event', async (t) => {
  const tainted = node('n1');
  tainted.spec = { taints: [{ key: 'node.kubernetes.io/unreachable', effect: 'NoExecute', timeAdded: '2024-01-01T00:00:00Z' }] };
  const bare = pod('bare', {}, { node: 'n1', ready: true });
  const tol = pod('tol', {}, { node: 'n1', ready: true });
  tol.spec!.tolerations = [{ key: 'node.kubernetes.io/unreachable', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 2 }];
  const forever = pod('forever', {}, { node: 'n1', ready: true });
  forever.spec!.tolerations = [{ operator: 'Exists' }];
  const w = setup([['nodes', tainted], ['pods', bare], ['pods', tol], ['pods', forever]]);
  t.after(() => w.c.stop());
  for (const p of w.pods.list()) w.c.processPod(p);
  // A taint this controller did not add counts from when it is first seen (now = T0).
  assert.equal(w.c.evictionDue('default/bare'), T0);
  assert.equal(w.c.evictionDue('default/tol'), T0 + 2000);
  assert.equal(w.c.evictionDue('default/forever'), undefined);
  await w.c.evict('default/bare');
  const del = w.client.actionsOf('delete', 'pods');
  assert.equal(del.length, 1);
  assert.equal(del[0]!.name, 'bare');
  assert.ok(w.recorder.events.some((e) => e.reason === 'TaintManagerEviction' && e.message === 'Marking for deletion Pod default/bare'));
});

test('tolerations and zone states', () => {
  const taint = { key: 'node.kubernetes.io/not-ready', effect: 'NoExecute' };
  assert.equal(tolerationMs([taint], []), 0);
  assert.equal(tolerationMs([taint], [{ key: 'node.kubernetes.io/not-ready', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 5 }]), 5000);
  assert.equal(tolerationMs([taint], [{ key: 'other', operator: 'Exists' }]), 0);
  assert.equal(tolerationMs([taint], [{ operator: 'Exists' }]), Infinity);
  assert.equal(computeZoneState(3, 1, 0.55), 'Normal');
  assert.equal(computeZoneState(3, 3, 0.55), 'FullDisruption');
  assert.equal(computeZoneState(5, 3, 0.55), 'PartialDisruption');
  assert.equal(computeZoneState(10, 3, 0.55), 'Normal');
});

test('every node dark at once (control plane hiccup): conditions go Unknown but nothing is tainted', async (t) => {
  const w = setup([['nodes', node('n1')], ['nodes', node('n2')], ['leases', lease('n1', 'a')], ['leases', lease('n2', 'a')]]);
  t.after(() => w.c.stop());
  await w.c.monitor();
  w.advance(10_000);
  await w.c.monitor();
  assert.equal(w.c.zoneState, 'FullDisruption');
  assert.equal(w.client.peek<Node>('nodes', '', 'n1')!.spec?.taints, undefined);
  assert.equal(w.client.peek<Node>('nodes', '', 'n1')!.status!.conditions![0]!.status, 'Unknown');
});

test('TaintNodesByCondition: NetworkUnavailable True (or a pressure) adds its NoSchedule taint, False removes it; other taints stay', async (t) => {
  const sick = node('n1');
  sick.status!.conditions!.push({ type: 'NetworkUnavailable', status: 'True', reason: 'NoRouteCreated', message: 'overlap' });
  sick.spec = { taints: [{ key: 'dedicated', value: 'db', effect: 'NoSchedule' }] };
  const w = setup([['nodes', sick], ['nodes', node('n2')], ['leases', lease('n1', '2024-01-01T00:00:00.000000Z')], ['leases', lease('n2', '2024-01-01T00:00:00.000000Z')]]);
  t.after(() => w.c.stop());
  await w.c.monitor();
  const taints = () => (w.client.peek<Node>('nodes', '', 'n1')!.spec?.taints ?? []).map((x) => `${x.key}:${x.effect}`);
  assert.deepEqual(taints(), ['dedicated:NoSchedule', 'node.kubernetes.io/network-unavailable:NoSchedule']);
  assert.equal(w.client.peek<Node>('nodes', '', 'n2')!.spec?.taints, undefined);

  const n1 = w.client.peek<Node>('nodes', '', 'n1')!;
  n1.status!.conditions = n1.status!.conditions!.map((c) => (c.type === 'NetworkUnavailable' ? { ...c, status: 'False', reason: 'RouteCreated' } : c));
  n1.status!.conditions.push({ type: 'DiskPressure', status: 'True', reason: 'KubeletHasDiskPressure' });
  await w.client.update('nodes', n1, { subresource: 'status' });
  w.refresh();
  await w.c.monitor();
  assert.deepEqual(taints(), ['dedicated:NoSchedule', 'node.kubernetes.io/disk-pressure:NoSchedule']);
});
