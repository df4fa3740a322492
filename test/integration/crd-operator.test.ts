// The sample operator of deploy/examples/operator (@kubernetes/client-node informers) against
// the real apiserver: its CRD applied with kubectl, a WebApp reconciled into an owned
// Deployment, its status written through /status, a scale of the WebApp followed, and the
// Deployment garbage-collected by the controller-manager once the WebApp is deleted.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { KubeConfig } from '@kubernetes/client-node';
import { CONTROLLER_MANAGER_IDENTITY, GrpcClient } from '@k8ts/client';
import { startControllerManager, type RunningControllerManager } from '@k8ts/controller-manager';
import { kubectlOk, startKubectlCluster, type KubectlCluster } from './kubectl-cluster.js';
import { until } from '../support/until.js';
import { WebAppOperator } from '../../deploy/examples/operator/src/operator.js';

const DIR = join(import.meta.dirname, '..', '..', 'deploy', 'examples', 'operator');
let cluster: KubectlCluster;
let cm: RunningControllerManager | undefined;
let operator: WebAppOperator | undefined;
const clients: GrpcClient[] = [];
const logs: string[] = [];

before(async () => {
  process.env.K8TS_LOG_LEVEL ??= 'warn';
  cluster = await startKubectlCluster();
  const client = new GrpcClient({ server: cluster.grpcAddress, token: cluster.tokenFor(CONTROLLER_MANAGER_IDENTITY) });
  clients.push(client);
  cm = await startControllerManager({ client, opsPort: -1, leaderElect: false, controllers: ['garbagecollector'] });
});

after(async () => {
  await operator?.stop();
  await cm?.stop();
  for (const c of clients) c.close();
  await cluster?.stop();
  assert.deepEqual(cluster?.componentRefusals() ?? [], [], 'the controller-manager was refused nothing');
});

const ok = (args: string[]) => kubectlOk(cluster, args, { timeoutMs: 60_000 });
const json = async (args: string[]) => JSON.parse(await ok([...args, '-o', 'json']));

test('the WebApp operator reconciles a WebApp into an owned Deployment, follows a scale, and the Deployment is collected with its owner', async () => {
  await ok(['apply', '-f', join(DIR, 'crd.yaml')]);
  await ok(['wait', '--for', 'condition=established', '--timeout=30s', 'crd/webapps.examples.k8ts.io']);
  const kc = new KubeConfig();
  kc.loadFromFile(cluster.kubeconfig);
  operator = new WebAppOperator(kc, (msg, fields) => logs.push(`${msg} ${JSON.stringify(fields ?? {})}`));
  await operator.start();

  await ok(['apply', '-f', join(DIR, 'webapp.yaml')]);
  const app = await json(['get', 'webapp', 'hello']);
  const deploy = await until('the operator creates webapp-hello', async () => {
    const out = await kubectlOk(cluster, ['get', 'deployments', '-o', 'json']);
    return JSON.parse(out).items.find((d: any) => d.metadata.name === 'webapp-hello');
  });
  assert.equal(deploy.spec.replicas, 2);
  assert.equal(deploy.spec.template.spec.containers[0].image, 'k8ts/hello:1.0');
  assert.deepEqual(deploy.metadata.ownerReferences.map((r: any) => [r.kind, r.name, r.uid, r.controller]), [['WebApp', 'hello', app.metadata.uid, true]]);
  const status = await until('the operator writes the WebApp status', async () => (await json(['get', 'webapp', 'hello'])).status);
  assert.equal(status.deployment, 'webapp-hello');

  // kubectl scale goes through the WebApp's scale subresource; the operator follows it.
  await ok(['scale', 'webapp/hello', '--replicas=3']);
  await until('the Deployment follows the scale', async () => (await json(['get', 'deployment', 'webapp-hello'])).spec.replicas === 3);

  await ok(['delete', 'webapp', 'hello']);
  await until('the garbage collector deletes the owned Deployment', async () => !(await ok(['get', 'deployments', '-o', 'name'])).includes('webapp-hello'), 30_000);
  assert.ok(!logs.some((l) => l.startsWith('reconcile failed')), logs.join('\n'));
});
