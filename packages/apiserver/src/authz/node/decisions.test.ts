// The Node authorizer's decisions over a graph built by hand: what pods bound to a node
// reference, its own Node and Lease, NodeRules for the rest, NoOpinion for everyone else.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { KubeObject } from '@k8ts/api';
import type { Attributes } from '../types.js';
import { NodeAuthorizer, NodeGraph } from './index.js';

const node = (n: string) => ({ name: `system:node:${n}`, groups: ['system:nodes', 'system:authenticated'] });

function attrs(user: Attributes['user'], verb: string, resource: string, namespace: string, name: string, extra: Partial<Attributes> = {}): Attributes {
  return { user, verb, resourceRequest: true, path: '', apiGroup: '', apiVersion: 'v1', resource, subresource: '', namespace, name, ...extra };
}

function pod(name: string, nodeName: string, spec: Record<string, unknown> = {}, ns = 'default'): KubeObject {
  return { apiVersion: 'v1', kind: 'Pod', metadata: { name, namespace: ns, uid: `uid-${name}` }, spec: { nodeName, containers: [{ name: 'c', image: 'x' }], ...spec } };
}

const refsSpec = {
  imagePullSecrets: [{ name: 'pull' }],
  serviceAccountName: 'runner',
  initContainers: [{ name: 'i', image: 'x', env: [{ name: 'A', valueFrom: { secretKeyRef: { name: 'init-env', key: 'k' } } }] }],
  containers: [
    {
      name: 'c',
      image: 'x',
      envFrom: [{ secretRef: { name: 'env-from' } }, { configMapRef: { name: 'cm-from' } }],
      env: [{ name: 'B', valueFrom: { configMapKeyRef: { name: 'cm-key', key: 'k' } } }],
    },
  ],
  volumes: [
    { name: 'sv', secret: { secretName: 'vol-secret' } },
    { name: 'cv', configMap: { name: 'vol-cm' } },
    { name: 'pv', projected: { sources: [{ secret: { name: 'proj-secret' } }, { configMap: { name: 'kube-root-ca.crt' } }, { serviceAccountToken: { path: 't' } }] } },
    { name: 'claim', persistentVolumeClaim: { claimName: 'data' } },
    { name: 'eph', ephemeral: { volumeClaimTemplate: { spec: {} } } },
  ],
};

function setup() {
  const graph = new NodeGraph();
  const authz = new NodeAuthorizer(graph);
  const allowed = (a: Attributes) => authz.authorize(a).decision === 'Allow';
  return { graph, authz, allowed };
}

describe('the Node authorizer', () => {
  it('has no opinion about users that are not nodes, nor about nodes it cannot name', () => {
    const { graph, authz } = setup();
    graph.setPod(pod('p', 'n1', refsSpec));
    for (const user of [{ name: 'alice', groups: ['system:nodes'] }, { name: 'system:node:n1', groups: ['system:authenticated'] }, { name: 'admin', groups: ['system:masters'] }]) {
      assert.equal(authz.authorize(attrs(user, 'get', 'secrets', 'default', 'vol-secret')).decision, 'NoOpinion');
    }
    assert.deepEqual(authz.rulesFor({ name: 'alice', groups: [] }, 'default'), { resourceRules: [], nonResourceRules: [], incomplete: false });
    assert.equal(authz.rulesFor(node('n1'), 'default').incomplete, true);
    const nameless = authz.authorize(attrs({ name: 'system:node:', groups: ['system:nodes'] }, 'get', 'services', 'default', ''));
    assert.deepEqual(nameless, { decision: 'NoOpinion', reason: 'unknown node for user "system:node:"' });
  });

  it('lets a node read each secret, configmap and claim its pods reference, and nothing else', () => {
    const { graph, authz, allowed } = setup();
    graph.setPod(pod('p', 'n1', refsSpec));
    graph.setPod(pod('other', 'n2', { volumes: [{ name: 's', secret: { secretName: 'only-n2' } }] }));
    const n1 = node('n1');
    for (const s of ['pull', 'init-env', 'env-from', 'vol-secret', 'proj-secret']) {
      assert.ok(allowed(attrs(n1, 'get', 'secrets', 'default', s)), s);
      assert.ok(allowed(attrs(n1, 'watch', 'secrets', 'default', s)), `watch ${s}`);
    }
    for (const c of ['cm-from', 'cm-key', 'vol-cm', 'kube-root-ca.crt']) assert.ok(allowed(attrs(n1, 'get', 'configmaps', 'default', c)), c);
    assert.ok(allowed(attrs(n1, 'get', 'persistentvolumeclaims', 'default', 'data')));
    assert.ok(allowed(attrs(n1, 'get', 'persistentvolumeclaims', 'default', 'p-eph')));
    const denied = authz.authorize(attrs(n1, 'get', 'secrets', 'default', 'only-n2'));
    assert.deepEqual(denied, { decision: 'NoOpinion', reason: "no relationship found between node 'n1' and this object" });
    assert.ok(allowed(attrs(node('n2'), 'get', 'secrets', 'default', 'only-n2')));
    // Same name in another namespace, every secret of the namespace, writes, subresources.
    assert.ok(!allowed(attrs(n1, 'get', 'secrets', 'kube-system', 'vol-secret')));
    assert.equal(authz.authorize(attrs(n1, 'list', 'secrets', 'default', '')).reason, 'No Object name found');
    assert.equal(authz.authorize(attrs(n1, 'update', 'secrets', 'default', 'vol-secret')).reason, 'can only read resources of this type');
    assert.equal(authz.authorize(attrs(n1, 'list', 'secrets', '', '')).reason, 'can only read namespaced object of this type');
    assert.ok(!allowed(attrs(n1, 'list', 'persistentvolumeclaims', 'default', 'data')));
  });

  it('forgets what a deleted or rebound pod referenced, but keeps what another pod of the node still does', () => {
    const { graph, allowed } = setup();
    const n1 = node('n1');
    graph.setPod(pod('a', 'n1', { volumes: [{ name: 's', secret: { secretName: 'shared' } }] }));
    graph.setPod(pod('b', 'n1', { volumes: [{ name: 's', secret: { secretName: 'shared' } }, { name: 't', secret: { secretName: 'b-only' } }] }));
    graph.deletePod('default', 'b');
    assert.ok(allowed(attrs(n1, 'get', 'secrets', 'default', 'shared')));
    assert.ok(!allowed(attrs(n1, 'get', 'secrets', 'default', 'b-only')));
    // The same name, a new pod (uid) on another node.
    graph.setPod({ ...pod('a', 'n2', { volumes: [{ name: 's', secret: { secretName: 'shared' } }] }), metadata: { name: 'a', namespace: 'default', uid: 'uid-a2' } });
    assert.ok(!allowed(attrs(n1, 'get', 'secrets', 'default', 'shared')));
    assert.ok(allowed(attrs(node('n2'), 'get', 'secrets', 'default', 'shared')));
    assert.equal(graph.hasNode('n1'), false);
    graph.retainPods(new Set());
    assert.equal(graph.podCount, 0);
    assert.ok(!allowed(attrs(node('n2'), 'get', 'secrets', 'default', 'shared')));
  });

  it('ignores pods not bound to a node', () => {
    const { graph, allowed } = setup();
    graph.setPod(pod('pending', '', { volumes: [{ name: 's', secret: { secretName: 's' } }] }));
    assert.equal(graph.podCount, 0);
    assert.ok(!allowed(attrs(node(''), 'get', 'secrets', 'default', 's')));
    assert.ok(!allowed(attrs(node('n1'), 'get', 'secrets', 'default', 's')));
  });

  it('reaches a PersistentVolume and its secrets through the claim', () => {
    const { graph, allowed } = setup();
    graph.setPod(pod('p', 'n1', refsSpec));
    graph.setPV({ apiVersion: 'v1', kind: 'PersistentVolume', metadata: { name: 'vol-1' }, spec: { claimRef: { namespace: 'default', name: 'data' }, csi: { nodePublishSecretRef: { name: 'csi-creds', namespace: 'storage' } } } });
    assert.ok(allowed(attrs(node('n1'), 'get', 'persistentvolumes', '', 'vol-1')));
    assert.ok(allowed(attrs(node('n1'), 'get', 'secrets', 'storage', 'csi-creds')));
    assert.ok(!allowed(attrs(node('n2'), 'get', 'persistentvolumes', '', 'vol-1')));
    graph.deletePV('vol-1');
    assert.ok(!allowed(attrs(node('n1'), 'get', 'secrets', 'storage', 'csi-creds')));
  });

  it('lets a node create tokens only for the service accounts of its pods', () => {
    const { graph, authz, allowed } = setup();
    graph.setPod(pod('p', 'n1', refsSpec));
    const tok = (n: string, sa: string, verb = 'create', subresource = 'token') => attrs(node(n), verb, 'serviceaccounts', 'default', sa, { subresource });
    assert.ok(allowed(tok('n1', 'runner')));
    assert.ok(!allowed(tok('n2', 'runner')));
    assert.ok(!allowed(tok('n1', 'default')));
    assert.equal(authz.authorize(tok('n1', 'runner', 'get', '')).reason, 'can only create tokens for individual service accounts');
    assert.equal(authz.authorize(tok('n1', 'runner', 'create', '')).reason, 'can only create token subresource of serviceaccount');
  });

  it('lets a node read only its own Node, and write nodes for NodeRestriction to narrow', () => {
    const { authz, allowed } = setup();
    const n1 = node('n1');
    assert.ok(allowed(attrs(n1, 'get', 'nodes', '', 'n1')));
    assert.equal(authz.authorize(attrs(n1, 'get', 'nodes', '', 'n2')).reason, "node 'n1' cannot read 'n2', only its own Node object");
    assert.equal(authz.authorize(attrs(n1, 'list', 'nodes', '', '')).reason, "node 'n1' cannot read all nodes, only its own Node object");
    for (const verb of ['create', 'update', 'patch']) assert.ok(allowed(attrs(n1, verb, 'nodes', '', 'n2')), verb);
    assert.ok(allowed(attrs(n1, 'patch', 'nodes', '', 'n1', { subresource: 'status' })));
    assert.ok(!allowed(attrs(n1, 'delete', 'nodes', '', 'n1')));
    assert.ok(!allowed(attrs(n1, 'get', 'nodes', '', 'n1', { subresource: 'proxy' })));
  });

  it('lets a node use only its own Lease in kube-node-lease', () => {
    const { authz, allowed } = setup();
    const lease = (verb: string, ns: string, name: string) => attrs(node('n1'), verb, 'leases', ns, name, { apiGroup: 'coordination.k8s.io' });
    for (const verb of ['get', 'update', 'patch', 'delete']) assert.ok(allowed(lease(verb, 'kube-node-lease', 'n1')), verb);
    assert.ok(allowed(lease('create', 'kube-node-lease', '')));
    assert.equal(authz.authorize(lease('update', 'kube-node-lease', 'n2')).reason, 'can only access node lease with the same name as the requesting node');
    assert.equal(authz.authorize(lease('get', 'kube-system', 'n1')).reason, 'can only access leases in the "kube-node-lease" system namespace');
    assert.equal(authz.authorize(lease('list', 'kube-node-lease', '')).reason, 'can only get, create, update, patch, or delete a node lease');
  });

  it('scopes pod reads to pods bound to the node and lets writes through to NodeRestriction', () => {
    const { graph, authz, allowed } = setup();
    graph.setPod(pod('mine', 'n1'));
    graph.setPod(pod('theirs', 'n2'));
    const n1 = node('n1');
    assert.ok(allowed(attrs(n1, 'get', 'pods', 'default', 'mine')));
    assert.ok(!allowed(attrs(n1, 'get', 'pods', 'default', 'theirs')));
    assert.ok(allowed(attrs(n1, 'list', 'pods', '', '', { fieldSelector: 'spec.nodeName=n1' })));
    assert.ok(allowed(attrs(n1, 'watch', 'pods', '', '', { fieldSelector: 'metadata.namespace!=x,spec.nodeName==n1' })));
    for (const fs of ['', 'spec.nodeName=n2', 'spec.nodeName!=n1', 'spec.nodeName=n1\\']) {
      assert.equal(authz.authorize(attrs(n1, 'list', 'pods', '', '', { fieldSelector: fs })).reason, 'can only list/watch pods with spec.nodeName field selector', fs);
    }
    assert.ok(allowed(attrs(n1, 'watch', 'pods', 'default', 'mine', { fieldSelector: 'metadata.name=mine' })));
    // Faces that do not pass the selector: NodeRules (Kubernetes before 1.32).
    assert.ok(allowed(attrs(n1, 'list', 'pods', '', '')));
    assert.ok(allowed(attrs(n1, 'update', 'pods', 'default', 'theirs', { subresource: 'status' })));
    assert.ok(allowed(attrs(n1, 'delete', 'pods', 'default', 'theirs')));
    assert.ok(allowed(attrs(n1, 'create', 'pods', 'default', 'x', { subresource: 'eviction' })));
    assert.ok(!allowed(attrs(n1, 'update', 'pods', 'default', 'mine')));
    assert.ok(!allowed(attrs(n1, 'create', 'pods', 'default', 'mine', { subresource: 'binding' })));
    assert.ok(!allowed(attrs(n1, 'get', 'pods', 'default', 'mine', { subresource: 'log' })));
    // a node never adds ephemeral containers, not even to its own pods
    for (const verb of ['update', 'patch']) assert.ok(!allowed(attrs(n1, verb, 'pods', 'default', 'mine', { subresource: 'ephemeralcontainers' })));
  });

  it('answers the rest from NodeRules', () => {
    const { allowed } = setup();
    const n1 = node('n1');
    assert.ok(allowed(attrs(n1, 'create', 'events', 'default', '')));
    assert.ok(allowed(attrs(n1, 'list', 'services', '', '')));
    assert.ok(allowed(attrs(n1, 'get', 'endpoints', 'default', 'x')));
    assert.ok(allowed(attrs(n1, 'create', 'certificatesigningrequests', '', '', { apiGroup: 'certificates.k8s.io' })));
    assert.ok(allowed(attrs(n1, 'create', 'subjectaccessreviews', '', '', { apiGroup: 'authorization.k8s.io' })));
    assert.ok(!allowed(attrs(n1, 'delete', 'events', 'default', 'e')));
    assert.ok(!allowed(attrs(n1, 'list', 'deployments', '', '', { apiGroup: 'apps' })));
    assert.ok(!allowed(attrs(n1, 'list', 'services', '', '', { apiGroup: 'apps' })));
    assert.ok(!allowed(attrs(n1, 'create', 'clusterrolebindings', '', '', { apiGroup: 'rbac.authorization.k8s.io' })));
    assert.ok(!allowed({ ...attrs(n1, 'get', '', '', ''), resourceRequest: false, path: '/healthz' }));
  });
});
