// apps/v1 and batch/v1 defaulting (pkg/apis/apps/v1/defaults.go, pkg/apis/batch/v1/defaults.go).
import { defaultPodTemplate } from './pod.js';

type Obj = Record<string, any>;

function unset(v: unknown): boolean {
  return v === undefined || v === null;
}

export function defaultDeployment(obj: Obj): void {
  const spec = (obj.spec ??= {});
  if (unset(spec.replicas)) spec.replicas = 1;
  spec.strategy ??= {};
  spec.strategy.type ||= 'RollingUpdate';
  if (spec.strategy.type === 'RollingUpdate') {
    spec.strategy.rollingUpdate ??= {};
    if (unset(spec.strategy.rollingUpdate.maxUnavailable)) spec.strategy.rollingUpdate.maxUnavailable = '25%';
    if (unset(spec.strategy.rollingUpdate.maxSurge)) spec.strategy.rollingUpdate.maxSurge = '25%';
  }
  if (unset(spec.revisionHistoryLimit)) spec.revisionHistoryLimit = 10;
  if (unset(spec.progressDeadlineSeconds)) spec.progressDeadlineSeconds = 600;
  defaultPodTemplate(spec.template);
}

export function defaultReplicaSet(obj: Obj): void {
  const spec = (obj.spec ??= {});
  if (unset(spec.replicas)) spec.replicas = 1;
  defaultPodTemplate(spec.template);
}

export function defaultDaemonSet(obj: Obj): void {
  const spec = (obj.spec ??= {});
  spec.updateStrategy ??= {};
  spec.updateStrategy.type ||= 'RollingUpdate';
  if (spec.updateStrategy.type === 'RollingUpdate') {
    spec.updateStrategy.rollingUpdate ??= {};
    if (unset(spec.updateStrategy.rollingUpdate.maxUnavailable)) spec.updateStrategy.rollingUpdate.maxUnavailable = 1;
    if (unset(spec.updateStrategy.rollingUpdate.maxSurge)) spec.updateStrategy.rollingUpdate.maxSurge = 0;
  }
  if (unset(spec.revisionHistoryLimit)) spec.revisionHistoryLimit = 10;
  defaultPodTemplate(spec.template);
}

/** Job spec defaults; the pod template's restartPolicy also defaults to Always, which job
 * validation then rejects, exactly as Kubernetes reports a Job without OnFailure/Never. */
export function defaultJobSpec(spec: Obj, meta?: Obj): void {
  if (unset(spec.completions) && unset(spec.parallelism)) {
    spec.completions = 1;
    spec.parallelism = 1;
  }
  if (unset(spec.parallelism)) spec.parallelism = 1;
  if (unset(spec.backoffLimit)) spec.backoffLimit = spec.backoffLimitPerIndex !== undefined ? 2147483647 : 6;
  spec.completionMode ||= 'NonIndexed';
  if (unset(spec.suspend)) spec.suspend = false;
  if (unset(spec.podReplacementPolicy)) spec.podReplacementPolicy = spec.podFailurePolicy ? 'Failed' : 'TerminatingOrFailed';
  if (meta?.uid && spec.manualSelector !== true) generateJobSelector({ metadata: meta, spec });
  defaultPodTemplate(spec.template);
}

export function defaultJob(obj: Obj): void {
  defaultJobSpec((obj.spec ??= {}), obj.metadata);
}

/**
 * The job strategy's generateSelector: without manualSelector a Job selects its pods by its
 * own uid, and its template carries the matching labels. Needs metadata.uid.
 */
export function generateJobSelector(job: Obj): void {
  const uid = job.metadata?.uid;
  const name = job.metadata?.name;
  const spec = job.spec;
  if (!uid || !spec || spec.manualSelector === true) return;
  spec.template ??= {};
  spec.template.metadata ??= {};
  const labels = (spec.template.metadata.labels ??= {});
  labels['batch.kubernetes.io/controller-uid'] ??= uid;
  labels['controller-uid'] ??= uid;
  if (name) {
    labels['batch.kubernetes.io/job-name'] ??= name;
    labels['job-name'] ??= name;
  }
  spec.selector ??= { matchLabels: { 'batch.kubernetes.io/controller-uid': uid } };
}

export function defaultCronJob(obj: Obj): void {
  const spec = (obj.spec ??= {});
  spec.concurrencyPolicy ||= 'Allow';
  if (unset(spec.suspend)) spec.suspend = false;
  if (unset(spec.successfulJobsHistoryLimit)) spec.successfulJobsHistoryLimit = 3;
  if (unset(spec.failedJobsHistoryLimit)) spec.failedJobsHistoryLimit = 1;
  spec.jobTemplate ??= {};
  // A Job made from the template gets its own uid and selector then.
  defaultJobSpec((spec.jobTemplate.spec ??= {}));
}
