// Which checks run for a level:version, in upstream's order (baseline IDs sorted, then
// restricted IDs sorted; policy/registry.go), and the aggregate message they make:
// `host namespaces (hostNetwork=true), privileged (container "c" must …)`.
import type { ObjectMeta, PodSpec } from '@k8ts/api';
import type { Check, CheckPodFn, CheckResult } from './check-types.js';
import { BASELINE_CHECKS } from './checks-baseline.js';
import { RESTRICTED_CHECKS } from './checks-restricted.js';
import type { LevelVersion } from './api.js';

/** The newest policy version this apiserver knows (it reports v1.32); `latest` means it. */
export const MAX_MINOR = 32;

export interface AggregateResult {
  allowed: boolean;
  reasons: string[];
  details: string[];
}

function byteOrder(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function implementationAt(check: Check, minor: number) {
  let found: Check['versions'][number] | undefined;
  for (const v of check.versions) if (v.minimumMinor <= minor) found = v;
  return found;
}

export class Evaluator {
  private readonly cache = new Map<string, CheckPodFn[]>();

  constructor(
    private readonly baseline: Check[] = BASELINE_CHECKS,
    private readonly restricted: Check[] = RESTRICTED_CHECKS,
    private readonly maxMinor = MAX_MINOR,
  ) {}

  checksFor(lv: LevelVersion): CheckPodFn[] {
    if (lv.level === 'privileged') return [];
    const minor = lv.version.latest ? this.maxMinor : Math.min(lv.version.minor, this.maxMinor);
    const key = `${lv.level}:${minor}`;
    let fns = this.cache.get(key);
    if (!fns) {
      fns = this.build(lv.level, minor);
      this.cache.set(key, fns);
    }
    return fns;
  }

  private build(level: 'baseline' | 'restricted', minor: number): CheckPodFn[] {
    const baseline = [...this.baseline].sort((a, b) => byteOrder(a.id, b.id));
    const restricted = [...this.restricted].sort((a, b) => byteOrder(a.id, b.id));
    const overridden = new Set<string>();
    const fns: CheckPodFn[] = [];
    const restrictedFns: CheckPodFn[] = [];
    if (level === 'restricted') {
      for (const c of restricted) {
        const impl = implementationAt(c, minor);
        if (!impl) continue;
        for (const o of impl.overrides ?? []) overridden.add(o);
        restrictedFns.push(impl.check);
      }
    }
    for (const c of baseline) {
      const impl = implementationAt(c, minor);
      if (impl && !overridden.has(c.id)) fns.push(impl.check);
    }
    return [...fns, ...restrictedFns];
  }

  evaluate(lv: LevelVersion, meta: ObjectMeta, spec: PodSpec): AggregateResult {
    return aggregate(this.checksFor(lv).map((f) => f(meta, spec)));
  }
}

export function aggregate(results: CheckResult[]): AggregateResult {
  const reasons: string[] = [];
  const details: string[] = [];
  for (const r of results) {
    if (r.allowed) continue;
    reasons.push(r.reason || 'unknown forbidden reason');
    details.push(r.detail ?? '');
  }
  return { allowed: reasons.length === 0, reasons, details };
}

/** `reason (detail), reason` as AggregateCheckResult.ForbiddenDetail writes it. */
export function forbiddenDetail(r: AggregateResult): string {
  return r.reasons.map((reason, i) => (r.details[i] ? `${reason} (${r.details[i]})` : reason)).join(', ');
}

/** The reasons alone, as the namespace check lists them for existing pods. */
export function forbiddenReason(r: AggregateResult): string {
  return r.reasons.join(', ');
}
