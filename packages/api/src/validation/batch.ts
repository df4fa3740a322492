// batch/v1: Job and CronJob (pkg/apis/batch/validation).
import { normalizeCronSchedule } from './cron.js';
import { type FieldError, GoLiteral, invalid, notSupported, required } from './field-error.js';
import { canonicalJson } from './pod.js';
import { validateNonNegative } from './common.js';
import { validateSelectorAndTemplate, validateSelectorImmutable } from './workloads.js';

const JOB_RESTART = ['OnFailure', 'Never'];

export function validateJobSpec(spec: any, fld: string, inTemplate: boolean): FieldError[] {
  if (!spec) return [required(fld)];
  const errs: FieldError[] = [];
  for (const k of ['parallelism', 'completions', 'backoffLimit', 'activeDeadlineSeconds', 'ttlSecondsAfterFinished'])
    errs.push(...validateNonNegative(spec[k], `${fld}.${k}`));
  if (typeof spec.activeDeadlineSeconds === 'number' && spec.activeDeadlineSeconds <= 0)
    errs.push(invalid(`${fld}.activeDeadlineSeconds`, spec.activeDeadlineSeconds, 'must be greater than 0'));
  if (spec.completionMode !== undefined && !['NonIndexed', 'Indexed'].includes(spec.completionMode))
    errs.push(notSupported(`${fld}.completionMode`, spec.completionMode, ['NonIndexed', 'Indexed']));
  if (spec.completionMode === 'Indexed' && (spec.completions === undefined || spec.completions === null))
    errs.push(required(`${fld}.completions`, 'when completion mode is Indexed'));
  // A Job's selector is generated from its uid on create (generateJobSelector, run by
  // applyDefaults once metadata.uid is set); a CronJob's job template has none.
  if (!inTemplate && !spec.selector) errs.push(required(`${fld}.selector`));
  errs.push(...validateSelectorAndTemplate(spec, fld, 'job', JOB_RESTART, false));
  return errs;
}

export function validateJob(obj: any): FieldError[] {
  return validateJobSpec(obj.spec, 'spec', false);
}

export function validateCronSchedule(schedule: unknown, fld: string): FieldError[] {
  if (typeof schedule !== 'string' || schedule === '') return [required(fld)];
  try {
    normalizeCronSchedule(schedule);
    return [];
  } catch (e) {
    return [invalid(fld, schedule, (e as Error).message)];
  }
}

export function validateCronJob(obj: any): FieldError[] {
  const errs: FieldError[] = [];
  const name = obj.metadata?.name;
  // Job names get an 11-character suffix and must stay a DNS label.
  if (typeof name === 'string' && name.length > 52) errs.push(invalid('metadata.name', name, 'must be no more than 52 characters'));
  const spec = obj.spec;
  if (!spec) return [...errs, required('spec')];
  errs.push(...validateCronSchedule(spec.schedule, 'spec.schedule'));
  if (spec.timeZone !== undefined && spec.timeZone !== null) {
    if (spec.timeZone === '' || !isValidTimeZone(spec.timeZone)) errs.push(invalid('spec.timeZone', spec.timeZone, 'unknown time zone ' + spec.timeZone));
  }
  if (spec.concurrencyPolicy !== undefined && !['Allow', 'Forbid', 'Replace'].includes(spec.concurrencyPolicy))
    errs.push(notSupported('spec.concurrencyPolicy', spec.concurrencyPolicy, ['Allow', 'Forbid', 'Replace']));
  for (const k of ['startingDeadlineSeconds', 'successfulJobsHistoryLimit', 'failedJobsHistoryLimit'])
    errs.push(...validateNonNegative(spec[k], `spec.${k}`));
  if (!spec.jobTemplate) errs.push(required('spec.jobTemplate'));
  else errs.push(...validateJobSpec(spec.jobTemplate.spec, 'spec.jobTemplate.spec', true));
  return errs;
}

function isValidTimeZone(tz: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: tz });
    return true;
  } catch {
    return false;
  }
}

/**
 * ValidateJobUpdate: selector and (unless the Job is suspended) the pod template are
 * immutable; completions too, except for Indexed jobs scaled together with parallelism.
 */
export function validateJobUpdate(obj: any, old: any): FieldError[] {
  const errs: FieldError[] = [...validateSelectorImmutable(obj, old)];
  const n = obj.spec ?? {};
  const o = old.spec ?? {};
  const suspended = o.suspend === true;
  if (!suspended && canonicalJson(n.template ?? null) !== canonicalJson(o.template ?? null))
    errs.push(invalid('spec.template', new GoLiteral('core.PodTemplateSpec{...}'), 'field is immutable'));
  if ((n.completions ?? null) !== (o.completions ?? null)) {
    const elastic = n.completionMode === 'Indexed' && n.completions === n.parallelism;
    if (!elastic) errs.push(invalid('spec.completions', n.completions ?? null, 'field is immutable'));
  }
  if ((n.completionMode ?? 'NonIndexed') !== (o.completionMode ?? 'NonIndexed')) errs.push(invalid('spec.completionMode', n.completionMode, 'field is immutable'));
  return errs;
}
