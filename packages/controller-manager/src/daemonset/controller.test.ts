import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { DaemonSet, KubeObject, Node, Pod } from '@k8ts/api';
import { DaemonSetController } from './controller.js';
import { ctxFor, staticLister, FakeClient, seedWorld } from '../testing/fixtures.js';

const node = (name: string, labels: Record<string, string> = {}, taints: any[] = []): Node => ({ apiVersion: 'v1', kind: 'Node', metadata: { name, labels }, spec: taints.length ? { taints } : {} });

function ds(): DaemonSet & KubeObject {
  return {
    apiVersion: 'apps/v1',
    kind: 'DaemonSet',
    metadata: { name: 'agent', namespace: 'default', uid: 'ds-1', generation: 1 },
    spec: {
      selector: { matchLabels: { app: 'agent' } },
      template: { metadata: { labels: { app: 'agent' } }, spec: { nodeSelector: { role: 'worker' }, containers: [{ name: 'c', image: 'busybox' }] } },
    },
  } as DaemonSet & KubeObject;
}

test('one pod per eligible node, pinned by affinity and nodeName, with daemon tolerations; tainted and unlabelled nodes skipped', async () => {
  const client = new FakeClient();
  const world = seedWorld(client, [
    ['daemonsets', ds()],
    ['nodes', node('n1', { role: 'worker' })],
    ['nodes', node('n2', { role: 'worker' }, [{ key: 'node.kubernetes.io/unschedulable', effect: 'NoSchedule' }])],
    ['nodes', node('n3', { role: 'worker' }, [{ key: 'dedicated', value: 'db', effect: 'NoSchedule' }])],
    ['nodes', node('n4')],
  ]);
  const { ctx, queue } = ctxFor(client);
  const l = (r: string) => staticLister((world.get(r) ?? []) as any[]);
  const c = new DaemonSetController(ctx, { daemonsets: l('daemonsets'), pods: l('pods'), nodes: l('nodes') }, queue);
  await c.sync('default/agent');
  const created = client.objects<Pod>('pods');
  assert.deepEqual(created.map((p) => p.spec!.nodeName).sort(), ['n1', 'n2']);
  const p = created[0]!;
  assert.deepEqual(p.spec!.affinity!.nodeAffinity!.requiredDuringSchedulingIgnoredDuringExecution!.nodeSelectorTerms[0]!.matchFields, [
    { key: 'metadata.name', operator: 'In', values: [p.spec!.nodeName!] },
  ]);
  assert.ok(p.spec!.tolerations!.some((t) => t.key === 'node.kubernetes.io/unreachable' && t.effect === 'NoExecute' && t.tolerationSeconds === undefined));
  const st = client.peek<DaemonSet>('daemonsets', 'default', 'agent')!.status!;
  assert.equal(st.desiredNumberScheduled, 2);
  assert.equal(st.currentNumberScheduled, 0); // cache did not show the pods yet

  // A node that stops matching loses its pod.
  const pods = client.objects<Pod>('pods');
  const c2 = new DaemonSetController(ctx, { daemonsets: staticLister(client.objects<any>('daemonsets')), pods: staticLister(pods), nodes: staticLister([node('n1', { role: 'worker' })] as Node[]) }, queue);
  await c2.sync('default/agent');
  assert.deepEqual(client.objects<Pod>('pods').map((x) => x.spec!.nodeName), ['n1']);
  assert.equal(client.peek<DaemonSet>('daemonsets', 'default', 'agent')!.status!.currentNumberScheduled, 1);
});
