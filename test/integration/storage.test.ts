// Persistent storage end to end, through the real kubectl and real Docker: the default
// `local-path` class, a claim bound when its first pod is scheduled (WaitForFirstConsumer,
// provisioned on that pod's node), data written by one pod read by the next, the
// pvc-protection finalizer holding a claim while a pod uses it, reclaimPolicy Delete (volume
// and folder gone) and Retain (both kept), and the bad input: invalid claims refused with 422,
// claims no class can serve Pending with an event, a missing claim and a volume whose node is
// gone keeping their pods Pending with the scheduler's words; and a StatefulSet's per-ordinal
// claims keeping a pod's data when it is made again. Every component runs as itself.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { clientFromOptions, CONTROLLER_MANAGER_IDENTITY, nodeIdentity, SCHEDULER_IDENTITY, type GrpcClient } from '@k8ts/client';
import { startScheduler, type RunningScheduler } from '@k8ts/scheduler';
import { startControllerManager, type RunningControllerManager } from '@k8ts/controller-manager';
import { startKubectlCluster, runKubectl, kubectlOk, type KubectlCluster } from './kubectl-cluster.js';
import { AgentHarness, waitFor } from './agent-harness.js';

const NODE = `storage-${Math.random().toString(36).slice(2, 7)}`;
let cluster: KubectlCluster;
let h: AgentHarness;
let sched: RunningScheduler;
let cm: RunningControllerManager;
const clients: GrpcClient[] = [];

const k = (...args: string[]) => kubectlOk(cluster, args);
const kr = (args: string[], input?: string) => runKubectl(cluster, args, { input });
const apply = (yaml: string) => kubectlOk(cluster, ['apply', '-f', '-'], { input: yaml });
const jsonpath = (what: string, path: string) => k('get', ...what.split(' '), '-o', `jsonpath=${path}`);
const localPathDir = () => join(h.stateDir, NODE, 'local-path');

function claimYaml(name: string, extra = '', modes = '[ReadWriteOnce]', storage = '64Mi'): string {
  return `apiVersion: v1
kind: PersistentVolumeClaim
metadata: {name: ${name}}
spec:
  accessModes: ${modes}
  resources: {requests: {storage: ${storage}}}
${extra}`;
}

function podYaml(name: string, claim: string, command: string, restartPolicy = 'Always'): string {
  return `apiVersion: v1
kind: Pod
metadata: {name: ${name}}
spec:
  restartPolicy: ${restartPolicy}
  terminationGracePeriodSeconds: 0
  containers:
  - name: c
    image: k8ts/busybox:1.36
    command: [sh, -c, '${command}']
    volumeMounts: [{name: data, mountPath: /data}]
  volumes:
  - name: data
    persistentVolumeClaim: {claimName: ${claim}}
`;
}

async function phaseOf(what: string): Promise<string> {
  const r = await kr(['get', ...what.split(' '), '-o', 'jsonpath={.status.phase}']);
  return r.code === 0 ? r.stdout : 'NotFound';
}

async function eventsOf(name: string): Promise<string> {
  return k('get', 'events', '--field-selector', `involvedObject.name=${name}`, '-o', 'jsonpath={range .items[*]}{.reason}: {.message}{"\\n"}{end}');
}

before(async () => {
  process.env.K8TS_LOG_LEVEL ??= 'warn';
  await AgentHarness.images();
  cluster = await startKubectlCluster({ nodes: [NODE] });
  const as = (token: string) => {
    const c = clientFromOptions({ server: cluster.grpcAddress, token });
    clients.push(c);
    return c;
  };
  sched = await startScheduler({ client: as(cluster.tokenFor(SCHEDULER_IDENTITY)), leaderElect: false });
  cm = await startControllerManager({ client: as(cluster.tokenFor(CONTROLLER_MANAGER_IDENTITY)), leaderElect: false, opsPort: -1 });
  h = new AgentHarness(as(cluster.tokenFor(nodeIdentity(NODE))));
  const agent = await h.start(NODE, { streams: true });
  await waitFor('agent stream open', () => agent.streams?.connected, 10_000);
});

after(async () => {
  await cm?.stop().catch(() => undefined);
  await sched?.stop().catch(() => undefined);
  await h?.cleanup();
  for (const c of clients) c.close();
  await cluster?.stop();
  assert.deepEqual(cluster?.componentRefusals() ?? [], [], 'the components and the node, each as itself, were refused nothing');
});

test('the default class local-path is there, printed as kubectl prints classes', async () => {
  const out = await k('get', 'sc');
  assert.match(out, /^NAME\s+PROVISIONER\s+RECLAIMPOLICY\s+VOLUMEBINDINGMODE\s+ALLOWVOLUMEEXPANSION\s+AGE\n/);
  assert.match(out, /\nlocal-path \(default\)\s+rancher\.io\/local-path\s+Delete\s+WaitForFirstConsumer\s+false\s+\S+\n/);
});

test('invalid claims are refused with 422 and leave nothing behind', async () => {
  const modes = await kr(['apply', '-f', '-'], claimYaml('bad-modes', '', '[ReadWriteSometimes]'));
  assert.notEqual(modes.code, 0);
  assert.match(modes.stderr, /spec.accessModes: Unsupported value: "ReadWriteSometimes": supported values: "ReadOnlyMany", "ReadWriteMany", "ReadWriteOnce", "ReadWriteOncePod"/);
  const size = await kr(['apply', '-f', '-'], claimYaml('bad-size', '', '[ReadWriteOnce]', '"0"'));
  assert.match(size.stderr, /spec.resources\[storage\]: Invalid value: "0": must be greater than zero/);
  const none = await kr(['apply', '-f', '-'], claimYaml('no-modes', '', '[]'));
  assert.match(none.stderr, /spec.accessModes: Required value: at least 1 access mode is required/);
  assert.equal(await phaseOf('pvc bad-modes'), 'NotFound');
  assert.equal(await phaseOf('pvc bad-size'), 'NotFound');
});

test('a claim waits for its first pod, is provisioned on its node, and its data outlives the pod', async () => {
  await apply(claimYaml('data'));
  assert.equal(await jsonpath('pvc data', '{.spec.storageClassName}'), 'local-path', 'DefaultStorageClass admission');
  assert.equal(await jsonpath('pvc data', '{.metadata.finalizers}'), '["kubernetes.io/pvc-protection"]');
  await waitFor('WaitForFirstConsumer event', async () => /WaitForFirstConsumer: waiting for first consumer to be created before binding/.test(await eventsOf('data')));
  assert.equal(await phaseOf('pvc data'), 'Pending');

  await apply(podYaml('writer', 'data', 'echo persisted-$(hostname) > /data/msg && exec sleep 3600'));
  await waitFor('writer Running', async () => (await phaseOf('pod writer')) === 'Running', 60_000, 250);
  assert.equal(await phaseOf('pvc data'), 'Bound');
  const pv = await jsonpath('pvc data', '{.spec.volumeName}');
  assert.match(pv, /^pvc-[0-9a-f-]+$/);
  assert.equal(await jsonpath(`pv ${pv}`, '{.spec.nodeAffinity.required.nodeSelectorTerms[0].matchExpressions[0].values[0]}'), NODE);
  assert.equal(await jsonpath('pvc data', `{.metadata.annotations.volume\\.kubernetes\\.io/selected-node}`), NODE);
  const pvs = await k('get', 'pv');
  assert.match(pvs, /^NAME\s+CAPACITY\s+ACCESS MODES\s+RECLAIM POLICY\s+STATUS\s+CLAIM\s+STORAGECLASS\s+VOLUMEATTRIBUTESCLASS\s+REASON\s+AGE\n/);
  assert.match(pvs, new RegExp(`\\n${pv}\\s+64Mi\\s+RWO\\s+Delete\\s+Bound\\s+default/data\\s+local-path\\s+<unset>\\s+\\S+\\n`));
  const pvcs = await k('get', 'pvc');
  assert.match(pvcs, /^NAME\s+STATUS\s+VOLUME\s+CAPACITY\s+ACCESS MODES\s+STORAGECLASS\s+VOLUMEATTRIBUTESCLASS\s+AGE\n/);
  assert.match(pvcs, new RegExp(`\\ndata\\s+Bound\\s+${pv}\\s+64Mi\\s+RWO\\s+local-path\\s+<unset>\\s+\\S+\\n`));
  const dir = await jsonpath(`pv ${pv}`, '{.spec.hostPath.path}');
  assert.equal(dir, join(localPathDir(), `${pv}_default_data`));
  await waitFor('file on the node', () => existsSync(join(dir, 'msg')));

  await k('delete', 'pod', 'writer', '--wait=true');
  await apply(podYaml('reader', 'data', 'cat /data/msg', 'Never'));
  await waitFor('reader Succeeded', async () => (await phaseOf('pod reader')) === 'Succeeded', 60_000, 250);
  assert.equal((await k('logs', 'reader')).trim(), 'persisted-writer');

  // pvc-protection: the claim is held while the (finished) reader pod still names it
  await k('delete', 'pvc', 'data', '--wait=false');
  assert.match(await k('get', 'pvc', 'data'), /\ndata\s+Terminating\s+/);
  await new Promise((r) => setTimeout(r, 1000));
  assert.equal(await jsonpath('pvc data', '{.metadata.finalizers}'), '["kubernetes.io/pvc-protection"]');

  // reclaimPolicy Delete: once the pod is gone the claim goes, then the volume and its folder
  await k('delete', 'pod', 'reader');
  await waitFor('claim gone', async () => (await phaseOf('pvc data')) === 'NotFound', 30_000, 250);
  await waitFor('volume deleted', async () => (await phaseOf(`pv ${pv}`)) === 'NotFound', 60_000, 250);
  assert.equal(existsSync(dir), false, 'the folder was removed on the node');
  await waitFor('helper pod removed', async () => (await kr(['get', 'pods', '-n', 'kube-system', '-o', 'name'])).stdout.includes('helper-pod') === false);
});

test('reclaimPolicy Retain keeps the volume and its data after the claim is gone', async () => {
  await apply(`apiVersion: storage.k8s.io/v1
kind: StorageClass
metadata: {name: local-retain}
provisioner: rancher.io/local-path
reclaimPolicy: Retain
volumeBindingMode: WaitForFirstConsumer
`);
  await apply(claimYaml('kept', '  storageClassName: local-retain'));
  await apply(podYaml('keeper', 'kept', 'echo keep-me > /data/msg', 'Never'));
  await waitFor('keeper Succeeded', async () => (await phaseOf('pod keeper')) === 'Succeeded', 60_000, 250);
  const pv = await jsonpath('pvc kept', '{.spec.volumeName}');
  const dir = await jsonpath(`pv ${pv}`, '{.spec.hostPath.path}');
  await k('delete', 'pod', 'keeper');
  await k('delete', 'pvc', 'kept');
  await waitFor('volume Released', async () => (await phaseOf(`pv ${pv}`)) === 'Released', 30_000, 250);
  await new Promise((r) => setTimeout(r, 1500));
  assert.equal(await phaseOf(`pv ${pv}`), 'Released', 'kept');
  assert.ok(existsSync(join(dir, 'msg')), 'data kept on the node');
  assert.match(await k('get', 'pv', pv), new RegExp(`\\n${pv}\\s+64Mi\\s+RWO\\s+Retain\\s+Released\\s+default/kept\\s+local-retain\\s+`));
  // the administrator's to remove: the volume goes, its folder stays (Retain)
  await k('delete', 'pv', pv);
  assert.ok(existsSync(dir));
  await k('delete', 'sc', 'local-retain');
});

test('claims no class can serve stay Pending with an event saying why', async () => {
  await apply(claimYaml('ghost', '  storageClassName: nope'));
  await waitFor('class not found event', async () => /ProvisioningFailed: storageclass.storage.k8s.io "nope" not found/.test(await eventsOf('ghost')));
  assert.equal(await phaseOf('pvc ghost'), 'Pending');
  await apply(claimYaml('shared', '', '[ReadWriteMany]'));
  await apply(podYaml('sharer', 'shared', 'sleep 3600'));
  await waitFor('access mode refused', async () => /ProvisioningFailed: failed to provision volume with StorageClass "local-path": NodePath only supports ReadWriteOnce and ReadWriteOncePod \(1.22\+\) access modes/.test(await eventsOf('shared')), 30_000, 250);
  assert.equal(await phaseOf('pvc shared'), 'Pending');
  assert.equal(await phaseOf('pod sharer'), 'Pending');
  await k('delete', 'pod', 'sharer');
  await k('delete', 'pvc', 'shared', 'ghost');
});

test('a pod whose claim is missing, or whose volume\'s node is gone, stays Pending with the reason', async () => {
  await apply(podYaml('orphan', 'missing', 'sleep 3600'));
  const cond = () => jsonpath('pod orphan', '{.status.conditions[?(@.type=="PodScheduled")].message}');
  await waitFor('missing claim reported', async () => (await cond()) === '0/1 nodes are available: persistentvolumeclaim "missing" not found.', 30_000, 250);
  await k('delete', 'pod', 'orphan');

  await apply(`apiVersion: v1
kind: PersistentVolume
metadata: {name: stranded-pv}
spec:
  capacity: {storage: 64Mi}
  accessModes: [ReadWriteOnce]
  storageClassName: ""
  hostPath: {path: ${join(h.stateDir, 'stranded')}}
  claimRef: {namespace: default, name: stranded}
  nodeAffinity:
    required:
      nodeSelectorTerms:
      - matchExpressions: [{key: kubernetes.io/hostname, operator: In, values: [node-that-was-removed]}]
`);
  await apply(claimYaml('stranded', '  storageClassName: ""\n  volumeName: stranded-pv'));
  await waitFor('static claim bound', async () => (await phaseOf('pvc stranded')) === 'Bound', 30_000, 250);
  await apply(podYaml('stuck', 'stranded', 'sleep 3600'));
  const stuck = () => jsonpath('pod stuck', '{.status.conditions[?(@.type=="PodScheduled")].message}');
  await waitFor('node conflict reported', async () => (await stuck()) === '0/1 nodes are available: 1 node(s) had volume node affinity conflict.', 30_000, 250);
  assert.equal(await phaseOf('pod stuck'), 'Pending');
  await k('delete', 'pod', 'stuck');
  await k('delete', 'pvc', 'stranded');
  await waitFor('static volume Released', async () => (await phaseOf('pv stranded-pv')) === 'Released', 30_000, 250);
  await k('delete', 'pv', 'stranded-pv');
  assert.deepEqual(existsSync(localPathDir()) ? readdirSync(localPathDir()).filter((d) => !d.includes('_default_kept')) : [], []);
});

test('a StatefulSet\'s claims: data written in db-1 is there again when its pod is deleted and made again', async () => {
  await apply(`apiVersion: apps/v1
kind: StatefulSet
metadata: {name: db}
spec:
  serviceName: db
  replicas: 2
  selector: {matchLabels: {app: db}}
  template:
    metadata: {labels: {app: db}}
    spec:
      terminationGracePeriodSeconds: 0
      containers:
      - name: c
        image: k8ts/busybox:1.36
        command: [sh, -c, 'exec sleep 3600']
        volumeMounts: [{name: data, mountPath: /data}]
  volumeClaimTemplates:
  - metadata: {name: data}
    spec:
      accessModes: [ReadWriteOnce]
      resources: {requests: {storage: 32Mi}}
`);
  await waitFor('db-1 Running', async () => (await phaseOf('pod db-1')) === 'Running', 90_000, 250);
  assert.equal(await phaseOf('pvc data-db-1'), 'Bound');
  const uid = await jsonpath('pod db-1', '{.metadata.uid}');
  await k('exec', 'db-1', '--', 'sh', '-c', 'echo written-by-$(hostname) > /data/marker');
  await k('delete', 'pod', 'db-1');
  await waitFor('db-1 made again', async () => (await phaseOf('pod db-1')) === 'Running' && (await jsonpath('pod db-1', '{.metadata.uid}')) !== uid, 60_000, 250);
  assert.equal((await k('exec', 'db-1', '--', 'cat', '/data/marker')).trim(), 'written-by-db-1');
  // whenDeleted: Retain (the default): the claims outlive the set; deleting them releases the volumes
  await k('delete', 'statefulset', 'db');
  await waitFor('pods gone', async () => (await phaseOf('pod db-0')) === 'NotFound' && (await phaseOf('pod db-1')) === 'NotFound', 60_000, 250);
  assert.equal(await phaseOf('pvc data-db-1'), 'Bound');
  const volumes = [await jsonpath('pvc data-db-0', '{.spec.volumeName}'), await jsonpath('pvc data-db-1', '{.spec.volumeName}')];
  await k('delete', 'pvc', 'data-db-0', 'data-db-1');
  for (const pv of volumes) await waitFor(`${pv} deleted`, async () => (await phaseOf(`pv ${pv}`)) === 'NotFound', 60_000, 250);
});
