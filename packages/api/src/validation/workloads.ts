// apps/v1: Deployment, ReplicaSet, DaemonSet (pkg/apis/apps/validation).
import { labelSelectorFromObject } from '../selectors/labels.js';
import { type FieldError, forbidden, invalid, notSupported, required, GoLiteral } from './field-error.js';
import { goLabelSelector, validateLabelSelector, validateNonNegative } from './common.js';
import { validateLabels, validateAnnotations } from './meta.js';
import { validatePodSpec } from './pod.js';
import { canonicalJson } from './pod.js';

function isEmptySelector(sel: any): boolean {
  return !sel || (Object.keys(sel.matchLabels ?? {}).length === 0 && (sel.matchExpressions ?? []).length === 0);
}

/**
 * A controller's selector and template: selector required and non-empty, template labels
 * selected by it, template spec valid with the allowed restart policies.
 */
export function validateSelectorAndTemplate(
  spec: any,
  fld: string,
  kindWord: string,
  restartPolicies: string[],
  selectorRequired = true,
): FieldError[] {
  const errs: FieldError[] = [];
  const sel = spec?.selector;
  if (sel === undefined || sel === null) {
    if (selectorRequired) errs.push(required(`${fld}.selector`));
  } else {
    errs.push(...validateLabelSelector(sel, `${fld}.selector`));
    if (isEmptySelector(sel)) errs.push(invalid(`${fld}.selector`, new GoLiteral(goLabelSelector(sel)), `empty selector is invalid for ${kindWord}`));
  }
  const tpl = spec?.template;
  if (!tpl) {
    errs.push(required(`${fld}.template`));
    return errs;
  }
  const labels = tpl.metadata?.labels ?? {};
  errs.push(...validateLabels(labels, `${fld}.template.metadata.labels`));
  errs.push(...validateAnnotations(tpl.metadata?.annotations, `${fld}.template.metadata.annotations`));
  if (sel && !isEmptySelector(sel) && errs.every((e) => !e.field.startsWith(`${fld}.selector`))) {
    let ok = false;
    try {
      ok = labelSelectorFromObject(sel).matches(labels);
    } catch {
      ok = false;
    }
    if (!ok) errs.push(invalid(`${fld}.template.metadata.labels`, labels, '`selector` does not match template `labels`'));
  }
  errs.push(...validatePodSpec(tpl.spec, `${fld}.template.spec`, { restartPolicies }));
  if (tpl.spec?.activeDeadlineSeconds != null && kindWord !== 'job')
    errs.push(
      kindWord === 'statefulset'
        ? forbidden(`${fld}.template.spec.activeDeadlineSeconds`, 'activeDeadlineSeconds in StatefulSet is not Supported')
        : invalid(`${fld}.template.spec.activeDeadlineSeconds`, tpl.spec.activeDeadlineSeconds, `activeDeadlineSeconds in ${kindWord === 'daemonset' ? 'DaemonSet' : 'ReplicaSet'} is not Supported`),
    );
  return errs;
}

/** An IntOrString like `25%` or 1: non-negative, a percentage at most 100%. */
export function validateIntOrPercent(v: unknown, fld: string): FieldError[] {
  if (v === undefined || v === null) return [];
  if (typeof v === 'number') return validateNonNegative(v, fld);
  if (typeof v === 'string') {
    const m = /^(\d+)%$/.exec(v);
    if (!m) return [invalid(fld, v, "a valid percent string must be a numeric string followed by an ending '%' (e.g. '1%',  or '93%', regex used for validation is '[0-9]+%')")];
    if (Number(m[1]) > 100) return [invalid(fld, v, 'must not be greater than 100%')];
    return [];
  }
  return [invalid(fld, v, 'must be an integer or percentage (e.g. 5 or 5%)')];
}

function isZero(v: unknown): boolean {
  return v === 0 || v === '0%' || v === '0';
}

export function goIntOrString(v: unknown): GoLiteral {
  return typeof v === 'string'
    ? new GoLiteral(`intstr.IntOrString{Type:1, IntVal:0, StrVal:${JSON.stringify(v)}}`)
    : new GoLiteral(`intstr.IntOrString{Type:0, IntVal:${v}, StrVal:""}`);
}

function validateRollingUpdate(ru: any, fld: string, requireNonZero: boolean): FieldError[] {
  if (!ru) return [];
  const errs: FieldError[] = [];
  errs.push(...validateIntOrPercent(ru.maxUnavailable, `${fld}.maxUnavailable`));
  errs.push(...validateIntOrPercent(ru.maxSurge, `${fld}.maxSurge`));
  if (requireNonZero && isZero(ru.maxUnavailable) && isZero(ru.maxSurge ?? 0))
    errs.push(invalid(`${fld}.maxUnavailable`, goIntOrString(ru.maxUnavailable), 'may not be 0 when `maxSurge` is 0'));
  return errs;
}

function validateReplicas(spec: any, errs: FieldError[]): void {
  errs.push(...validateNonNegative(spec?.replicas, 'spec.replicas'));
  errs.push(...validateNonNegative(spec?.minReadySeconds, 'spec.minReadySeconds'));
  errs.push(...validateNonNegative(spec?.revisionHistoryLimit, 'spec.revisionHistoryLimit'));
}

export function validateDeployment(obj: any): FieldError[] {
  const spec = obj.spec;
  if (!spec) return [required('spec')];
  const errs: FieldError[] = [];
  validateReplicas(spec, errs);
  errs.push(...validateSelectorAndTemplate(spec, 'spec', 'deployment', ['Always']));
  const st = spec.strategy;
  if (st?.type !== undefined && !['Recreate', 'RollingUpdate'].includes(st.type)) errs.push(notSupported('spec.strategy.type', st.type, ['Recreate', 'RollingUpdate']));
  if (st?.type === 'Recreate' && st.rollingUpdate)
    errs.push(invalid('spec.strategy.rollingUpdate', st.rollingUpdate, 'may not be specified when strategy `type` is \'Recreate\''));
  errs.push(...validateRollingUpdate(st?.rollingUpdate, 'spec.strategy.rollingUpdate', true));
  if (spec.progressDeadlineSeconds !== undefined && spec.progressDeadlineSeconds !== null) {
    errs.push(...validateNonNegative(spec.progressDeadlineSeconds, 'spec.progressDeadlineSeconds'));
    if (typeof spec.minReadySeconds === 'number' && spec.progressDeadlineSeconds <= spec.minReadySeconds)
      errs.push(invalid('spec.progressDeadlineSeconds', spec.progressDeadlineSeconds, 'must be greater than minReadySeconds'));
  }
  return errs;
}

export function validateReplicaSet(obj: any): FieldError[] {
  const spec = obj.spec;
  if (!spec) return [required('spec')];
  const errs: FieldError[] = [];
  validateReplicas(spec, errs);
  errs.push(...validateSelectorAndTemplate(spec, 'spec', 'replicaset', ['Always']));
  return errs;
}

export function validateDaemonSet(obj: any): FieldError[] {
  const spec = obj.spec;
  if (!spec) return [required('spec')];
  const errs: FieldError[] = [];
  errs.push(...validateNonNegative(spec.minReadySeconds, 'spec.minReadySeconds'));
  errs.push(...validateNonNegative(spec.revisionHistoryLimit, 'spec.revisionHistoryLimit'));
  errs.push(...validateSelectorAndTemplate(spec, 'spec', 'daemonset', ['Always']));
  const us = spec.updateStrategy;
  if (us?.type !== undefined && !['OnDelete', 'RollingUpdate'].includes(us.type))
    errs.push(notSupported('spec.updateStrategy.type', us.type, ['OnDelete', 'RollingUpdate']));
  errs.push(...validateRollingUpdate(us?.rollingUpdate, 'spec.updateStrategy.rollingUpdate', true));
  return errs;
}

/** spec.selector may not change after creation (apps/v1, batch/v1). */
export function validateSelectorImmutable(obj: any, old: any): FieldError[] {
  const n = obj.spec?.selector;
  const o = old.spec?.selector;
  if (canonicalJson(n ?? null) === canonicalJson(o ?? null)) return [];
  return [invalid('spec.selector', new GoLiteral(goLabelSelector(n)), 'field is immutable')];
}
