// The Job controller: runs pods until `completions` succeeded (or, without completions, one
// succeeded and none is active), at most `parallelism` at a time; fails the Job after more
// than backoffLimit failed pods or after activeDeadlineSeconds; deletes a finished Job
// ttlSecondsAfterFinished later. Failed pods are replaced after an exponential delay
// (10 s doubling, at most 6 minutes), as Kubernetes does.
import type { Job, KubeObject, Pod } from '@k8ts/api';
import { isNotFound } from '@k8ts/client';
import type { ControllerContext, Lister, Queue } from '../framework/types.js';
import { Expectations } from '../framework/expectations.js';
import { deletePods } from '../framework/pod-deletion.js';
import { claimObjects } from '../framework/ref-manager.js';
import { slowStartBatch } from '../framework/slow-start.js';
import { podFromTemplate } from '../framework/pod-template.js';
import { unwrap } from '../framework/tombstone.js';
import { byCreation, jsonEqual, newControllerRef } from '../util/objects.js';
import { controllerRef, deepCopy, isPodReady, labelsMatchSelector, objectKey, rfc3339, splitObjectKey } from '@k8ts/api';

type JobObj = Job & KubeObject;
const BACKOFF_BASE_MS = 10_000;
const BACKOFF_MAX_MS = 360_000;

export class JobController {
  static readonly controllerName = 'job';
  readonly expectations: Expectations;
  private readonly now: () => number;
  constructor(
    private readonly ctx: ControllerContext,
    private readonly listers: { jobs: Lister<JobObj>; pods: Lister<Pod> },
    private readonly queue: Queue,
  ) {
    this.now = ctx.now ?? Date.now;
    this.expectations = new Expectations(this.now);
  }

  onJob = (job: KubeObject) => this.queue.add(objectKey(job));
  deleteJob = (obj: unknown) => {
    const j = unwrap(obj);
    if (j) this.expectations.delete(objectKey(j));
  };
  onPod = (pod: Pod) => {
    const j = this.owner(pod);
    if (!j) return;
    if (pod.metadata.deletionTimestamp) this.expectations.deletionObserved(objectKey(j), objectKey(pod));
    else this.expectations.creationObserved(objectKey(j));
    this.queue.add(objectKey(j));
  };
  updatePod = (_o: Pod, pod: Pod) => {
    const j = this.owner(pod);
    if (!j) return;
    if (pod.metadata.deletionTimestamp) this.expectations.deletionObserved(objectKey(j), objectKey(pod));
    this.queue.add(objectKey(j));
  };
  deletePod = (obj: unknown) => {
    const pod = unwrap<Pod>(obj);
    const j = pod && this.owner(pod);
    if (!pod || !j) return;
    this.expectations.deletionObserved(objectKey(j), objectKey(pod));
    this.queue.add(objectKey(j));
  };
  private owner(pod: Pod) {
    const ref = controllerRef(pod);
    if (ref?.kind !== 'Job') return undefined;
    const j = this.listers.jobs.get(pod.metadata.namespace ?? '', ref.name);
    return j?.metadata.uid === ref.uid ? j : undefined;
  }

  /** The apiserver normally generates these; a Job created without them gets ours. */
  private selectorOf(job: JobObj) {
    return job.spec?.selector ?? { matchLabels: { 'batch.kubernetes.io/controller-uid': job.metadata.uid! } };
  }

  async sync(key: string): Promise<void> {
    const { namespace, name } = splitObjectKey(key);
    const cached = this.listers.jobs.get(namespace, name);
    if (!cached) {
      this.expectations.delete(key);
      return;
    }
    const job = deepCopy(cached);
    const now = this.now();
    if (isFinished(job)) return this.handleTTL(job, key, now);
    if (job.spec?.suspend) return;

    const selector = this.selectorOf(job);
    const pods = await claimObjects<Pod>(this.listers.pods.list(namespace), {
      client: this.ctx.client,
      owner: job,
      ownerResource: 'jobs',
      ownerRef: newControllerRef(job, 'batch/v1', 'Job'),
      resource: 'pods',
      match: (p) => labelsMatchSelector(p.metadata.labels, selector),
    });
    const active = pods.filter((p) => !p.metadata.deletionTimestamp && p.status?.phase !== 'Succeeded' && p.status?.phase !== 'Failed');
    const succeeded = Math.max(job.status?.succeeded ?? 0, pods.filter((p) => p.status?.phase === 'Succeeded').length);
    const failedPods = pods.filter((p) => p.status?.phase === 'Failed');
    const failed = Math.max(job.status?.failed ?? 0, failedPods.length);
    const status: NonNullable<Job['status']> = { ...(job.status ?? {}) };
    status.startTime ??= rfc3339(now);
    const parallelism = job.spec?.parallelism ?? 1;
    const completions = job.spec?.completions ?? undefined;
    const backoffLimit = job.spec?.backoffLimit ?? 6;
    const startMs = Date.parse(status.startTime);
    const deadline = job.spec?.activeDeadlineSeconds;

    let failure: { reason: string; message: string } | undefined;
    if (failed > backoffLimit) failure = { reason: 'BackoffLimitExceeded', message: 'Job has reached the specified backoff limit' };
    else if (deadline !== undefined && deadline !== null && now - startMs >= deadline * 1000) failure = { reason: 'DeadlineExceeded', message: 'Job was active longer than specified deadline' };
    const complete = !failure && (completions !== undefined ? succeeded >= completions : succeeded > 0 && active.length === 0);

    let activeNow = active.length;
    if (failure || complete) {
      await this.deletePods(job, key, active);
      activeNow = 0;
      const t = rfc3339(now);
      if (failure) {
        status.conditions = setCond(status.conditions, { type: 'FailureTarget', status: 'True', reason: failure.reason, message: failure.message, lastProbeTime: t, lastTransitionTime: t });
        status.conditions = setCond(status.conditions, { type: 'Failed', status: 'True', reason: failure.reason, message: failure.message, lastProbeTime: t, lastTransitionTime: t });
        this.ctx.recorder.event(job, 'Warning', failure.reason, failure.message);
      } else {
        status.conditions = setCond(status.conditions, { type: 'SuccessCriteriaMet', status: 'True', reason: 'CompletionsReached', message: 'Reached expected number of succeeded pods', lastProbeTime: t, lastTransitionTime: t });
        status.conditions = setCond(status.conditions, { type: 'Complete', status: 'True', reason: 'CompletionsReached', message: 'Reached expected number of succeeded pods', lastProbeTime: t, lastTransitionTime: t });
        status.completionTime = t;
        this.ctx.recorder.event(job, 'Normal', 'Completed', 'Job completed');
      }
    } else if (this.expectations.satisfied(key)) {
      const want = completions !== undefined ? Math.min(parallelism, completions - succeeded) : succeeded > 0 ? 0 : parallelism;
      const diff = want - active.length;
      if (diff > 0) {
        const wait = this.backoffRemaining(failedPods, failed, now);
        if (wait > 0) this.queue.addAfter(key, wait);
        else activeNow += await this.createPods(job, key, diff, selector);
      } else if (diff < 0) {
        const victims = [...active].sort((a, b) => (isPodReady(a) ? 1 : 0) - (isPodReady(b) ? 1 : 0) || -byCreation(a, b)).slice(0, -diff);
        await this.deletePods(job, key, victims);
        activeNow -= victims.length;
      }
      if (deadline !== undefined && deadline !== null) this.queue.addAfter(key, Math.max(0, startMs + deadline * 1000 - now));
    }
    status.active = activeNow;
    status.succeeded = succeeded;
    status.failed = failed;
    status.ready = active.filter(isPodReady).length;
    if (!status.active) delete status.active;
    if (!status.succeeded) delete status.succeeded;
    if (!status.failed) delete status.failed;
    if (!jsonEqual(job.status ?? {}, status)) {
      job.status = status;
      await this.ctx.client.update('jobs', job, { subresource: 'status' });
    }
    if ((failure || complete) && job.spec?.ttlSecondsAfterFinished !== undefined) this.queue.addAfter(key, job.spec.ttlSecondsAfterFinished! * 1000);
  }

  private backoffRemaining(failedPods: Pod[], failed: number, now: number): number {
    if (!failed || !failedPods.length) return 0;
    const last = Math.max(...failedPods.map(finishedAt));
    const delay = Math.min(BACKOFF_MAX_MS, BACKOFF_BASE_MS * 2 ** (failed - 1));
    return Math.max(0, last + delay - now);
  }

  private async createPods(job: JobObj, key: string, n: number, selector: { matchLabels?: Record<string, string> }): Promise<number> {
    this.expectations.expectCreations(key, n);
    const ref = newControllerRef(job, 'batch/v1', 'Job');
    const { successes, error } = await slowStartBatch(n, 1, async () => {
      const pod = podFromTemplate(job.spec!.template, job.metadata.namespace!, `${job.metadata.name}-`, ref);
      pod.metadata.labels = {
        ...(pod.metadata.labels ?? {}),
        ...(selector.matchLabels ?? {}),
        'batch.kubernetes.io/controller-uid': job.metadata.uid!,
        'batch.kubernetes.io/job-name': job.metadata.name!,
        'controller-uid': job.metadata.uid!,
        'job-name': job.metadata.name!,
      };
      try {
        const created = await this.ctx.client.create<Pod>('pods', pod);
        this.ctx.recorder.event(job, 'Normal', 'SuccessfulCreate', `Created pod: ${created.metadata.name}`);
      } catch (e) {
        this.ctx.recorder.event(job, 'Warning', 'FailedCreate', `Error creating: ${e instanceof Error ? e.message : String(e)}`);
        throw e;
      }
    });
    if (n - successes > 0) this.expectations.lowerCreations(key, n - successes);
    if (error) throw error;
    return successes;
  }

  private async deletePods(job: JobObj, key: string, pods: Pod[]): Promise<void> {
    const errors = await deletePods(this.ctx, job, this.expectations, key, pods);
    if (errors.length) throw errors[0];
  }

  private async handleTTL(job: JobObj, key: string, now: number): Promise<void> {
    const ttl = job.spec?.ttlSecondsAfterFinished;
    if (ttl === undefined || ttl === null) return;
    const fin = finishTime(job);
    if (Number.isNaN(fin)) return;
    const due = fin + ttl * 1000;
    if (now < due) {
      this.queue.addAfter(key, due - now);
      return;
    }
    try {
      await this.ctx.client.delete('jobs', job.metadata.namespace!, job.metadata.name!, { propagationPolicy: 'Foreground', preconditions: { uid: job.metadata.uid } });
      this.ctx.logger.info({ object: key, reason: 'TTLAfterFinished' }, 'deleted finished job');
    } catch (e) {
      if (!isNotFound(e)) throw e;
    }
  }
}

type Cond = NonNullable<NonNullable<Job['status']>['conditions']>[number];
function setCond(list: Cond[] | undefined, c: Cond): Cond[] {
  const cur = list?.find((x) => x.type === c.type);
  if (cur && cur.status === c.status) return list!;
  return [...(list ?? []).filter((x) => x.type !== c.type), c];
}

export function isFinished(job: Job): boolean {
  return (job.status?.conditions ?? []).some((c) => (c.type === 'Complete' || c.type === 'Failed') && c.status === 'True');
}

function finishTime(job: Job): number {
  const c = (job.status?.conditions ?? []).find((x) => (x.type === 'Complete' || x.type === 'Failed') && x.status === 'True');
  return Date.parse(job.status?.completionTime ?? c?.lastTransitionTime ?? '');
}

function finishedAt(p: Pod): number {
  let t = 0;
  for (const s of p.status?.containerStatuses ?? []) t = Math.max(t, Date.parse(s.state?.terminated?.finishedAt ?? '') || 0);
  return t || Date.parse(p.metadata.creationTimestamp ?? '') || 0;
}
