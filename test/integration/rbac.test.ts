// RBAC against a real apiserver over etcd with --authorization-mode=Node,RBAC, driven by
// kubectl 1.32 and @k8ts/client: bootstrap policy (and its restoration at restart),
// aggregation, namespace-scoped view, resourceNames, non-resource URLs, the escalation check,
// and the gRPC face refusing alike.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import https from 'node:https';
import { ApiError } from '@k8ts/client';
import { runKubectl, type KubectlRun } from './kubectl-cluster.js';
import { startRbacCluster, type RbacCluster } from './rbac-cluster.js';
import { until } from '../support/until.js';

/** The HTTP status of an unauthenticated GET (the test's self-signed serving certificate is not checked). */
function status(path: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = https.get({ host: '127.0.0.1', port: cluster.api.restPort, path, rejectUnauthorized: false }, (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    req.on('error', reject);
  });
}

let cluster: RbacCluster;

describe('RBAC', () => {
  const kubectl = (user: string, args: string[], input?: string): Promise<KubectlRun> =>
    runKubectl({ dir: cluster.dir, kubeconfig: cluster.kubeconfig(user) }, args, { input });
  const ok = async (user: string, args: string[], input?: string) => {
    const r = await kubectl(user, args, input);
    assert.equal(r.code, 0, `kubectl ${args.join(' ')} as ${user}: ${r.stderr}`);
    return r.stdout;
  };
  /** kubectl as `user` until it succeeds (the authorizer's caches follow a watch). */
  const eventually = (user: string, args: string[]) => until(`kubectl ${args.join(' ')} as ${user}`, async () => ((await kubectl(user, args)).code === 0 ? true : undefined));

  before(async () => {
    cluster = await startRbacCluster(['alice', 'carol', 'nobody']);
    await ok('admin', ['create', 'namespace', 'team']);
    await ok('admin', ['create', 'configmap', 'app', '-n', 'team', '--from-literal=a=b']);
    await ok('admin', ['create', 'configmap', 'other', '-n', 'team', '--from-literal=a=b']);
  });
  after(async () => {
    await cluster?.stop();
  });

  it('creates the bootstrap roles and bindings, printed as kubectl prints them', async () => {
    const roles = await ok('admin', ['get', 'clusterroles']);
    assert.match(roles.split('\n')[0]!, /^NAME\s+CREATED AT$/);
    for (const n of ['cluster-admin', 'admin', 'edit', 'view', 'system:discovery', 'system:basic-user', 'system:public-info-viewer', 'system:kube-scheduler', 'system:kube-controller-manager', 'system:node-proxier'])
      assert.match(roles, new RegExp(`^${n}\\s`, 'm'), n);
    const bindings = await ok('admin', ['get', 'clusterrolebindings', '-o', 'wide']);
    assert.match(bindings.split('\n')[0]!, /^NAME\s+ROLE\s+AGE\s+USERS\s+GROUPS\s+SERVICEACCOUNTS/);
    assert.match(bindings, /^cluster-admin\s+ClusterRole\/cluster-admin\s+\S+\s+system:masters/m);
    assert.match(bindings, /^system:kube-scheduler\s+ClusterRole\/system:kube-scheduler\s+\S+\s+system:kube-scheduler/m);
  });

  it('aggregates the labelled ClusterRoles into view', async () => {
    await until('view aggregated', async () => ((await cluster.api.registry.get('clusterroles', '', 'view')) as any).rules?.length > 0);
    const manifest = [
      'apiVersion: rbac.authorization.k8s.io/v1',
      'kind: ClusterRole',
      'metadata:',
      '  name: widget-viewer',
      '  labels: {rbac.authorization.k8s.io/aggregate-to-view: "true"}',
      'rules:',
      '- {apiGroups: [example.com], resources: [widgets], verbs: [get, list]}',
      '',
    ].join('\n');
    await ok('admin', ['apply', '-f', '-'], manifest);
    await until('widgets in view', async () =>
      ((await cluster.api.registry.get('clusterroles', '', 'view')) as any).rules.some((r: any) => r.resources?.includes('widgets') && r.apiGroups?.includes('example.com')),
    );
  });

  it('a user bound to view in one namespace lists pods there, and is refused secrets and other namespaces', async () => {
    let r = await kubectl('alice', ['get', 'pods', '-n', 'team']);
    assert.equal(r.stderr.trim(), 'Error from server (Forbidden): pods is forbidden: User "alice" cannot list resource "pods" in API group "" in the namespace "team"');
    await ok('admin', ['create', 'rolebinding', 'alice-view', '--clusterrole=view', '--user=alice', '-n', 'team']);
    assert.match(await ok('admin', ['get', 'rolebindings', '-n', 'team']), /^alice-view\s+ClusterRole\/view\s/m);
    await eventually('alice', ['get', 'pods', '-n', 'team']);
    r = await kubectl('alice', ['get', 'secrets', '-n', 'team']);
    assert.equal(r.code, 1);
    assert.equal(r.stderr.trim(), 'Error from server (Forbidden): secrets is forbidden: User "alice" cannot list resource "secrets" in API group "" in the namespace "team"');
    r = await kubectl('alice', ['get', 'pods', '-n', 'default']);
    assert.equal(r.stderr.trim(), 'Error from server (Forbidden): pods is forbidden: User "alice" cannot list resource "pods" in API group "" in the namespace "default"');
    r = await kubectl('alice', ['delete', 'configmap', 'app', '-n', 'team']);
    assert.equal(r.stderr.trim(), 'Error from server (Forbidden): configmaps "app" is forbidden: User "alice" cannot delete resource "configmaps" in API group "" in the namespace "team"');
    r = await kubectl('alice', ['get', 'nodes']);
    assert.equal(r.stderr.trim(), 'Error from server (Forbidden): nodes is forbidden: User "alice" cannot list resource "nodes" in API group "" at the cluster scope');
  });

  it('stream upgrades and logs are authorized: exec is `create` on pods/exec, logs `get` on pods/log', async () => {
    const pod = 'apiVersion: v1\nkind: Pod\nmetadata: {name: p, namespace: team}\nspec: {containers: [{name: c, image: k8ts/hello:1}]}\n';
    await ok('admin', ['apply', '-f', '-'], pod);
    const r = await kubectl('alice', ['exec', 'p', '-n', 'team', '--', 'ls']);
    assert.notEqual(r.code, 0);
    assert.match(r.stderr, /pods "p" is forbidden: User "alice" cannot create resource "pods\/exec" in API group "" in the namespace "team"/);
    await ok('admin', ['create', 'role', 'pod-getter', '--verb=get', '--resource=pods', '-n', 'team']);
    await ok('admin', ['create', 'rolebinding', 'nobody-gets-pods', '--role=pod-getter', '--user=nobody', '-n', 'team']);
    await eventually('nobody', ['get', 'pod', 'p', '-n', 'team']);
    const logs = await kubectl('nobody', ['logs', 'p', '-n', 'team']);
    assert.match(logs.stderr, /pods "p" is forbidden: User "nobody" cannot get resource "pods\/log" in API group "" in the namespace "team"/);
  });

  it('resourceNames grant the named object alone', async () => {
    await ok('admin', ['create', 'role', 'app-config', '--verb=get', '--resource=configmaps', '--resource-name=app', '-n', 'default']);
    await ok('admin', ['create', 'rolebinding', 'alice-app-config', '--role=app-config', '--user=alice', '-n', 'default']);
    await ok('admin', ['create', 'configmap', 'app', '-n', 'default', '--from-literal=a=b']);
    await eventually('alice', ['get', 'configmap', 'app', '-n', 'default']);
    const r = await kubectl('alice', ['get', 'configmap', 'kube-root-ca', '-n', 'default']);
    assert.equal(r.stderr.trim(), 'Error from server (Forbidden): configmaps "kube-root-ca" is forbidden: User "alice" cannot get resource "configmaps" in API group "" in the namespace "default"');
  });

  it('non-resource URLs: /healthz and /version for all, /metrics only with a rule for it', async () => {
    assert.equal(await ok('nobody', ['get', '--raw', '/healthz']), 'ok');
    assert.match(await ok('nobody', ['get', '--raw', '/version']), /gitVersion/);
    let r = await kubectl('nobody', ['get', '--raw', '/metrics']);
    assert.equal(r.stderr.trim(), 'Error from server (Forbidden): forbidden: User "nobody" cannot get path "/metrics"');
    await ok('admin', ['create', 'clusterrole', 'metrics-reader', '--verb=get', '--non-resource-url=/metrics']);
    await ok('admin', ['create', 'clusterrolebinding', 'nobody-metrics', '--clusterrole=metrics-reader', '--user=nobody']);
    await eventually('nobody', ['get', '--raw', '/metrics']);
    r = await kubectl('nobody', ['get', '--raw', '/openapi/v2']);
    assert.equal(r.code, 0, r.stderr);
    // without credentials: /healthz through the public-info-viewer role (bound to
    // system:unauthenticated); anything else stays 401
    assert.equal(await status('/healthz'), 200);
    assert.equal(await status('/livez'), 200);
    assert.equal(await status('/apis'), 401);
  });

  it('escalation: a namespace admin cannot bind cluster-admin, and can with the bind verb', async () => {
    await ok('admin', ['create', 'rolebinding', 'carol-admin', '--clusterrole=admin', '--user=carol', '-n', 'team']);
    await until('admin aggregated', async () => ((await cluster.api.registry.get('clusterroles', '', 'admin')) as any).rules?.some((r: any) => r.resources?.includes('rolebindings')));
    await eventually('carol', ['get', 'rolebindings', '-n', 'team']);
    // what carol holds she may hand on
    await until('carol binds view', async () => (await kubectl('carol', ['create', 'rolebinding', 'dave-view', '--clusterrole=view', '--user=dave', '-n', 'team'])).code === 0);
    let r = await kubectl('carol', ['create', 'rolebinding', 'carol-root', '--clusterrole=cluster-admin', '--user=carol', '-n', 'team']);
    assert.equal(r.code, 1);
    assert.match(
      r.stderr,
      /^error: failed to create rolebinding: rolebindings.rbac.authorization.k8s.io "carol-root" is forbidden: user "carol" \(groups=\["system:authenticated"\]\) is attempting to grant RBAC permissions not currently held:\n\{APIGroups:\["\*"\], Resources:\["\*"\], Verbs:\["\*"\]\}/,
    );
    r = await kubectl('carol', ['create', 'role', 'secret-eraser', '--verb=delete', '--resource=secrets', '-n', 'default']);
    assert.match(r.stderr, /is forbidden: User "carol" cannot create resource "roles" in API group "rbac.authorization.k8s.io" in the namespace "default"/);
    await ok('admin', ['create', 'clusterrole', 'bind-cluster-admin', '--verb=bind', '--resource=clusterroles', '--resource-name=cluster-admin']);
    await ok('admin', ['create', 'rolebinding', 'carol-may-bind', '--clusterrole=bind-cluster-admin', '--user=carol', '-n', 'team']);
    await eventually('carol', ['create', 'rolebinding', 'carol-root', '--clusterrole=cluster-admin', '--user=carol', '-n', 'team']);
  });

  it('the gRPC face refuses alike (PERMISSION_DENIED carrying the 403 Status)', async () => {
    const c = cluster.grpc('nobody');
    await assert.rejects(c.list('pods', { namespace: 'team' }), (e: unknown) => {
      assert.ok(e instanceof ApiError);
      assert.equal(e.code, 403);
      assert.equal(e.message, 'pods is forbidden: User "nobody" cannot list resource "pods" in API group "" in the namespace "team"');
      return true;
    });
    await assert.rejects(c.get('configmaps', 'team', 'app'), (e: unknown) => e instanceof ApiError && e.code === 403 && /configmaps "app" is forbidden: User "nobody" cannot get/.test(e.message));
    await assert.rejects(
      c.create('configmaps', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'x', namespace: 'team' } }),
      (e: unknown) => e instanceof ApiError && e.code === 403,
    );
    const alice = cluster.grpc('alice');
    assert.ok((await alice.list('pods', { namespace: 'team' })).items);
    assert.ok(await alice.get('configmaps', 'team', 'app'));
  });

  it('restores deleted bootstrap objects at the next start', async () => {
    await ok('admin', ['delete', 'clusterrole', 'system:discovery']);
    await ok('admin', ['delete', 'clusterrolebinding', 'system:basic-user']);
    await cluster.restart();
    await ok('admin', ['get', 'clusterrole', 'system:discovery']);
    await ok('admin', ['get', 'clusterrolebinding', 'system:basic-user']);
    await eventually('alice', ['get', 'pods', '-n', 'team']);
  });
});
