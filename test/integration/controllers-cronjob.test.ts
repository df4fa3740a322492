// A CronJob running every minute with concurrencyPolicy Forbid, against a real apiserver,
// etcd, the scheduler and hollow nodes: the first Job comes at the minute; while it runs,
// a due start is skipped (JobAlreadyActive) instead of starting a second Job.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { startApiServer, type ApiServer } from '@k8ts/apiserver';
import { GrpcClient, createLogger, type Client } from '@k8ts/client';
import type { KubeObject } from '@k8ts/api';
import { startScheduler, type RunningScheduler } from '@k8ts/scheduler';
import { startControllerManager, type RunningControllerManager } from '@k8ts/controller-manager';
import { startEtcd, type TestEtcd } from '../support/etcd.js';
import { HollowKubelet } from './hollow-kubelet.js';
import { writeClusterAuth, type ClusterAuth } from '../support/cluster-auth.js';

const logger = createLogger('cronjob-it');
logger.level = process.env.K8TS_LOG_LEVEL ?? 'warn';

async function until<T>(what: string, f: () => Promise<T | undefined | false | null>, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await f().catch(() => undefined);
    if (v) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(100);
  }
}

describe('cronjob controller against a real apiserver', () => {
  let etcd: TestEtcd;
  let api: ApiServer;
  let c: Client;
  let sched: RunningScheduler;
  let cm: RunningControllerManager;
  let tmp: string;
  const kubelets: HollowKubelet[] = [];
  // Node,RBAC: the test acts as admin; the scheduler, the controller-manager and each hollow
  // node (system:node:<name>) as themselves.
  let auth: ClusterAuth;
  const nodeClients: Client[] = [];

  before(async () => {
    etcd = await startEtcd();
    tmp = mkdtempSync(path.join(os.tmpdir(), 'k8ts-cj-it-'));
    auth = writeClusterAuth(tmp, { nodes: ['cj-node-1', 'cj-node-2'] });
    api = await startApiServer({ etcdServers: [etcd.url], port: 0, grpcPort: 0, ...auth.apiserver, logger });
    const server = `127.0.0.1:${api.grpcPort}`;
    c = new GrpcClient({ server, token: auth.adminToken });
    for (let i = 1; i <= 2; i++) {
      const nc = new GrpcClient({ server, token: auth.componentToken('agent', `cj-node-${i}`) });
      nodeClients.push(nc);
      // Only pods labelled finish=yes complete; the others run until deleted.
      const k = new HollowKubelet(nc, `cj-node-${i}`, 20 + i, { succeedLabel: 'finish', succeedAfterMs: 300 });
      await k.register();
      k.start();
      kubelets.push(k);
    }
    sched = await startScheduler({ client: new GrpcClient({ server, token: auth.componentToken('scheduler') }), closeClient: true, leaderElect: false, logger });
    cm = await startControllerManager({ client: new GrpcClient({ server, token: auth.componentToken('controller-manager') }), opsPort: -1, leaderElect: false, controllers: ['cronjob', 'job', 'garbagecollector'] });
  });

  after(async () => {
    for (const k of kubelets) k.stop();
    await cm?.stop().catch(() => undefined);
    await sched?.stop().catch(() => undefined);
    c?.close();
    for (const nc of nodeClients) nc.close();
    await api?.stop();
    await etcd?.stop();
    const refused = auth?.componentRefusals() ?? [];
    if (tmp) rmSync(tmp, { recursive: true, force: true });
    assert.deepEqual(refused, [], 'the components and hollow nodes, each as itself, were refused nothing');
  });

  it('every minute, Forbid: one Job per minute, none while the last one still runs', { timeout: 100_000 }, async () => {
    await c.create('namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'cron' } });
    await c.create('cronjobs', {
      apiVersion: 'batch/v1',
      kind: 'CronJob',
      metadata: { name: 'tick', namespace: 'cron' },
      spec: {
        schedule: '* * * * *',
        concurrencyPolicy: 'Forbid',
        jobTemplate: { spec: { template: { metadata: { labels: { app: 'tick' } }, spec: { restartPolicy: 'Never', containers: [{ name: 't', image: 'k8ts/busybox' }] } } } },
      },
    });
    const jobs = () => c.list('jobs', { namespace: 'cron' }).then((l) => l.items);
    const [first] = await until('the first Job at the minute', async () => {
      const j = await jobs();
      return j.length > 0 && j;
    }, 65_000);
    const scheduled = Date.parse(first!.metadata.annotations!['batch.kubernetes.io/cronjob-scheduled-timestamp']!);
    assert.equal(first!.metadata.name, `tick-${scheduled / 60000}`);
    assert.equal(new Date(scheduled).getUTCSeconds(), 0);
    const cj = await until('status', async () => {
      const x = await c.get('cronjobs', 'cron', 'tick');
      return x.status?.active?.length === 1 && x.status.lastScheduleTime && x;
    });
    assert.equal(cj.status.active[0].name, first!.metadata.name);

    // The Job's pod never finishes. Make a start due again (as if a minute had passed).
    await c.update('cronjobs', { ...cj, status: { ...cj.status, lastScheduleTime: new Date(scheduled - 120_000).toISOString().replace(/\.\d{3}Z$/, 'Z') } }, { subresource: 'status' });
    await until('JobAlreadyActive', async () => (await c.list('events', { namespace: 'cron' })).items.some((e: KubeObject) => e.reason === 'JobAlreadyActive'));
    assert.equal((await jobs()).length, 1);

    // The pod finishes: the Job completes and leaves the active list.
    const pod = (await c.list('pods', { namespace: 'cron' })).items[0]!;
    await c.patch('pods', 'cron', pod.metadata.name!, 'application/merge-patch+json', { metadata: { labels: { finish: 'yes' } } });
    await until('first Job complete', async () => (await c.get('jobs', 'cron', first!.metadata.name!)).status?.succeeded === 1);
    const done = await until('active emptied, lastSuccessfulTime set', async () => {
      const x = await c.get('cronjobs', 'cron', 'tick');
      return !x.status?.active?.length && x.status?.lastSuccessfulTime && x;
    });
    assert.ok(Date.parse(done.status.lastSuccessfulTime) >= scheduled);
  });
});
