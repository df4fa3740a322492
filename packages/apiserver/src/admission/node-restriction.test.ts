// NodeRestriction on the real registry (in-memory etcd): each write a node makes, as itself
// and as another node, refused in Kubernetes' words and leaving etcd unchanged.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import pino from 'pino';
import { ApiError, type KubeObject } from '@k8ts/api';
import { EtcdRegistry } from '../registry/registry.js';
import { memoryStore } from '../storage/memory-kv.js';
import { createNodeRestriction } from './node-restriction.js';
import { forbiddenLabels, modifiedLabels } from './node-labels.js';

const logger = pino({ level: 'silent' });
let registry: EtcdRegistry;
const as = (n: string) => ({ user: { name: `system:node:${n}`, groups: ['system:nodes', 'system:authenticated'] } });
const admin = { user: { name: 'admin', groups: ['system:masters'] } };

async function refused(p: Promise<unknown>, message: string): Promise<void> {
  await assert.rejects(p, (e: unknown) => {
    assert.ok(e instanceof ApiError, String(e));
    assert.equal(e.code, 403);
    assert.equal(e.status.reason, 'Forbidden');
    assert.equal(e.status.message, message);
    return true;
  });
}

const nodeObj = (name: string, labels: Record<string, string> = {}): KubeObject => ({ apiVersion: 'v1', kind: 'Node', metadata: { name, labels }, spec: {} });
const podOn = (name: string, nodeName: string): KubeObject => ({ apiVersion: 'v1', kind: 'Pod', metadata: { name, labels: { app: name } }, spec: { nodeName, containers: [{ name: 'c', image: 'x' }] } });
const lease = (name: string, ns = 'kube-node-lease'): KubeObject => ({ apiVersion: 'coordination.k8s.io/v1', kind: 'Lease', metadata: { name, namespace: ns }, spec: { holderIdentity: name } });

before(async () => {
  const m = memoryStore(logger);
  registry = new EtcdRegistry({ store: m.store, logger, watch: { logger } });
  registry.registerAdmission(createNodeRestriction({ registry }));
  await registry.ensureSystemNamespaces();
  await registry.create('nodes', '', nodeObj('n1'), as('n1'));
  await registry.create('pods', 'default', podOn('p1', 'n1'));
  await registry.create('pods', 'default', podOn('p2', 'n2'));
});

after(() => registry.close());

describe('NodeRestriction', () => {
  it('lets a node write only its own Node, without its taints or restricted labels', async () => {
    await refused(registry.create('nodes', '', nodeObj('n2'), as('n1')), 'nodes "n2" is forbidden: node "n1" is not allowed to modify node "n2"');
    await refused(registry.create('nodes', '', nodeObj('n3', { 'node-role.kubernetes.io/master': '' }), as('n3')), 'nodes "n3" is forbidden: node "n3" is not allowed to set the following labels: node-role.kubernetes.io/master');
    const cur = await registry.get('nodes', '', 'n1');
    await refused(registry.update('nodes', '', 'n1', { ...cur, spec: { taints: [] } }, as('n2')), 'nodes "n1" is forbidden: node "n2" is not allowed to modify node "n1"');
    await refused(registry.update('nodes', '', 'n1', { ...cur, spec: { taints: [{ key: 'k', effect: 'NoSchedule' }] } }, as('n1')), 'nodes "n1" is forbidden: node "n1" is not allowed to modify taints');
    const relabel = { ...cur, metadata: { ...cur.metadata, labels: { 'node-restriction.kubernetes.io/x': 'y', 'kubernetes.io/hostname': 'n1', zone: 'a' } } };
    await refused(registry.update('nodes', '', 'n1', relabel, as('n1')), 'nodes "n1" is forbidden: is not allowed to modify labels: node-restriction.kubernetes.io/x');
    await refused(registry.patch('nodes', '', 'n1', 'application/merge-patch+json', '{"status":{"phase":"x"}}', { ...as('n2'), subresource: 'status' }), 'nodes "n1" is forbidden: node "n2" is not allowed to modify node "n1"');
    await refused(registry.delete('nodes', '', 'n1', as('n2')), 'nodes "n1" is forbidden: node "n2" is not allowed to modify node "n1"');
    const mine = await registry.update('nodes', '', 'n1', { ...cur, metadata: { ...cur.metadata, labels: { 'kubernetes.io/hostname': 'n1', 'node.kubernetes.io/pool': 'a', zone: 'z' } } }, as('n1'));
    assert.equal(mine.metadata.labels?.zone, 'z');
    await registry.update('nodes', '', 'n1', { ...mine, status: { capacity: { cpu: '2' } } }, { ...as('n1'), subresource: 'status' });
    // The admin is not a node: its taint passes.
    await registry.patch('nodes', '', 'n1', 'application/merge-patch+json', '{"spec":{"taints":[{"key":"k","effect":"NoSchedule"}]}}', admin);
  });

  it('lets a node update the status of, delete and evict only the pods bound to it, and create none', async () => {
    const theirs = await registry.get('pods', 'default', 'p2');
    await refused(registry.update('pods', 'default', 'p2', { ...theirs, status: { phase: 'Failed' } }, { ...as('n1'), subresource: 'status' }), 'pods "p2" is forbidden: node "n1" can only update pod status for pods with spec.nodeName set to itself');
    assert.equal((await registry.get('pods', 'default', 'p2')).status?.phase, theirs.status?.phase);
    const mine = await registry.get('pods', 'default', 'p1');
    await registry.update('pods', 'default', 'p1', { ...mine, status: { phase: 'Running' } }, { ...as('n1'), subresource: 'status' });
    const fresh = await registry.get('pods', 'default', 'p1');
    await refused(registry.update('pods', 'default', 'p1', { ...fresh, metadata: { ...fresh.metadata, labels: { app: 'x' } } }, as('n1')), 'pods "p1" is forbidden: unexpected operation "UPDATE", node "n1" can only create and delete mirror pods');
    await refused(registry.delete('pods', 'default', 'p2', { ...as('n1'), gracePeriodSeconds: 0 }), 'pods "p2" is forbidden: node "n1" can only delete pods with spec.nodeName set to itself');
    await refused(registry.createSubresource('pods', 'default', 'p2', 'eviction', { apiVersion: 'policy/v1', kind: 'Eviction', metadata: { name: 'p2' } } as never, as('n1')), 'pods "p2" is forbidden: node n1 can only evict pods with spec.nodeName set to itself');
    await registry.get('pods', 'default', 'p2');
    await refused(registry.create('pods', 'default', podOn('new', 'n1'), as('n1')), 'pods "new" is forbidden: pod does not have "kubernetes.io/config.mirror" annotation, node "n1" can only create mirror pods');
    const withDebug = { ...fresh, spec: { ...fresh.spec, ephemeralContainers: [{ name: 'dbg', image: 'busybox:1' }] } };
    await refused(registry.update('pods', 'default', 'p1', withDebug as never, { ...as('n1'), subresource: 'ephemeralcontainers' }), 'pods "p1" is forbidden: unexpected pod subresource "ephemeralcontainers", only \'status\' and \'eviction\' are allowed');
    assert.equal((await registry.get('pods', 'default', 'p1')).spec?.ephemeralContainers, undefined);
    await registry.delete('pods', 'default', 'p1', { ...as('n1'), gracePeriodSeconds: 0 });
  });

  it('lets a node use only its own Lease, in kube-node-lease', async () => {
    await refused(registry.create('leases', 'kube-node-lease', lease('n2'), as('n1')), 'leases.coordination.k8s.io "n2" is forbidden: can only access node lease with the same name as the requesting node');
    await refused(registry.create('leases', 'kube-system', lease('n1', 'kube-system'), as('n1')), 'leases.coordination.k8s.io "n1" is forbidden: can only access leases in the "kube-node-lease" system namespace');
    const mine = await registry.create('leases', 'kube-node-lease', lease('n1'), as('n1'));
    await refused(registry.update('leases', 'kube-node-lease', 'n1', mine, as('n2')), 'leases.coordination.k8s.io "n1" is forbidden: can only access node lease with the same name as the requesting node');
    await refused(registry.delete('leases', 'kube-node-lease', 'n1', as('n2')), 'leases.coordination.k8s.io "n1" is forbidden: can only access node lease with the same name as the requesting node');
    await registry.delete('leases', 'kube-node-lease', 'n1', as('n1'));
  });

  it('lets a node create events only about itself or a pod bound to it', async () => {
    const event = (name: string, about: Record<string, unknown>): KubeObject => ({ apiVersion: 'v1', kind: 'Event', metadata: { name, namespace: 'default' }, involvedObject: about, reason: 'R', message: 'm' }) as KubeObject;
    const p2 = await registry.get('pods', 'default', 'p2');
    await registry.create('events', 'default', event('e1', { kind: 'Pod', name: 'p2', namespace: 'default', uid: p2.metadata.uid }), as('n2'));
    await registry.create('events', 'default', event('e2', { kind: 'Node', name: 'n2' }), as('n2'));
    const why = 'node "n1" can only create events about itself or pods bound to it';
    await refused(registry.create('events', 'default', event('e3', { kind: 'Pod', name: 'p2', namespace: 'default' }), as('n1')), `events "e3" is forbidden: ${why}`);
    await refused(registry.create('events', 'default', event('e4', { kind: 'Node', name: 'n2' }), as('n1')), `events "e4" is forbidden: ${why}`);
    await refused(registry.create('events', 'default', event('e5', { kind: 'Pod', name: 'gone' }), as('n1')), `events "e5" is forbidden: ${why}`);
    await refused(registry.create('events', 'default', event('e6', { kind: 'Pod', name: 'p2', uid: 'other' }), as('n2')), 'events "e6" is forbidden: node "n2" can only create events about itself or pods bound to it');
    // Its last events about a pod that is gone just now are still its own (Killing after a
    // force delete); another node's, or about another incarnation, are not.
    await registry.delete('pods', 'default', 'p2', { gracePeriodSeconds: 0 });
    await assert.rejects(registry.get('pods', 'default', 'p2'), /not found/);
    await registry.create('events', 'default', event('e7', { kind: 'Pod', name: 'p2', namespace: 'default', uid: p2.metadata.uid }), as('n2'));
    await refused(registry.create('events', 'default', event('e8', { kind: 'Pod', name: 'p2', namespace: 'default' }), as('n1')), `events "e8" is forbidden: ${why}`);
    await refused(registry.create('events', 'default', event('e9', { kind: 'Pod', name: 'p2', namespace: 'default', uid: 'other' }), as('n2')), 'events "e9" is forbidden: node "n2" can only create events about itself or pods bound to it');
  });

  it('refuses a node user it cannot name, and leaves other users alone', async () => {
    await refused(registry.create('configmaps', 'default', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'x' } }, { user: { name: 'system:node:', groups: ['system:nodes'] } }), 'configmaps "x" is forbidden: could not determine node from user "system:node:"');
    await registry.create('leases', 'kube-system', lease('anything', 'kube-system'), { user: { name: 'alice', groups: [] } });
  });
});

describe('node labels', () => {
  it('are the kubelet\'s own under kubernetes.io and k8s.io, and never node-restriction ones', () => {
    const mod = modifiedLabels({ a: '1', 'kubernetes.io/hostname': 'h', 'x.k8s.io/y': '1', 'kubelet.kubernetes.io/z': '1' }, { a: '2', 'node-restriction.kubernetes.io/r': '1' });
    assert.deepEqual([...mod].sort(), ['a', 'kubelet.kubernetes.io/z', 'kubernetes.io/hostname', 'node-restriction.kubernetes.io/r', 'x.k8s.io/y']);
    assert.deepEqual(forbiddenLabels(mod), ['node-restriction.kubernetes.io/r', 'x.k8s.io/y']);
  });
});
