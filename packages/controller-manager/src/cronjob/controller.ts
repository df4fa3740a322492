// The CronJob controller (cronjob_controllerv2): creates a Job named
// `<cronjob>-<scheduled time in minutes>` at each scheduled time, honouring suspend,
// startingDeadlineSeconds and concurrencyPolicy, keeps status.active/lastScheduleTime and
// deletes finished Jobs beyond the history limits.
import type { CronJob, Job, KubeObject, ObjectReference } from '@k8ts/api';
import { isAlreadyExists, isNotFound } from '@k8ts/client';
import type { ControllerContext, Lister, Queue } from '../framework/types.js';
import { unwrap } from '../framework/tombstone.js';
import { jsonEqual, newControllerRef } from '../util/objects.js';
import { controllerRef, deepCopy, objectKey, rfc3339, splitObjectKey } from '@k8ts/api';
import { isFinished } from '../job/controller.js';
import { parseSchedule } from './schedule.js';

type CJ = CronJob & KubeObject;
type JobObj = Job & KubeObject;

export const ScheduledTimestampAnnotation = 'batch.kubernetes.io/cronjob-scheduled-timestamp';

export class CronJobController {
  static readonly controllerName = 'cronjob';
  private readonly now: () => number;
  constructor(
    private readonly ctx: ControllerContext,
    private readonly listers: { cronjobs: Lister<CJ>; jobs: Lister<JobObj> },
    private readonly queue: Queue,
  ) {
    this.now = ctx.now ?? Date.now;
  }

  onCronJob = (cj: KubeObject) => this.queue.add(objectKey(cj));
  deleteCronJob = () => {};
  onJob = (obj: unknown) => {
    const j = unwrap<JobObj>(obj);
    const ref = j && controllerRef(j);
    if (!j || ref?.kind !== 'CronJob') return;
    this.queue.add(`${j.metadata.namespace}/${ref.name}`);
  };

  async sync(key: string): Promise<void> {
    const { namespace, name } = splitObjectKey(key);
    const cached = this.listers.cronjobs.get(namespace, name);
    if (!cached || cached.metadata.deletionTimestamp) return;
    const cj = deepCopy(cached);
    const now = this.now();
    const jobs = this.listers.jobs.list(namespace).filter((j) => controllerRef(j)?.uid === cj.metadata.uid);
    const status: NonNullable<CronJob['status']> = { ...(cj.status ?? {}) };

    // Active list: drop finished or vanished Jobs, add running ones we own but do not list.
    const byUid = new Map(jobs.map((j) => [j.metadata.uid, j]));
    let active: ObjectReference[] = (status.active ?? []).filter((r) => {
      const j = byUid.get(r.uid);
      return j && !isFinished(j);
    });
    for (const j of jobs) if (!isFinished(j) && !active.some((r) => r.uid === j.metadata.uid)) active.push(jobRef(j));
    for (const j of jobs) {
      if (!isFinished(j) || !j.status?.conditions?.some((c: { type: string; status: string }) => c.type === 'Complete' && c.status === 'True')) continue;
      const t = j.status.completionTime;
      if (t && (!status.lastSuccessfulTime || Date.parse(t) > Date.parse(status.lastSuccessfulTime))) status.lastSuccessfulTime = t;
    }
    await this.cleanupHistory(cj, jobs);

    let schedule;
    try {
      schedule = parseSchedule(cj.spec!.schedule, cj.spec?.timeZone ?? undefined);
    } catch (e) {
      this.ctx.recorder.event(cj, 'Warning', 'UnparseableSchedule', `unparseable schedule: ${JSON.stringify(cj.spec?.schedule)} : ${e instanceof Error ? e.message : e}`);
      return this.writeStatus(cj, { ...status, active: active.length ? active : undefined });
    }
    if (cj.spec?.suspend) return this.writeStatus(cj, { ...status, active: active.length ? active : undefined });

    const since = Date.parse(status.lastScheduleTime ?? cj.metadata.creationTimestamp ?? '') || now;
    const deadline = cj.spec?.startingDeadlineSeconds;
    const after = deadline !== undefined && deadline !== null ? Math.max(since, now - deadline * 1000) : since;
    const { time, missed } = schedule.mostRecent(after, now);
    if (missed > 1) this.ctx.recorder.event(cj, 'Warning', 'TooManyMissedTimes', `missed ${missed - 1} start times; starting the latest`);
    if (time !== undefined) {
      const policy = cj.spec?.concurrencyPolicy ?? 'Allow';
      let run = true;
      if (policy === 'Forbid' && active.length) {
        this.ctx.recorder.event(cj, 'Normal', 'JobAlreadyActive', 'Not starting job because prior execution is running and concurrency policy is Forbid');
        run = false;
      }
      if (run && policy === 'Replace' && active.length) {
        for (const r of active) {
          try {
            await this.ctx.client.delete('jobs', namespace, r.name!, { propagationPolicy: 'Background' });
            this.ctx.recorder.event(cj, 'Normal', 'SuccessfulDelete', `Deleted job ${r.name}`);
          } catch (e) {
            if (!isNotFound(e)) throw e;
          }
        }
        active = [];
      }
      if (run) {
        const job = await this.createJob(cj, time);
        if (job && !isFinished(job) && !active.some((r) => r.uid === job.metadata.uid)) active.push(jobRef(job));
        status.lastScheduleTime = rfc3339(time);
      }
    }
    await this.writeStatus(cj, { ...status, active: active.length ? active : undefined });
    // Come back at the next scheduled time.
    this.queue.addAfter(key, Math.max(100, schedule.next(now) - now + 100));
  }

  private async createJob(cj: CJ, scheduledMs: number): Promise<JobObj | undefined> {
    const name = `${cj.metadata.name}-${Math.floor(scheduledMs / 60000)}`;
    const tpl = deepCopy(cj.spec!.jobTemplate);
    const job: JobObj = {
      apiVersion: 'batch/v1',
      kind: 'Job',
      metadata: {
        name,
        namespace: cj.metadata.namespace,
        labels: tpl.metadata?.labels ?? {},
        annotations: { ...(tpl.metadata?.annotations ?? {}), [ScheduledTimestampAnnotation]: rfc3339(scheduledMs) },
        ownerReferences: [newControllerRef(cj, 'batch/v1', 'CronJob')],
      },
      spec: tpl.spec!,
    };
    try {
      const created = await this.ctx.client.create<JobObj>('jobs', job);
      this.ctx.recorder.event(cj, 'Normal', 'SuccessfulCreate', `Created job ${name}`);
      return created;
    } catch (e) {
      if (!isAlreadyExists(e)) {
        this.ctx.recorder.event(cj, 'Warning', 'FailedCreate', `Error creating job: ${e instanceof Error ? e.message : e}`);
        throw e;
      }
      // Already created for this time (a restart, a slow cache): the same Job.
      const existing = await this.ctx.client.get<JobObj>('jobs', cj.metadata.namespace!, name);
      return controllerRef(existing)?.uid === cj.metadata.uid ? existing : undefined;
    }
  }

  private async cleanupHistory(cj: CJ, jobs: JobObj[]): Promise<void> {
    const ok = jobs.filter((j) => j.status?.conditions?.some((c: { type: string; status: string }) => c.type === 'Complete' && c.status === 'True'));
    const bad = jobs.filter((j) => j.status?.conditions?.some((c: { type: string; status: string }) => c.type === 'Failed' && c.status === 'True'));
    const byStart = (a: JobObj, b: JobObj) => Date.parse(a.status?.startTime ?? a.metadata.creationTimestamp ?? '') - Date.parse(b.status?.startTime ?? b.metadata.creationTimestamp ?? '');
    const drop = [
      ...ok.sort(byStart).slice(0, Math.max(0, ok.length - (cj.spec?.successfulJobsHistoryLimit ?? 3))),
      ...bad.sort(byStart).slice(0, Math.max(0, bad.length - (cj.spec?.failedJobsHistoryLimit ?? 1))),
    ];
    for (const j of drop) {
      if (j.metadata.deletionTimestamp) continue;
      try {
        await this.ctx.client.delete('jobs', j.metadata.namespace!, j.metadata.name!, { propagationPolicy: 'Background' });
        this.ctx.recorder.event(cj, 'Normal', 'SuccessfulDelete', `Deleted job ${j.metadata.name}`);
      } catch (e) {
        if (!isNotFound(e)) throw e;
      }
    }
  }

  private async writeStatus(cj: CJ, status: NonNullable<CronJob['status']>): Promise<void> {
    if (!status.active) delete status.active;
    if (jsonEqual(cj.status ?? {}, status)) return;
    const next = deepCopy(cj);
    next.status = status;
    await this.ctx.client.update('cronjobs', next, { subresource: 'status' });
  }
}

function jobRef(j: JobObj): ObjectReference {
  return { apiVersion: 'batch/v1', kind: 'Job', name: j.metadata.name, namespace: j.metadata.namespace, uid: j.metadata.uid, resourceVersion: j.metadata.resourceVersion };
}
