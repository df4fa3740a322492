// The chain over the real registry on the in-memory etcd: bootstrap policy, RBAC decisions
// from the watched caches, the escalation check, rulesFor.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import pino from 'pino';
import type { KubeObject } from '@k8ts/api';
import { EtcdRegistry } from '../registry/registry.js';
import { memoryStore } from '../storage/memory-kv.js';
import { startAuthorization, type Attributes, type Authorization } from './index.js';

const logger = pino({ level: 'silent' });

async function setup(): Promise<{ registry: EtcdRegistry; authz: Authorization; stop(): Promise<void> }> {
  const memory = memoryStore(logger);
  const registry = new EtcdRegistry({ store: memory.store, logger, watch: { logger } });
  await registry.ensureSystemNamespaces();
  const authz = await startAuthorization({ registry, modes: 'Node,RBAC', logger });
  return { registry, authz, stop: async () => (authz.stop(), await registry.close()) };
}

const rb = (ns: string, name: string, kind: string, role: string, subjects: object[]): KubeObject =>
  ({ apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'RoleBinding', metadata: { name, namespace: ns }, roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind, name: role }, subjects }) as KubeObject;
const user = (name: string) => ({ kind: 'User', apiGroup: 'rbac.authorization.k8s.io', name });

function attrs(u: Attributes['user'], verb: string, resource: string, namespace: string, o: Partial<Attributes> = {}): Attributes {
  return { user: u, verb, resourceRequest: true, path: '', apiGroup: '', apiVersion: 'v1', resource, subresource: '', namespace, name: '', ...o };
}

async function until(f: () => boolean, what: string): Promise<void> {
  for (let i = 0; i < 200; i++) {
    if (f()) return;
    await sleep(10);
  }
  assert.fail(`timed out: ${what}`);
}

test('bootstrap policy is created at start and restored (missing rules too) at the next start', async () => {
  const { registry, authz, stop } = await setup();
  try {
    const names = (await registry.list('clusterroles', {})).items.map((o) => o.metadata.name);
    for (const n of ['cluster-admin', 'admin', 'edit', 'view', 'system:discovery', 'system:basic-user', 'system:public-info-viewer', 'system:kube-scheduler', 'system:kube-controller-manager', 'system:node-proxier', 'system:node', 'system:k8ts-dns'])
      assert.ok(names.includes(n), n);
    const crb = await registry.get('clusterrolebindings', '', 'cluster-admin');
    assert.deepEqual((crb as any).subjects, [{ kind: 'Group', name: 'system:masters', apiGroup: 'rbac.authorization.k8s.io' }]);
    await registry.delete('clusterroles', '', 'system:discovery');
    const sched = (await registry.get('clusterroles', '', 'system:kube-scheduler')) as any;
    sched.rules = sched.rules.slice(1);
    await registry.update('clusterroles', '', 'system:kube-scheduler', sched);
    authz.stop();
    const again = await startAuthorization({ registry, modes: 'RBAC', logger });
    again.stop();
    await registry.get('clusterroles', '', 'system:discovery');
    assert.equal(((await registry.get('clusterroles', '', 'system:kube-scheduler')) as any).rules.length, sched.rules.length + 1);
  } finally {
    await stop();
  }
});

test('RBAC: a RoleBinding grants its role in its namespace only; groups and service accounts count', async () => {
  const { registry, authz, stop } = await setup();
  try {
    const alice = { name: 'alice', groups: ['system:authenticated'] };
    await registry.create('namespaces', '', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'team' } });
    await registry.create('roles', 'team', {
      apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'Role', metadata: { name: 'reader', namespace: 'team' },
      rules: [{ verbs: ['get', 'list'], apiGroups: [''], resources: ['pods'] }, { verbs: ['get'], apiGroups: [''], resources: ['configmaps'], resourceNames: ['cfg'] }],
    } as KubeObject);
    assert.equal(authz.authorize(attrs(alice, 'list', 'pods', 'team')).decision, 'NoOpinion');
    await registry.create('rolebindings', 'team', rb('team', 'alice-reads', 'Role', 'reader', [user('alice')]));
    await until(() => authz.authorize(attrs(alice, 'list', 'pods', 'team')).decision === 'Allow', 'binding seen');
    assert.equal(authz.authorize(attrs(alice, 'list', 'pods', 'default')).decision, 'NoOpinion');
    assert.equal(authz.authorize(attrs(alice, 'delete', 'pods', 'team', { name: 'p' })).decision, 'NoOpinion');
    assert.equal(authz.authorize(attrs(alice, 'get', 'configmaps', 'team', { name: 'cfg' })).decision, 'Allow');
    assert.equal(authz.authorize(attrs(alice, 'get', 'configmaps', 'team', { name: 'other' })).decision, 'NoOpinion');
    assert.ok(authz.refusal(attrs(alice, 'list', 'secrets', 'team'))?.message.includes('User "alice" cannot list resource "secrets"'));

    const sa = { name: 'system:serviceaccount:team:bot', groups: ['system:serviceaccounts', 'system:authenticated'] };
    const devs = { name: 'bob', groups: ['devs'] };
    await registry.create('rolebindings', 'team', rb('team', 'others', 'ClusterRole', 'system:k8ts-dns', [{ kind: 'ServiceAccount', name: 'bot' }, { kind: 'Group', apiGroup: 'rbac.authorization.k8s.io', name: 'devs' }]));
    await until(() => authz.authorize(attrs(sa, 'watch', 'services', 'team')).decision === 'Allow', 'sa binding');
    assert.equal(authz.authorize(attrs(devs, 'list', 'pods', 'team')).decision, 'Allow');
    assert.equal(authz.authorize(attrs(devs, 'list', 'pods', 'default')).decision, 'NoOpinion');

    // everyone authenticated may read discovery; only unauthenticated/authenticated /healthz
    const path = (u: Attributes['user'], p: string): Attributes => ({ ...attrs(u, 'get', '', ''), resourceRequest: false, path: p });
    assert.equal(authz.authorize(path(alice, '/apis/apps/v1')).decision, 'Allow');
    assert.equal(authz.authorize(path({ name: 'system:anonymous', groups: ['system:unauthenticated'] }, '/healthz')).decision, 'Allow');
    assert.equal(authz.authorize(path({ name: 'system:anonymous', groups: ['system:unauthenticated'] }, '/apis')).decision, 'NoOpinion');
    assert.equal(authz.authorize(path(alice, '/metrics')).decision, 'NoOpinion');

    const rules = authz.rulesFor(alice, 'team');
    assert.ok(rules.resourceRules.some((r) => r.resources.includes('pods') && r.verbs.includes('list')));
    assert.ok(rules.nonResourceRules.some((r) => r.nonResourceURLs.includes('/api')));

    await registry.delete('rolebindings', 'team', 'alice-reads');
    await until(() => authz.authorize(attrs(alice, 'list', 'pods', 'team')).decision === 'NoOpinion', 'binding removed');
  } finally {
    await stop();
  }
});

test('escalation: a role or binding may grant only what its author holds, unless escalate/bind', async () => {
  const { registry, authz, stop } = await setup();
  try {
    await registry.create('namespaces', '', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'team' } });
    const carol = { name: 'carol', groups: ['system:authenticated'] };
    await registry.create('roles', 'team', {
      apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'Role', metadata: { name: 'manager', namespace: 'team' },
      rules: [{ verbs: ['create', 'get', 'list', 'update', 'delete'], apiGroups: ['rbac.authorization.k8s.io'], resources: ['roles', 'rolebindings'] }, { verbs: ['get', 'list'], apiGroups: [''], resources: ['pods'] }],
    } as KubeObject);
    await registry.create('rolebindings', 'team', rb('team', 'carol', 'Role', 'manager', [user('carol')]));
    await until(() => authz.authorize(attrs(carol, 'create', 'roles', 'team', { apiGroup: 'rbac.authorization.k8s.io' })).decision === 'Allow', 'carol bound');

    const role = (name: string, rules: object[]) => ({ apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'Role', metadata: { name, namespace: 'team' }, rules }) as KubeObject;
    await registry.create('roles', 'team', role('pod-reader', [{ verbs: ['get'], apiGroups: [''], resources: ['pods'] }]), { user: carol });
    await assert.rejects(registry.create('roles', 'team', role('secret-reader', [{ verbs: ['get'], apiGroups: [''], resources: ['secrets'] }]), { user: carol }), (e: any) => {
      assert.equal(e.code, 403);
      assert.equal(
        e.message,
        'roles.rbac.authorization.k8s.io "secret-reader" is forbidden: user "carol" (groups=["system:authenticated"]) is attempting to grant RBAC permissions not currently held:\n{APIGroups:[""], Resources:["secrets"], Verbs:["get"]}',
      );
      return true;
    });
    await assert.rejects(registry.create('rolebindings', 'team', rb('team', 'admin-me', 'ClusterRole', 'cluster-admin', [user('carol')]), { user: carol }), /attempting to grant RBAC permissions not currently held/);
    assert.equal((await registry.list('rolebindings', { namespace: 'team' })).items.length, 1);
    // a binding to a role whose rules carol holds is fine
    await registry.create('rolebindings', 'team', rb('team', 'dave', 'Role', 'pod-reader', [user('dave')]), { user: carol });
    // with `bind` on cluster-admin she may bind it
    await registry.create('roles', 'team', role('binder', [{ verbs: ['bind'], apiGroups: ['rbac.authorization.k8s.io'], resources: ['clusterroles'], resourceNames: ['cluster-admin'] }]));
    await registry.create('rolebindings', 'team', rb('team', 'carol-binds', 'Role', 'binder', [user('carol')]));
    await until(() => authz.authorize(attrs(carol, 'bind', 'clusterroles', 'team', { apiGroup: 'rbac.authorization.k8s.io', name: 'cluster-admin' })).decision === 'Allow', 'bind seen');
    await registry.create('rolebindings', 'team', rb('team', 'admin-me', 'ClusterRole', 'cluster-admin', [user('carol')]), { user: carol });
  } finally {
    await stop();
  }
});

test('validation: verbs required, roleRef immutable and of a known kind, subjects of known kinds', async () => {
  const { registry, stop } = await setup();
  try {
    await assert.rejects(
      registry.create('clusterroles', '', { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRole', metadata: { name: 'bad' }, rules: [{ apiGroups: [''], resources: ['pods'] }] } as KubeObject),
      /rules\[0\]\.verbs: Required value: verbs must contain at least one value/,
    );
    await assert.rejects(
      registry.create('clusterrolebindings', '', { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRoleBinding', metadata: { name: 'x' }, roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: 'r' }, subjects: [{ kind: 'Robot', name: 'r2' }] } as KubeObject),
      (e: any) => e.code === 422 && /roleRef.kind: Unsupported value: "Role"/.test(e.message) && /subjects\[0\]\.kind: Unsupported value: "Robot"/.test(e.message),
    );
    const b = await registry.create('clusterrolebindings', '', { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRoleBinding', metadata: { name: 'system:x' }, roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'view' }, subjects: [{ kind: 'User', name: 'u' }] } as KubeObject);
    assert.equal((b as any).subjects[0].apiGroup, 'rbac.authorization.k8s.io');
    (b as any).roleRef.name = 'edit';
    await assert.rejects(registry.update('clusterrolebindings', '', 'system:x', b), /roleRef: Invalid value: .*cannot change roleRef/);
  } finally {
    await stop();
  }
});

test('component identities get what their components do from the bootstrap policy alone', async () => {
  const { registry, authz, stop } = await setup();
  try {
    const as = (name: string) => ({ name, groups: ['system:authenticated'] });
    const allowed = (u: string, verb: string, resource: string, ns: string, o: Partial<Attributes> = {}) => authz.authorize(attrs(as(u), verb, resource, ns, o)).decision === 'Allow';
    const sched = 'system:kube-scheduler';
    assert.ok(allowed(sched, 'watch', 'pods', ''));
    assert.ok(allowed(sched, 'list', 'nodes', ''));
    assert.ok(allowed(sched, 'create', 'pods', 'default', { subresource: 'binding', name: 'p' }));
    assert.ok(allowed(sched, 'patch', 'pods', 'default', { subresource: 'status', name: 'p' }));
    assert.ok(allowed(sched, 'update', 'leases', 'kube-system', { apiGroup: 'coordination.k8s.io', name: 'k8ts-scheduler' }));
    assert.ok(!allowed(sched, 'get', 'secrets', 'default', { name: 's' }));
    assert.ok(!allowed(sched, 'delete', 'nodes', '', { name: 'n' }));
    // podnet reads every Node (routes to their podCIDRs) and writes nothing.
    const podnet = 'system:k8ts-podnet';
    assert.ok(allowed(podnet, 'list', 'nodes', ''));
    assert.ok(allowed(podnet, 'watch', 'nodes', ''));
    assert.ok(!allowed(podnet, 'patch', 'nodes', '', { name: 'n' }));
    assert.ok(!allowed(podnet, 'list', 'pods', ''));
    // nodeipam sets spec.podCIDR with a patch of the Node.
    assert.ok(allowed('system:kube-controller-manager', 'patch', 'nodes', '', { name: 'n' }));
    const proxy = 'system:kube-proxy';
    assert.ok(allowed(proxy, 'watch', 'services', ''));
    assert.ok(allowed(proxy, 'list', 'endpoints', ''));
    assert.ok(!allowed(proxy, 'update', 'services', 'default', { name: 's' }));
    // `k8ts join`: a bootstrapper reads the join settings and asks for the proxy's and podnet's
    // service account tokens, and nothing else; those accounts have their roles; a node still
    // reads no other Node and no EndpointSlice.
    const joiner = { name: 'system:bootstrap:abcdef', groups: ['system:bootstrappers', 'system:bootstrappers:k8ts:default-node-token', 'system:authenticated'] };
    const joinerMay = (verb: string, resource: string, ns: string, o: Partial<Attributes> = {}) => authz.authorize(attrs(joiner, verb, resource, ns, o)).decision === 'Allow';
    assert.ok(joinerMay('get', 'configmaps', 'kube-public', { name: 'k8ts-join' }));
    assert.ok(joinerMay('create', 'serviceaccounts', 'kube-system', { name: 'kube-proxy', subresource: 'token' }));
    assert.ok(joinerMay('create', 'serviceaccounts', 'kube-system', { name: 'k8ts-podnet', subresource: 'token' }));
    assert.ok(!joinerMay('create', 'serviceaccounts', 'kube-system', { name: 'default', subresource: 'token' }));
    assert.ok(!joinerMay('get', 'configmaps', 'kube-system', { name: 'kubeadm-config' }));
    assert.ok(!joinerMay('list', 'configmaps', 'kube-public'));
    assert.ok(!joinerMay('list', 'services', ''));
    const sa = (name: string) => ({ name: `system:serviceaccount:kube-system:${name}`, groups: ['system:serviceaccounts', 'system:serviceaccounts:kube-system', 'system:authenticated'] });
    assert.ok(authz.authorize(attrs(sa('kube-proxy'), 'watch', 'endpointslices', '', { apiGroup: 'discovery.k8s.io' })).decision === 'Allow');
    assert.ok(authz.authorize(attrs(sa('k8ts-podnet'), 'list', 'nodes', '')).decision === 'Allow');
    assert.ok(authz.authorize(attrs(sa('k8ts-podnet'), 'list', 'services', '')).decision !== 'Allow');
    const nodeUser = { name: 'system:node:n1', groups: ['system:nodes', 'system:authenticated'] };
    assert.ok(authz.authorize(attrs(nodeUser, 'list', 'endpointslices', '', { apiGroup: 'discovery.k8s.io' })).decision !== 'Allow');
    const dns = 'system:k8ts-dns';
    for (const r of ['services', 'endpoints', 'pods', 'namespaces']) assert.ok(allowed(dns, 'watch', r, ''), r);
    assert.ok(allowed(dns, 'list', 'endpointslices', '', { apiGroup: 'discovery.k8s.io' }));
    assert.ok(!allowed(dns, 'list', 'secrets', ''));
    const cm = 'system:kube-controller-manager';
    assert.ok(allowed(cm, 'create', 'replicasets', 'default', { apiGroup: 'apps' }));
    assert.ok(allowed(cm, 'update', 'namespaces', '', { subresource: 'finalize', name: 'x' }));
    assert.ok(allowed(cm, 'delete', 'configmaps', 'team', { name: 'c' }));
    assert.ok(!allowed(cm, 'create', 'secrets', 'default'));
    // the aggregation controller's write of an aggregated role passes the escalation check
    const view = (await registry.get('clusterroles', '', 'view')) as any;
    view.rules = [{ verbs: ['get'], apiGroups: [''], resources: ['pods'] }];
    await registry.update('clusterroles', '', 'view', view, { user: as(cm) });
    // and a plain user's does not
    view.rules = [{ verbs: ['get'], apiGroups: [''], resources: ['secrets'] }];
    await assert.rejects(registry.update('clusterroles', '', 'view', view, { user: as('mallory') }), /must have cluster-admin privileges to use the aggregationRule/);
  } finally {
    await stop();
  }
});

test("a refusal carries the chain's NoOpinion reasons, as kube-apiserver's Forbidden does", async () => {
  const { authz, stop } = await setup();
  try {
    const node = { name: 'system:node:n1', groups: ['system:nodes', 'system:authenticated'] };
    assert.equal(
      authz.refusal(attrs(node, 'get', 'secrets', 'default', { name: 's' }))?.message,
      `secrets "s" is forbidden: User "system:node:n1" cannot get resource "secrets" in API group "" in the namespace "default": no relationship found between node 'n1' and this object`,
    );
    assert.equal(
      authz.refusal(attrs(node, 'list', 'secrets', 'default'))?.message,
      'secrets is forbidden: User "system:node:n1" cannot list resource "secrets" in API group "" in the namespace "default": No Object name found',
    );
    // RBAC abstains without a reason: nothing is appended.
    assert.equal(authz.refusal(attrs({ name: 'bob', groups: ['system:authenticated'] }, 'list', 'pods', 'default'))?.message, 'pods is forbidden: User "bob" cannot list resource "pods" in API group "" in the namespace "default"');
  } finally {
    await stop();
  }
});
