import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { CronJob, Job, KubeObject } from '@k8ts/api';
import { CronJobController } from './controller.js';
import { parseSchedule } from './schedule.js';
import { ctxFor, staticLister, FakeClient, seedWorld } from '../testing/fixtures.js';

const T = Date.parse('2024-01-01T10:05:30Z');

function cronjob(spec: Partial<CronJob['spec']>, status: CronJob['status'] = {}): CronJob & KubeObject {
  return {
    apiVersion: 'batch/v1',
    kind: 'CronJob',
    metadata: { name: 'tick', namespace: 'default', uid: 'cj-1', creationTimestamp: '2024-01-01T10:00:00Z' },
    spec: { schedule: '* * * * *', jobTemplate: { spec: { template: { spec: { restartPolicy: 'Never', containers: [{ name: 'c', image: 'busybox' }] } } } }, ...spec },
    status,
  } as CronJob & KubeObject;
}

function setup(objs: [string, KubeObject][]) {
  const client = new FakeClient();
  const world = seedWorld(client, objs);
  const { ctx, queue, recorder } = ctxFor(client, () => T);
  const cjs = (world.get('cronjobs') ?? []) as any[];
  for (const c of cjs) c.metadata.creationTimestamp = '2024-01-01T10:00:00Z';
  const c = new CronJobController(ctx, { cronjobs: staticLister(cjs), jobs: staticLister((world.get('jobs') ?? []) as any[]) }, queue);
  return { client, c, queue, recorder };
}

test('schedules: standard fields, @hourly, time zones, bad input', () => {
  const s = parseSchedule('*/5 * * * *');
  assert.deepEqual(s.mostRecent(Date.parse('2024-01-01T10:00:00Z'), T), { time: Date.parse('2024-01-01T10:05:00Z'), missed: 1 });
  assert.equal(parseSchedule('@hourly').next(T), Date.parse('2024-01-01T11:00:00Z'));
  assert.equal(parseSchedule('0 12 * * *', 'Europe/Paris').next(T), Date.parse('2024-01-01T11:00:00Z'));
  assert.throws(() => parseSchedule('not a schedule'));
});

test('creates the Job named after the scheduled minute and records lastScheduleTime and active', async () => {
  const w = setup([['cronjobs', cronjob({ schedule: '*/5 * * * *' }, { lastScheduleTime: '2024-01-01T10:00:00Z' })]]);
  await w.c.sync('default/tick');
  const jobs = w.client.objects<Job>('jobs');
  assert.equal(jobs.length, 1);
  assert.equal(jobs[0]!.metadata.name, `tick-${Date.parse('2024-01-01T10:05:00Z') / 60000}`);
  assert.equal(jobs[0]!.metadata.ownerReferences![0]!.kind, 'CronJob');
  const st = w.client.peek<CronJob>('cronjobs', 'default', 'tick')!.status!;
  assert.equal(st.lastScheduleTime, '2024-01-01T10:05:00Z');
  assert.equal(st.active![0]!.name, jobs[0]!.metadata.name);
  assert.ok(w.queue.after.some((a) => a.delayMs > 0 && a.delayMs <= 5 * 60_000));
});

test('Forbid skips while a Job runs; suspend creates nothing', async () => {
  const cj = cronjob({ concurrencyPolicy: 'Forbid' }, { lastScheduleTime: '2024-01-01T10:04:00Z' });
  const running: KubeObject = {
    apiVersion: 'batch/v1',
    kind: 'Job',
    metadata: { name: 'tick-1', namespace: 'default', ownerReferences: [{ apiVersion: 'batch/v1', kind: 'CronJob', name: 'tick', uid: cj.metadata.uid!, controller: true }] },
    spec: { template: { spec: { containers: [] } } },
  };
  const w = setup([['cronjobs', cj], ['jobs', running]]);
  await w.c.sync('default/tick');
  assert.equal(w.client.actionsOf('create', 'jobs').length, 0);
  assert.ok(w.recorder.events.some((e) => e.reason === 'JobAlreadyActive'));

  const s = setup([['cronjobs', cronjob({ suspend: true })]]);
  await s.c.sync('default/tick');
  assert.equal(s.client.actionsOf('create', 'jobs').length, 0);
});
