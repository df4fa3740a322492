// autoscaling/v2 HorizontalPodAutoscaler (pkg/apis/autoscaling/validation), in upstream's
// words and field paths: replica bounds, the target reference, metrics and behavior.
import { type FieldError, forbidden, invalid, notSupported, required } from './field-error.js';
import { nameIsPathSegment } from './rbac.js';
import { isValidQuantity, parseQuantity } from '../quantity.js';

const MAX_PERIOD_SECONDS = 1800;
const MAX_STABILIZATION_WINDOW_SECONDS = 3600;
const METRIC_SOURCE_TYPES = ['ContainerResource', 'External', 'Object', 'Pods', 'Resource'];
const SOURCE_FIELD: Record<string, string> = { ContainerResource: 'containerResource', External: 'external', Object: 'object', Pods: 'pods', Resource: 'resource' };
const SELECT_POLICIES = ['Disabled', 'Max', 'Min'];
const POLICY_TYPES = ['Percent', 'Pods'];

const isInt = (v: unknown): v is number => typeof v === 'number' && Number.isInteger(v);

function validateTargetRef(ref: any, fld: string): FieldError[] {
  if (!ref || typeof ref !== 'object') return [required(`${fld}.kind`), required(`${fld}.name`)];
  const errs: FieldError[] = [];
  if (!ref.kind) errs.push(required(`${fld}.kind`));
  else for (const m of nameIsPathSegment(ref.kind, false)) errs.push(invalid(`${fld}.kind`, ref.kind, m));
  if (!ref.name) errs.push(required(`${fld}.name`));
  else for (const m of nameIsPathSegment(ref.name, false)) errs.push(invalid(`${fld}.name`, ref.name, m));
  return errs;
}

function positiveQuantity(q: unknown, fld: string): FieldError[] {
  if (q === undefined || q === null) return [];
  if (!isValidQuantity(q)) return [invalid(fld, q, 'must be a valid quantity')];
  return parseQuantity(q as string) > 0 ? [] : [invalid(fld, q, 'must be positive')];
}

function validateMetricTarget(t: any, fld: string): FieldError[] {
  if (!t || typeof t !== 'object') return [required(`${fld}.type`, 'must specify a metric target type')];
  const errs: FieldError[] = [];
  if (!t.type) errs.push(required(`${fld}.type`, 'must specify a metric target type'));
  if (t.type !== 'Utilization' && t.type !== 'Value' && t.type !== 'AverageValue') errs.push(invalid(`${fld}.type`, t.type ?? '', 'must be either Utilization, Value, or AverageValue'));
  errs.push(...positiveQuantity(t.value, `${fld}.value`), ...positiveQuantity(t.averageValue, `${fld}.averageValue`));
  if (t.averageUtilization != null && (!isInt(t.averageUtilization) || t.averageUtilization < 1)) errs.push(invalid(`${fld}.averageUtilization`, t.averageUtilization, 'must be greater than 0'));
  return errs;
}

function validateResourceSource(src: any, fld: string, container: boolean): FieldError[] {
  const errs: FieldError[] = [];
  if (!src.name) errs.push(required(`${fld}.name`, 'must specify a resource name'));
  if (container && !src.container) errs.push(required(`${fld}.container`, 'must specify a container'));
  errs.push(...validateMetricTarget(src.target, `${fld}.target`));
  const t = src.target ?? {};
  if (t.averageUtilization == null && t.averageValue == null) errs.push(required(`${fld}.target.averageUtilization`, 'must set either a target raw value or a target utilization'));
  if (t.averageUtilization != null && t.averageValue != null) errs.push(forbidden(`${fld}.target.averageValue`, 'may not set both a target raw value and a target utilization'));
  return errs;
}

function validateMetricSpec(m: any, fld: string): FieldError[] {
  if (!m || typeof m !== 'object') return [required(`${fld}.type`, 'must specify a metric source type')];
  const errs: FieldError[] = [];
  if (!m.type) errs.push(required(`${fld}.type`, 'must specify a metric source type'));
  if (!METRIC_SOURCE_TYPES.includes(m.type)) errs.push(notSupported(`${fld}.type`, m.type ?? '', METRIC_SOURCE_TYPES));
  const expected = SOURCE_FIELD[m.type];
  if (expected && (m[expected] === undefined || m[expected] === null)) errs.push(required(`${fld}.${expected}`, 'must populate information for the given metric source'));
  for (const f of Object.values(SOURCE_FIELD)) if (f !== expected && m[f] != null) errs.push(forbidden(`${fld}.${f}`, 'must populate the given metric source only'));
  if (m.resource) errs.push(...validateResourceSource(m.resource, `${fld}.resource`, false));
  if (m.containerResource) errs.push(...validateResourceSource(m.containerResource, `${fld}.containerResource`, true));
  for (const f of ['pods', 'object', 'external']) {
    const src = m[f];
    if (!src) continue;
    if (!src.metric?.name) errs.push(required(`${fld}.${f}.metric.name`, 'must specify a metric name'));
    errs.push(...validateMetricTarget(src.target, `${fld}.${f}.target`));
  }
  return errs;
}

function validateScalingRules(rules: any, fld: string): FieldError[] {
  if (rules === undefined || rules === null) return [];
  const errs: FieldError[] = [];
  const w = rules.stabilizationWindowSeconds;
  if (w != null && (!isInt(w) || w < 0)) errs.push(invalid(`${fld}.stabilizationWindowSeconds`, w, 'must be greater than or equal to zero'));
  if (isInt(w) && w > MAX_STABILIZATION_WINDOW_SECONDS) errs.push(invalid(`${fld}.stabilizationWindowSeconds`, w, `must be less than or equal to ${MAX_STABILIZATION_WINDOW_SECONDS}`));
  if (rules.selectPolicy != null && !SELECT_POLICIES.includes(rules.selectPolicy)) errs.push(notSupported(`${fld}.selectPolicy`, rules.selectPolicy, SELECT_POLICIES));
  const policies = Array.isArray(rules.policies) ? rules.policies : [];
  if (policies.length === 0) errs.push(required(`${fld}.policies`, 'must specify at least one Policy'));
  policies.forEach((p: any, i: number) => {
    const pf = `${fld}.policies[${i}]`;
    if (!POLICY_TYPES.includes(p?.type)) errs.push(notSupported(`${pf}.type`, p?.type ?? '', POLICY_TYPES));
    if (!isInt(p?.value) || p.value <= 0) errs.push(invalid(`${pf}.value`, p?.value ?? 0, 'must be greater than zero'));
    if (!isInt(p?.periodSeconds) || p.periodSeconds <= 0) errs.push(invalid(`${pf}.periodSeconds`, p?.periodSeconds ?? 0, 'must be greater than zero'));
    else if (p.periodSeconds > MAX_PERIOD_SECONDS) errs.push(invalid(`${pf}.periodSeconds`, p.periodSeconds, `must be less than or equal to ${MAX_PERIOD_SECONDS}`));
  });
  return errs;
}

export function validateHorizontalPodAutoscaler(obj: any): FieldError[] {
  const spec = obj.spec;
  if (!spec || typeof spec !== 'object') return [required('spec')];
  const errs: FieldError[] = [];
  const min = spec.minReplicas;
  if (min != null && (!isInt(min) || min < 1)) errs.push(invalid('spec.minReplicas', min, 'must be greater than or equal to 1'));
  if (!isInt(spec.maxReplicas) || spec.maxReplicas < 1) errs.push(invalid('spec.maxReplicas', spec.maxReplicas ?? 0, 'must be greater than 0'));
  if (isInt(min) && isInt(spec.maxReplicas) && spec.maxReplicas < min) errs.push(invalid('spec.maxReplicas', spec.maxReplicas, 'must be greater than or equal to `minReplicas`'));
  errs.push(...validateTargetRef(spec.scaleTargetRef, 'spec.scaleTargetRef'));
  (Array.isArray(spec.metrics) ? spec.metrics : []).forEach((m: any, i: number) => errs.push(...validateMetricSpec(m, `spec.metrics[${i}]`)));
  if (spec.behavior) {
    errs.push(...validateScalingRules(spec.behavior.scaleUp, 'spec.behavior.scaleUp'));
    errs.push(...validateScalingRules(spec.behavior.scaleDown, 'spec.behavior.scaleDown'));
  }
  return errs;
}

export function validateHorizontalPodAutoscalerStatus(obj: any): FieldError[] {
  const s = obj.status ?? {};
  const errs: FieldError[] = [];
  for (const k of ['currentReplicas', 'desiredReplicas']) if (s[k] != null && (!isInt(s[k]) || s[k] < 0)) errs.push(invalid(`status.${k}`, s[k], 'must be greater than or equal to 0'));
  return errs;
}
