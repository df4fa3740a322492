// Tolerations, affinity and topology spread (pkg/apis/core/validation).
import { isValidLabelValue } from '../selectors/label-syntax.js';
import { type FieldError, duplicate, forbidden, invalid, notSupported, required, GoLiteral } from './field-error.js';
import { validateLabelName, validateLabelSelector } from './common.js';

export const TAINT_EFFECTS = ['NoSchedule', 'PreferNoSchedule', 'NoExecute'];

function goToleration(t: any): GoLiteral {
  return new GoLiteral(
    `core.Toleration{Key:${JSON.stringify(t.key ?? '')}, Operator:${JSON.stringify(t.operator ?? '')}, Value:${JSON.stringify(
      t.value ?? '',
    )}, Effect:${JSON.stringify(t.effect ?? '')}, TolerationSeconds:(*int64)(${t.tolerationSeconds === undefined ? 'nil' : '0xc000000000'})}`,
  );
}

export function validateTolerations(tols: any[] | undefined, fld: string): FieldError[] {
  const errs: FieldError[] = [];
  (tols ?? []).forEach((t: any, i: number) => {
    const p = `${fld}[${i}]`;
    if (t === null || typeof t !== 'object') {
      errs.push(invalid(p, t, 'must be an object'));
      return;
    }
    if (t.key) errs.push(...validateLabelName(t.key, `${p}.key`));
    if (!t.key && t.operator !== 'Exists')
      errs.push(invalid(`${p}.operator`, t.operator ?? '', 'operator must be Exists when `key` is empty, which means "match all values and all keys"'));
    if (t.tolerationSeconds !== undefined && t.tolerationSeconds !== null && t.effect !== 'NoExecute')
      errs.push(invalid(`${p}.effect`, t.effect ?? '', "effect must be 'NoExecute' when `tolerationSeconds` is set"));
    switch (t.operator ?? '') {
      case 'Equal':
      case '': {
        const msgs = isValidLabelValue(String(t.value ?? ''));
        if (msgs.length) errs.push(invalid(`${p}.operator`, t.value, msgs.join(';')));
        break;
      }
      case 'Exists':
        if (t.value) errs.push(invalid(`${p}.operator`, goToleration(t), "value must be empty when `operator` is 'Exists'"));
        break;
      default:
        errs.push(notSupported(`${p}.operator`, t.operator, ['Equal', 'Exists']));
    }
    if (t.effect && !TAINT_EFFECTS.includes(t.effect)) errs.push(notSupported(`${p}.effect`, t.effect, TAINT_EFFECTS));
  });
  return errs;
}

/** Node taints (spec.taints): key required, effect required and known, no duplicate key+effect. */
export function validateTaints(taints: any[] | undefined, fld: string): FieldError[] {
  const errs: FieldError[] = [];
  const seen = new Set<string>();
  (taints ?? []).forEach((t: any, i: number) => {
    const p = `${fld}[${i}]`;
    errs.push(...validateLabelName(t?.key ?? '', `${p}.key`));
    if (t?.value) for (const m of isValidLabelValue(t.value)) errs.push(invalid(`${p}.value`, t.value, m));
    if (!t?.effect) errs.push(required(`${p}.effect`));
    else if (!TAINT_EFFECTS.includes(t.effect)) errs.push(notSupported(`${p}.effect`, t.effect, TAINT_EFFECTS));
    const k = `${t?.key}:${t?.effect}`;
    if (seen.has(k)) errs.push(duplicateTaint(p, t));
    seen.add(k);
  });
  return errs;
}

function duplicateTaint(p: string, t: any): FieldError {
  return invalid(p, new GoLiteral(`core.Taint{Key:${JSON.stringify(t.key)}, Value:${JSON.stringify(t.value ?? '')}, Effect:${JSON.stringify(t.effect)}, TimeAdded:<nil>}`), 'taints must be unique by key and effect pair');
}

const NODE_SELECTOR_OPS = ['In', 'NotIn', 'Exists', 'DoesNotExist', 'Gt', 'Lt'];

function validateNodeSelectorRequirement(rq: any, fld: string, isField: boolean): FieldError[] {
  const errs: FieldError[] = [];
  const values: unknown[] = rq?.values ?? [];
  switch (rq?.operator) {
    case 'In':
    case 'NotIn':
      if (values.length === 0) errs.push(required(`${fld}.values`, "must be specified when `operator` is 'In' or 'NotIn'"));
      break;
    case 'Exists':
    case 'DoesNotExist':
      if (values.length > 0) errs.push(forbidden(`${fld}.values`, "may not be specified when `operator` is 'Exists' or 'DoesNotExist'"));
      break;
    case 'Gt':
    case 'Lt':
      if (values.length !== 1) errs.push(required(`${fld}.values`, "must be specified single value when `operator` is 'Lt' or 'Gt'"));
      else if (!/^-?\d+$/.test(String(values[0]))) errs.push(invalid(`${fld}.values[0]`, values[0], 'must be an integer'));
      break;
    default:
      errs.push(invalid(`${fld}.operator`, rq?.operator ?? '', 'not a valid selector operator'));
  }
  if (isField) {
    if (rq?.key !== 'metadata.name') errs.push(invalid(`${fld}.key`, rq?.key, 'not a valid field selector key'));
  } else errs.push(...validateLabelName(rq?.key ?? '', `${fld}.key`));
  return errs;
}

export function validateNodeSelectorTerm(term: any, fld: string): FieldError[] {
  const errs: FieldError[] = [];
  (term?.matchExpressions ?? []).forEach((e: any, j: number) => errs.push(...validateNodeSelectorRequirement(e, `${fld}.matchExpressions[${j}]`, false)));
  (term?.matchFields ?? []).forEach((e: any, j: number) => errs.push(...validateNodeSelectorRequirement(e, `${fld}.matchFields[${j}]`, true)));
  return errs;
}

function validateWeight(w: unknown, fld: string): FieldError[] {
  return typeof w === 'number' && w >= 1 && w <= 100 ? [] : [invalid(fld, w ?? 0, 'must be in the range 1-100')];
}

function validatePodAffinityTerm(t: any, fld: string): FieldError[] {
  const errs: FieldError[] = [];
  errs.push(...validateLabelSelector(t?.labelSelector, `${fld}.labelSelector`));
  errs.push(...validateLabelSelector(t?.namespaceSelector, `${fld}.namespaceSelector`));
  if (!t?.topologyKey) errs.push(required(`${fld}.topologyKey`, 'can not be empty'));
  else errs.push(...validateLabelName(t.topologyKey, `${fld}.topologyKey`));
  return errs;
}

export function validateAffinity(aff: any, fld: string): FieldError[] {
  if (!aff) return [];
  const errs: FieldError[] = [];
  const na = aff.nodeAffinity;
  if (na) {
    const req = na.requiredDuringSchedulingIgnoredDuringExecution;
    if (req) {
      const p = `${fld}.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms`;
      const terms: any[] = req.nodeSelectorTerms ?? [];
      if (terms.length === 0) errs.push(required(p, 'must have at least one node selector term'));
      terms.forEach((t, i) => errs.push(...validateNodeSelectorTerm(t, `${p}[${i}]`)));
    }
    (na.preferredDuringSchedulingIgnoredDuringExecution ?? []).forEach((t: any, i: number) => {
      const p = `${fld}.nodeAffinity.preferredDuringSchedulingIgnoredDuringExecution[${i}]`;
      errs.push(...validateWeight(t?.weight, `${p}.weight`));
      errs.push(...validateNodeSelectorTerm(t?.preference, `${p}.preference`));
    });
  }
  for (const kind of ['podAffinity', 'podAntiAffinity'] as const) {
    const pa = aff[kind];
    if (!pa) continue;
    (pa.requiredDuringSchedulingIgnoredDuringExecution ?? []).forEach((t: any, i: number) =>
      errs.push(...validatePodAffinityTerm(t, `${fld}.${kind}.requiredDuringSchedulingIgnoredDuringExecution[${i}]`)),
    );
    (pa.preferredDuringSchedulingIgnoredDuringExecution ?? []).forEach((t: any, i: number) => {
      const p = `${fld}.${kind}.preferredDuringSchedulingIgnoredDuringExecution[${i}]`;
      errs.push(...validateWeight(t?.weight, `${p}.weight`));
      errs.push(...validatePodAffinityTerm(t?.podAffinityTerm, `${p}.podAffinityTerm`));
    });
  }
  return errs;
}

export { NODE_SELECTOR_OPS };

export function validateTopologySpreadConstraints(cs: any[] | undefined, fld: string): FieldError[] {
  const errs: FieldError[] = [];
  const seen = new Set<string>();
  (cs ?? []).forEach((c: any, i: number) => {
    const p = `${fld}[${i}]`;
    if (typeof c?.maxSkew !== 'number' || c.maxSkew <= 0) errs.push(invalid(`${p}.maxSkew`, c?.maxSkew ?? 0, 'must be greater than zero'));
    if (!c?.topologyKey) errs.push(required(`${p}.topologyKey`, 'can not be empty'));
    else errs.push(...validateLabelName(c.topologyKey, `${p}.topologyKey`));
    if (!['DoNotSchedule', 'ScheduleAnyway'].includes(c?.whenUnsatisfiable))
      errs.push(notSupported(`${p}.whenUnsatisfiable`, c?.whenUnsatisfiable ?? '', ['DoNotSchedule', 'ScheduleAnyway']));
    const k = `${c?.topologyKey}/${c?.whenUnsatisfiable}`;
    if (seen.has(k)) errs.push(duplicate(`${p}.{topologyKey, whenUnsatisfiable}`, `{${c?.topologyKey}, ${c?.whenUnsatisfiable}}`));
    seen.add(k);
    errs.push(...validateLabelSelector(c?.labelSelector, `${p}.labelSelector`));
  });
  return errs;
}
