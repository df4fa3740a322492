import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { KubeObject, Lease, Node, Pod } from '@k8ts/api';
import { NodeLifecycleController, computeZoneState } from './controller.js';
import { tolerationMs } from '@k8ts/api';
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
