// Whether rules held cover rules asked for, as Kubernetes' rbac validation.Covers (used by
// the escalation check and by the bootstrap reconciliation): the asked rules are broken into
// atomic ones (one verb, group, resource, name or URL) and each must be covered by one held
// rule. `*` asked for is covered only by `*` held.
import type { PolicyRule } from './rules.js';

function has(list: readonly string[] | undefined, v: string): boolean {
  return !!list && (list.includes('*') || list.includes(v));
}

function resourceCovers(held: readonly string[] | undefined, r: string): boolean {
  if (!held) return false;
  if (held.includes('*') || held.includes(r)) return true;
  const slash = r.indexOf('/');
  return slash > 0 && held.includes(`*/${r.slice(slash + 1)}`);
}

function urlCovers(held: readonly string[] | undefined, url: string): boolean {
  for (const h of held ?? []) {
    if (h === '*' || h === url) return true;
    if (h.endsWith('*') && url.startsWith(h.replace(/\*+$/, ''))) return true;
  }
  return false;
}

/** BreakdownRule: the atomic rules of one rule. */
export function breakdown(rule: PolicyRule): PolicyRule[] {
  const out: PolicyRule[] = [];
  for (const verb of rule.verbs ?? []) {
    for (const g of rule.apiGroups ?? [])
      for (const res of rule.resources ?? []) {
        if (rule.resourceNames?.length) for (const n of rule.resourceNames) out.push({ verbs: [verb], apiGroups: [g], resources: [res], resourceNames: [n] });
        else out.push({ verbs: [verb], apiGroups: [g], resources: [res] });
      }
    for (const u of rule.nonResourceURLs ?? []) out.push({ verbs: [verb], nonResourceURLs: [u] });
  }
  return out;
}

/** Does one held rule cover one atomic rule? */
function coversAtomic(held: PolicyRule, a: PolicyRule): boolean {
  if (!has(held.verbs, a.verbs[0]!)) return false;
  if (a.nonResourceURLs?.length) return urlCovers(held.nonResourceURLs, a.nonResourceURLs[0]!);
  if (!has(held.apiGroups, a.apiGroups![0]!)) return false;
  if (!resourceCovers(held.resources, a.resources![0]!)) return false;
  if (!held.resourceNames?.length) return true;
  return !!a.resourceNames?.length && held.resourceNames.includes(a.resourceNames[0]!);
}

/** Does this one held rule cover every atomic part of `asked`? */
export function ruleCovers(held: PolicyRule, asked: PolicyRule): boolean {
  return breakdown(asked).every((a) => coversAtomic(held, a));
}

/** validation.Covers: whether `held` covers `asked`, and the atomic rules it does not. */
export function covers(held: readonly PolicyRule[], asked: readonly PolicyRule[]): { covered: boolean; missing: PolicyRule[] } {
  const missing: PolicyRule[] = [];
  for (const r of asked) for (const a of breakdown(r)) if (!held.some((h) => coversAtomic(h, a))) missing.push(a);
  return { covered: missing.length === 0, missing };
}

/** A rule as Kubernetes' PolicyRule.CompactString prints it in the escalation message. */
export function compactRule(r: PolicyRule): string {
  const parts: string[] = [];
  const list = (name: string, v: readonly string[] | undefined) => {
    if (v?.length) parts.push(`${name}:[${v.map((x) => JSON.stringify(x)).join(' ')}]`);
  };
  list('APIGroups', r.apiGroups);
  list('Resources', r.resources);
  list('ResourceNames', r.resourceNames);
  list('NonResourceURLs', r.nonResourceURLs);
  list('Verbs', r.verbs);
  return `{${parts.join(', ')}}`;
}
