// Small validators shared by several resources.
import { isQualifiedName, isValidLabelValue } from '../selectors/label-syntax.js';
import { parseQuantity } from '../quantity.js';
import { type FieldError, forbidden, invalid, required } from './field-error.js';

export function isValidPortNum(p: unknown): string[] {
  return typeof p === 'number' && Number.isInteger(p) && p >= 1 && p <= 65535 ? [] : ['must be between 1 and 65535, inclusive'];
}

/** validation.IsValidPortName (IANA_SVC_NAME). */
export function isValidPortName(name: string): string[] {
  const errs: string[] = [];
  if (name.length > 15) errs.push('must be no more than 15 characters');
  if (!/^[-a-z0-9]+$/.test(name)) errs.push('must contain only alpha-numeric characters (a-z, 0-9), and hyphens (-)');
  if (name.includes('--')) errs.push('must not contain consecutive hyphens');
  if (name.length > 0 && !/[a-z]/.test(name)) errs.push('must contain at least one letter (a-z)');
  if (name.startsWith('-') || name.endsWith('-')) errs.push('must not begin or end with a hyphen');
  return errs;
}

/** A port given as a number or an IANA name (targetPort, probe ports). */
export function validatePortNumOrName(port: unknown, fld: string): FieldError[] {
  if (typeof port === 'number') return isValidPortNum(port).map((m) => invalid(fld, port, m));
  if (typeof port === 'string') {
    if (/^\d+$/.test(port)) return isValidPortNum(Number(port)).map((m) => invalid(fld, port, m));
    return isValidPortName(port).map((m) => invalid(fld, port, m));
  }
  return [required(fld)];
}

export function validateNonNegative(v: unknown, fld: string): FieldError[] {
  if (v === undefined || v === null) return [];
  if (typeof v !== 'number' || !Number.isInteger(v)) return [invalid(fld, v, 'must be an integer')];
  return v < 0 ? [invalid(fld, v, 'must be greater than or equal to 0')] : [];
}

export function validateLabelName(key: unknown, fld: string): FieldError[] {
  if (typeof key !== 'string') return [invalid(fld, key, 'must be a string')];
  return isQualifiedName(key).map((m) => invalid(fld, key, m));
}

export function validateLabelValue(v: unknown, fld: string): FieldError[] {
  if (typeof v !== 'string') return [invalid(fld, v, 'must be a string')];
  return isValidLabelValue(v).map((m) => invalid(fld, v, m));
}

/** metav1validation.ValidateLabelSelector. */
export function validateLabelSelector(sel: any, fld: string): FieldError[] {
  if (sel === undefined || sel === null) return [];
  const errs: FieldError[] = [];
  for (const [k, v] of Object.entries(sel.matchLabels ?? {})) {
    errs.push(...validateLabelName(k, `${fld}.matchLabels`));
    errs.push(...validateLabelValue(v, `${fld}.matchLabels`));
  }
  (sel.matchExpressions ?? []).forEach((e: any, i: number) => {
    const p = `${fld}.matchExpressions[${i}]`;
    const values = e?.values ?? [];
    switch (e?.operator) {
      case 'In':
      case 'NotIn':
        if (values.length === 0) errs.push(required(`${p}.values`, "must be specified when `operator` is 'In' or 'NotIn'"));
        break;
      case 'Exists':
      case 'DoesNotExist':
        if (values.length > 0) errs.push(forbidden(`${p}.values`, "may not be specified when `operator` is 'Exists' or 'DoesNotExist'"));
        break;
      default:
        errs.push(invalid(`${p}.operator`, e?.operator ?? '', 'not a valid selector operator'));
    }
    errs.push(...validateLabelName(e?.key, `${p}.key`));
    values.forEach((v: unknown, j: number) => errs.push(...validateLabelValue(v, `${p}.values[${j}]`)));
  });
  return errs;
}

/** Parses a quantity for validation; returns the value or undefined after pushing an error. */
export function checkQuantity(q: unknown, fld: string, errs: FieldError[]): number | undefined {
  try {
    return parseQuantity(q as string);
  } catch (e) {
    errs.push(invalid(fld, q, (e as Error).message));
    return undefined;
  }
}

/** Go's %#v of a metav1.LabelSelector, as `field is immutable` errors print it. */
export function goLabelSelector(sel: any): string {
  const ml = sel?.matchLabels;
  const mlText =
    ml && Object.keys(ml).length
      ? `map[string]string{${Object.keys(ml)
          .sort()
          .map((k) => `${JSON.stringify(k)}:${JSON.stringify(ml[k])}`)
          .join(', ')}}`
      : 'map[string]string(nil)';
  const me = sel?.matchExpressions;
  const meText =
    me && me.length
      ? `[]v1.LabelSelectorRequirement{${me
          .map(
            (e: any) =>
              `v1.LabelSelectorRequirement{Key:${JSON.stringify(e.key ?? '')}, Operator:${JSON.stringify(e.operator ?? '')}, Values:${
                e.values ? `[]string{${e.values.map((v: string) => JSON.stringify(v)).join(', ')}}` : '[]string(nil)'
              }}`,
          )
          .join(', ')}}`
      : '[]v1.LabelSelectorRequirement(nil)';
  return `v1.LabelSelector{MatchLabels:${mlText}, MatchExpressions:${meText}}`;
}

/**
 * validateLocalDescendingPath: a path inside a volume (a mount's subPath, a projected file's
 * path) must stay inside it: relative, with no '..' segment.
 */
export function validateLocalDescendingPath(path: unknown, fld: string): FieldError[] {
  if (typeof path !== 'string' || path === '') return [];
  const errs: FieldError[] = [];
  if (path.startsWith('/')) errs.push(invalid(fld, path, 'must be a relative path'));
  if (path.split(/[\\/]/).includes('..')) errs.push(invalid(fld, path, "must not contain '..'"));
  return errs;
}
