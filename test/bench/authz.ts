// Microbenchmark: CPU per authorization decision of the chain `Node,RBAC` over the RBAC caches
// (the registry on the in-memory etcd, so no I/O), with a realistic policy: the bootstrap roles
// and bindings plus, per namespace, a RoleBinding of `view` and one of a Role to a user.
//   node --import tsx test/bench/authz.ts [--namespaces 500] [--decisions 1000000]
import { createLogger } from '@k8ts/client';
import type { KubeObject } from '@k8ts/api';
import { EtcdRegistry } from '../../packages/apiserver/src/registry/registry.js';
import { memoryStore } from '../../packages/apiserver/src/storage/memory-kv.js';
import { startAuthorization, resourceAttributes, type Attributes } from '../../packages/apiserver/src/authz/index.js';

const args = process.argv.slice(2);
const arg = (name: string, def: string) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? Number(args[i + 1]) : Number(def);
};
const NAMESPACES = arg('namespaces', '500');
const DECISIONS = arg('decisions', '1000000');
const logger = createLogger('authz-bench');
logger.level = 'silent';
const memory = memoryStore(logger);
const registry = new EtcdRegistry({ store: memory.store, logger, watch: { logger } });
await registry.ensureSystemNamespaces();
const rbac = 'rbac.authorization.k8s.io';
for (let i = 0; i < NAMESPACES; i++) {
  const ns = `ns-${i}`;
  await registry.create('namespaces', '', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns } });
  await registry.create('roles', ns, { apiVersion: `${rbac}/v1`, kind: 'Role', metadata: { name: 'deployer', namespace: ns }, rules: [{ verbs: ['create', 'update', 'patch', 'delete'], apiGroups: ['apps'], resources: ['deployments', 'replicasets'] }, { verbs: ['get'], apiGroups: [''], resources: ['configmaps'], resourceNames: ['cfg'] }] } as KubeObject);
  await registry.create('rolebindings', ns, { apiVersion: `${rbac}/v1`, kind: 'RoleBinding', metadata: { name: 'viewers', namespace: ns }, roleRef: { apiGroup: rbac, kind: 'ClusterRole', name: 'view' }, subjects: [{ kind: 'Group', apiGroup: rbac, name: `team-${i}` }] } as KubeObject);
  await registry.create('rolebindings', ns, { apiVersion: `${rbac}/v1`, kind: 'RoleBinding', metadata: { name: 'deployer', namespace: ns }, roleRef: { apiGroup: rbac, kind: 'Role', name: 'deployer' }, subjects: [{ kind: 'User', apiGroup: rbac, name: `user-${i}` }, { kind: 'ServiceAccount', name: 'ci', namespace: ns }] } as KubeObject);
}
const authz = await startAuthorization({ registry, modes: 'Node,RBAC', logger });
// view's rules come from the aggregation controller; give it the bootstrap view rules here.
const view = (await registry.get('clusterroles', '', 'system:aggregate-to-view')) as KubeObject & { rules: unknown[] };
const viewRole = await registry.get('clusterroles', '', 'view');
await registry.update('clusterroles', '', 'view', { ...viewRole, rules: view.rules } as KubeObject);
await new Promise((r) => setTimeout(r, 200));

const route = (resource: string, group: string, namespace: string, name?: string) => ({ group, version: 'v1', resource, namespace, name, watchPath: false });
const cases: [string, Attributes, 'Allow' | 'NoOpinion'][] = [
  ['user creates a deployment (Role via RoleBinding)', resourceAttributes({ name: 'user-7', groups: ['system:authenticated'] }, 'create', route('deployments', 'apps', 'ns-7'), ''), 'Allow'],
  ['group member lists pods (ClusterRole view via RoleBinding)', resourceAttributes({ name: 'someone', groups: ['team-9', 'system:authenticated'] }, 'list', route('pods', '', 'ns-9'), ''), 'Allow'],
  ['service account gets a named configmap', resourceAttributes({ name: 'system:serviceaccount:ns-3:ci', groups: ['system:serviceaccounts', 'system:serviceaccounts:ns-3', 'system:authenticated'] }, 'get', route('configmaps', '', 'ns-3', 'cfg'), ''), 'Allow'],
  ['scheduler binds a pod (ClusterRoleBinding)', resourceAttributes({ name: 'system:kube-scheduler', groups: ['system:authenticated'] }, 'create', { ...route('pods', '', 'ns-1', 'p'), subresource: 'binding' }, ''), 'Allow'],
  ['refused: user lists secrets elsewhere', resourceAttributes({ name: 'user-7', groups: ['system:authenticated'] }, 'list', route('secrets', '', 'ns-8'), ''), 'NoOpinion'],
  ['system:masters', resourceAttributes({ name: 'admin', groups: ['system:masters', 'system:authenticated'] }, 'delete', route('pods', '', 'ns-1', 'p'), ''), 'Allow'],
];
console.log(`policy: ${NAMESPACES} namespaces × (1 Role, 2 RoleBindings) + bootstrap; ${DECISIONS} decisions per case`);
for (const [what, a, want] of cases) {
  const got = authz.authorize(a).decision;
  if (got !== want) throw new Error(`${what}: ${got}, expected ${want}`);
  for (let i = 0; i < 10_000; i++) authz.authorize(a);
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  for (let i = 0; i < DECISIONS; i++) authz.authorize(a);
  const wall = performance.now() - t0;
  const cpu = process.cpuUsage(cpu0);
  console.log(`${what.padEnd(62)} ${((wall * 1000) / DECISIONS).toFixed(3)} µs/decision wall, ${((cpu.user + cpu.system) / DECISIONS).toFixed(3)} µs CPU`);
}
authz.stop();
await registry.close();
