import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Job, KubeObject, Pod } from '@k8ts/api';
import { JobController } from './controller.js';
import { ctxFor, pod, staticLister, FakeClient, seedWorld } from '../testing/fixtures.js';

function job(name: string, spec: Partial<Job['spec']>): Job & KubeObject {
  return {
    apiVersion: 'batch/v1',
    kind: 'Job',
    metadata: { name, namespace: 'default', uid: 'job-' + name },
    spec: { template: { spec: { restartPolicy: 'Never', containers: [{ name: 'c', image: 'busybox' }] } }, ...spec },
  } as Job & KubeObject;
}

function setup(objs: [string, KubeObject][]) {
  const client = new FakeClient();
  const world = seedWorld(client, objs);
  const { ctx, queue, recorder } = ctxFor(client);
  const c = new JobController(ctx, { jobs: staticLister((world.get('jobs') ?? []) as any[]), pods: staticLister((world.get('pods') ?? []) as Pod[]) }, queue);
  return { client, c, recorder };
}

test('completions 3 parallelism 2: two pods at first, a third after one succeeds, Complete after three', async () => {
  const j = job('pi', { completions: 3, parallelism: 2 });
  let w = setup([['jobs', j]]);
  await w.c.sync('default/pi');
  const created = w.client.objects<Pod>('pods');
  assert.equal(created.length, 2);
  assert.equal(created[0]!.metadata.labels!['job-name'], 'pi');
  assert.equal(created[0]!.metadata.labels!['batch.kubernetes.io/job-name'], 'pi');
  assert.equal(w.client.peek<Job>('jobs', 'default', 'pi')!.status!.active, 2);

  const sel = { job: 'pi' };
  const j2 = job('pi', { completions: 3, parallelism: 2, selector: { matchLabels: sel } });
  const done = pod('pi-a', sel, { owner: j2, ownerKind: 'Job', node: 'n', phase: 'Succeeded' });
  const run = pod('pi-b', sel, { owner: j2, ownerKind: 'Job', node: 'n', phase: 'Running' });
  w = setup([['jobs', j2], ['pods', done], ['pods', run]]);
  await w.c.sync('default/pi');
  assert.equal(w.client.actionsOf('create', 'pods').length, 1);

  const j3 = job('pi', { completions: 3, parallelism: 2, selector: { matchLabels: sel } });
  const ps = ['a', 'b', 'c'].map((x) => pod('pi-' + x, sel, { owner: j3, ownerKind: 'Job', node: 'n', phase: 'Succeeded' }));
  w = setup([['jobs', j3], ...ps.map((p) => ['pods', p] as [string, KubeObject])]);
  await w.c.sync('default/pi');
  const st = w.client.peek<Job>('jobs', 'default', 'pi')!.status!;
  assert.equal(st.succeeded, 3);
  assert.ok(st.completionTime);
  assert.equal(st.conditions!.find((c) => c.type === 'Complete')!.status, 'True');
});

test('more failures than backoffLimit fail the Job with BackoffLimitExceeded', async () => {
  const sel = { job: 'bad' };
  const j = job('bad', { backoffLimit: 1, selector: { matchLabels: sel } });
  const f1 = pod('bad-a', sel, { owner: j, ownerKind: 'Job', node: 'n', phase: 'Failed' });
  const f2 = pod('bad-b', sel, { owner: j, ownerKind: 'Job', node: 'n', phase: 'Failed' });
  const w = setup([['jobs', j], ['pods', f1], ['pods', f2]]);
  await w.c.sync('default/bad');
  const st = w.client.peek<Job>('jobs', 'default', 'bad')!.status!;
  assert.equal(st.failed, 2);
  const failed = st.conditions!.find((c) => c.type === 'Failed')!;
  assert.equal(failed.reason, 'BackoffLimitExceeded');
  assert.equal(w.client.actionsOf('create', 'pods').length, 0);
});

test('activeDeadlineSeconds fails a running Job and deletes its pods; ttlSecondsAfterFinished deletes a finished one', async () => {
  const sel = { job: 'slow' };
  const j = job('slow', { activeDeadlineSeconds: 1, selector: { matchLabels: sel } });
  (j as any).status = { startTime: '2024-01-01T00:00:00Z' };
  const running = pod('slow-a', sel, { owner: j, ownerKind: 'Job', node: 'n', phase: 'Running' });
  let w = setup([['jobs', j], ['pods', running]]);
  await w.c.sync('default/slow');
  const st = w.client.peek<Job>('jobs', 'default', 'slow')!.status!;
  assert.equal(st.conditions!.find((c) => c.type === 'Failed')!.reason, 'DeadlineExceeded');
  assert.deepEqual(w.client.actionsOf('delete', 'pods').map((a) => a.name), ['slow-a']);

  const done = job('done', { ttlSecondsAfterFinished: 0 });
  (done as any).status = { completionTime: '2024-01-01T00:00:00Z', conditions: [{ type: 'Complete', status: 'True', lastTransitionTime: '2024-01-01T00:00:00Z' }] };
  w = setup([['jobs', done]]);
  await w.c.sync('default/done');
  assert.equal(w.client.peek('jobs', 'default', 'done'), undefined);
});
