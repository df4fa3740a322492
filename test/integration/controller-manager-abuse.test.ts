// The controller-manager (its own process, memory sampled from /proc) while a namespace of
// extreme workloads lives and is deleted: Deployments near int32 max replicas, maxSurge and
// maxUnavailable 100 %, history limits and deadlines near int32 max, CronJobs every minute.
// It must stay bounded, keep its Lease and finish the deletion: under Node,RBAC, as
// system:kube-controller-manager, refused nothing (test/support/cluster-auth.ts).
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { KubeObject } from '@k8ts/api';
import { startApiServer, type ApiServer } from '@k8ts/apiserver';
import { GrpcClient, createLogger, isNotFound } from '@k8ts/client';
import { startEtcd, type TestEtcd } from '../support/etcd.js';
import { writeClusterAuth, type ClusterAuth } from '../support/cluster-auth.js';

const INT32_MAX = 2147483647;
let etcd: TestEtcd;
let api: ApiServer;
let tmp: string;
let cm: ChildProcess | undefined;
let client: GrpcClient;
let auth: ClusterAuth;

const rssMiB = (pid: number): number => {
  const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) / 1024 : NaN;
};
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

before(async () => {
  etcd = await startEtcd();
  tmp = mkdtempSync(path.join(os.tmpdir(), 'k8ts-cm-abuse-'));
  auth = writeClusterAuth(tmp);
  const logger = createLogger('apiserver');
  logger.level = 'silent';
  api = await startApiServer({ etcdServers: [etcd.url], port: 0, grpcPort: 0, ...auth.apiserver, logger });
  client = new GrpcClient({ server: `127.0.0.1:${api.grpcPort}`, token: auth.adminToken });
  cm = spawn(process.execPath, ['--import', 'tsx', 'packages/controller-manager/src/main.ts', '--server', `127.0.0.1:${api.grpcPort}`, '--token-file', auth.tokenFile('controller-manager'), '--ops-port', '-1'], {
    cwd: process.cwd(),
    env: { ...process.env, K8TS_LOG_LEVEL: 'error' },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
});

after(async () => {
  if (cm?.pid && cm.exitCode === null) {
    cm.kill('SIGKILL');
    await new Promise((r) => cm!.once('exit', r));
  }
  client?.close();
  await api?.stop();
  await etcd?.stop();
  const refused = auth?.componentRefusals() ?? [];
  if (tmp) rmSync(tmp, { recursive: true, force: true });
  assert.deepEqual(refused, [], 'the controller-manager, as itself, was refused nothing');
});

function extremeDeployment(i: number): KubeObject {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: `x${i}`, namespace: 'abuse' },
    spec: {
      replicas: i % 2 ? INT32_MAX : 1000,
      revisionHistoryLimit: INT32_MAX,
      progressDeadlineSeconds: INT32_MAX,
      minReadySeconds: INT32_MAX - 1,
      strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: '100%', maxUnavailable: '100%' } },
      selector: { matchLabels: { app: `x${i}` } },
      template: { metadata: { labels: { app: `x${i}` } }, spec: { containers: [{ name: 'c', image: 'k8ts/hello:1.0' }] } },
    },
  } as KubeObject;
}

test('a namespace of extreme workloads: the controller-manager stays bounded, keeps its Lease and finishes the deletion', async () => {
  const pid = cm!.pid!;
  await client.create('namespaces', { metadata: { name: 'abuse' } } as KubeObject);
  const lease = async () => (await client.get<KubeObject>('leases', 'kube-system', 'k8ts-controller-manager').catch(() => undefined))?.spec?.renewTime;
  for (let t = 0; !(await lease()); t++) {
    assert.ok(t < 100, 'the controller-manager took its Lease');
    await sleep(200);
  }
  const baseline = rssMiB(pid);
  for (let i = 0; i < 70; i++) await client.create('deployments', extremeDeployment(i));
  for (let i = 0; i < 10; i++)
    await client.create('cronjobs', { apiVersion: 'batch/v1', kind: 'CronJob', metadata: { name: `cj${i}`, namespace: 'abuse' }, spec: { schedule: '* * * * *', successfulJobsHistoryLimit: 100, failedJobsHistoryLimit: 100, jobTemplate: { spec: { backoffLimit: INT32_MAX, parallelism: 1000, completions: INT32_MAX, template: { spec: { restartPolicy: 'Never', containers: [{ name: 'c', image: 'k8ts/busybox:1.36' }] } } } } } } as KubeObject);
  let peak = baseline;
  const sample = () => (peak = Math.max(peak, rssMiB(pid)));
  for (let t = 0; t < 20; t++) {
    await sleep(1000);
    sample();
  }
  const pods = (await client.list('pods', { namespace: 'abuse' })).items.length;
  await client.delete('namespaces', '', 'abuse');
  const deleteStarted = Date.now();
  let renewedDuring = 0;
  let last = await lease();
  const deadline = Date.now() + 240_000;
  let gone = false;
  while (Date.now() < deadline) {
    await sleep(1000);
    sample();
    const now = await lease();
    if (now !== last) renewedDuring++;
    last = now;
    if (await client.get('namespaces', '', 'abuse').then(() => false, (e) => isNotFound(e))) {
      gone = true;
      break;
    }
  }
  const end = rssMiB(pid);
  const deletionSeconds = (Date.now() - deleteStarted) / 1000;
  console.log(`# controller-manager RSS: ${baseline.toFixed(0)} MiB idle, peak ${peak.toFixed(0)} MiB with ${pods} pods in the namespace, ${end.toFixed(0)} MiB after; Lease renewed ${renewedDuring} times during the ${deletionSeconds.toFixed(0)} s deletion`);
  assert.equal(cm!.exitCode, null, 'the controller-manager is still running');
  assert.ok(gone, 'the namespace was deleted');
  // renewed every second (retry period 1 s): polled once a second, most polls see a new renewTime
  assert.ok(renewedDuring >= Math.floor(deletionSeconds / 3), `the Lease was renewed ${renewedDuring} times in ${deletionSeconds.toFixed(0)} s`);
  assert.ok(peak < baseline + 600, `peak ${peak.toFixed(0)} MiB vs idle ${baseline.toFixed(0)} MiB`);
});
