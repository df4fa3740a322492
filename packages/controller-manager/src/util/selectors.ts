// metav1.LabelSelector matching. A private copy: @k8ts/api's selector module was not yet
// exported when this package was written; swap to it once it is.
import type { LabelSelector } from '@k8ts/api';

export type Labels = Record<string, string> | undefined | null;

/** An absent selector selects nothing; an empty one ({}) selects everything (as Kubernetes). */
export function selectorMatches(sel: LabelSelector | undefined | null, labels: Labels): boolean {
  if (!sel) return false;
  const l = labels ?? {};
  for (const [k, v] of Object.entries(sel.matchLabels ?? {})) if (l[k] !== v) return false;
  for (const e of sel.matchExpressions ?? []) {
    const has = Object.prototype.hasOwnProperty.call(l, e.key);
    const vals = e.values ?? [];
    switch (e.operator) {
      case 'In':
        if (!has || !vals.includes(l[e.key]!)) return false;
        break;
      case 'NotIn':
        if (has && vals.includes(l[e.key]!)) return false;
        break;
      case 'Exists':
        if (!has) return false;
        break;
      case 'DoesNotExist':
        if (has) return false;
        break;
      default:
        return false;
    }
  }
  return true;
}

/** A Service's selector (a plain map): an empty map selects nothing for Endpoints purposes. */
export function setMatches(set: Record<string, string> | undefined | null, labels: Labels): boolean {
  if (!set || Object.keys(set).length === 0) return false;
  const l = labels ?? {};
  return Object.entries(set).every(([k, v]) => l[k] === v);
}

export function isEmptySelector(sel: LabelSelector | undefined | null): boolean {
  return !!sel && Object.keys(sel.matchLabels ?? {}).length === 0 && (sel.matchExpressions ?? []).length === 0;
}

/** The string form for list calls (`a=b,c in (d)`). */
export function selectorString(sel: LabelSelector | undefined | null): string {
  const parts: string[] = [];
  for (const [k, v] of Object.entries(sel?.matchLabels ?? {})) parts.push(`${k}=${v}`);
  for (const e of sel?.matchExpressions ?? []) {
    if (e.operator === 'In') parts.push(`${e.key} in (${(e.values ?? []).join(',')})`);
    else if (e.operator === 'NotIn') parts.push(`${e.key} notin (${(e.values ?? []).join(',')})`);
    else if (e.operator === 'Exists') parts.push(e.key);
    else if (e.operator === 'DoesNotExist') parts.push(`!${e.key}`);
  }
  return parts.join(',');
}
