// PodDisruptionBudget (policy/v1): ValidatePodDisruptionBudget from
// k8s.io/kubernetes/pkg/apis/policy/validation.
import { type FieldError, GoLiteral, invalid, notSupported } from './field-error.js';
import { validateLabelSelector } from './common.js';
import { goIntOrString, validateIntOrPercent } from './workloads.js';

const PERCENT_FORMAT = "a valid percent string must be a numeric string followed by an ending '%' (e.g. '1%',  or '93%', regex used for validation is '[0-9]+%')";
const UNHEALTHY_POD_EVICTION_POLICIES = ['AlwaysAllow', 'IfHealthyBudget'];

export function validatePodDisruptionBudget(obj: any): FieldError[] {
  const spec = obj.spec ?? {};
  const errs: FieldError[] = [];
  const has = (v: unknown) => v !== undefined && v !== null;
  if (has(spec.minAvailable) && has(spec.maxUnavailable)) {
    errs.push(invalid('spec', new GoLiteral(goPdbSpec(spec)), 'minAvailable and maxUnavailable cannot be both set'));
  }
  for (const f of ['minAvailable', 'maxUnavailable']) {
    const v = spec[f];
    if (!has(v)) continue;
    if (typeof v === 'string') {
      // The IntOrString struct is what upstream prints for a string (it is no Stringer by value).
      const m = /^(\d+)%$/.exec(v);
      if (!m) errs.push(invalid(`spec.${f}`, goIntOrString(v), PERCENT_FORMAT));
      else if (Number(m[1]) > 100) errs.push(invalid(`spec.${f}`, goIntOrString(v), 'must not be greater than 100%'));
    } else errs.push(...validateIntOrPercent(v, `spec.${f}`));
  }
  errs.push(...validateLabelSelector(spec.selector, 'spec.selector'));
  if (has(spec.unhealthyPodEvictionPolicy) && !UNHEALTHY_POD_EVICTION_POLICIES.includes(spec.unhealthyPodEvictionPolicy)) {
    errs.push(notSupported('spec.unhealthyPodEvictionPolicy', spec.unhealthyPodEvictionPolicy, UNHEALTHY_POD_EVICTION_POLICIES));
  }
  return errs;
}

/** ValidatePodDisruptionBudgetStatusUpdate: the counts are never negative. */
export function validatePodDisruptionBudgetStatus(obj: any): FieldError[] {
  const s = obj.status ?? {};
  const errs: FieldError[] = [];
  for (const f of ['disruptionsAllowed', 'currentHealthy', 'desiredHealthy', 'expectedPods']) {
    const v = s[f];
    if (v === undefined || v === null) continue;
    if (typeof v !== 'number' || !Number.isInteger(v) || v < 0) errs.push(invalid(`status.${f}`, v, 'must be greater than or equal to 0'));
  }
  return errs;
}

function goPdbSpec(spec: any): string {
  const ptr = (v: unknown) => (v === undefined || v === null ? 'nil' : `(*intstr.IntOrString)(${typeof v === 'string' ? JSON.stringify(v) : String(v)})`);
  return `policy.PodDisruptionBudgetSpec{MinAvailable:${ptr(spec.minAvailable)}, Selector:(*v1.LabelSelector)(${spec.selector ? '...' : 'nil'}), MaxUnavailable:${ptr(spec.maxUnavailable)}, UnhealthyPodEvictionPolicy:${spec.unhealthyPodEvictionPolicy ? JSON.stringify(spec.unhealthyPodEvictionPolicy) : 'nil'}}`;
}
