// What upstream's HorizontalController keeps per HPA between syncs, and what it decides
// from it: the recent recommendations (stabilization windows), the recent scale events
// (scaling policies' rates), and the limits both put on a recommendation. Conditions are
// returned as reason and message; the controller sets them. Time comes from `now` (ms).
import { defaultScalingRules } from '@k8ts/api';

export interface ScalingPolicy {
  type: 'Pods' | 'Percent';
  value: number;
  periodSeconds: number;
}

export interface ScalingRules {
  stabilizationWindowSeconds?: number;
  selectPolicy?: 'Max' | 'Min' | 'Disabled';
  policies?: ScalingPolicy[];
}

export interface Behavior {
  scaleUp?: ScalingRules;
  scaleDown?: ScalingRules;
}

interface Recommendation {
  replicas: number;
  at: number;
}

interface ScaleEvent {
  change: number;
  at: number;
  outdated: boolean;
}

export interface Decision {
  replicas: number;
  /** The AbleToScale condition's reason and message. */
  able: [string, string];
  /** The ScalingLimited condition: true when the rules changed the recommendation. */
  limited: [boolean, string, string];
}

/** upstream's scaleUpLimitFactor and scaleUpLimitMinimum (no behavior given). */
const SCALE_UP_LIMIT_FACTOR = 2;
const SCALE_UP_LIMIT_MINIMUM = 4;

const WITHIN: [string, string] = ['DesiredWithinRange', 'the desired count is within the acceptable range'];
const READY: [string, string] = ['ReadyForNewScale', 'recommended size matches current size'];
const UP_STABILIZED: [string, string] = ['ScaleUpStabilized', 'recent recommendations were lower than current one, applying the lowest recent recommendation'];
const DOWN_STABILIZED: [string, string] = ['ScaleDownStabilized', 'recent recommendations were higher than current one, applying the highest recent recommendation'];

/** The rules in force: the object's, with upstream's defaults for what it leaves out. */
export function rulesOf(behavior: Behavior, direction: 'scaleUp' | 'scaleDown', downscaleStabilizationMs: number): Required<ScalingRules> {
  const d = defaultScalingRules(direction) as Required<ScalingRules>;
  const given = behavior[direction] ?? {};
  const rules = { ...d, ...Object.fromEntries(Object.entries(given).filter(([, v]) => v !== undefined && v !== null)) } as ScalingRules;
  // maybeInitScaleDownStabilizationWindow: the controller's flag fills the scale-down window.
  rules.stabilizationWindowSeconds ??= direction === 'scaleDown' ? Math.round(downscaleStabilizationMs / 1000) : 0;
  return rules as Required<ScalingRules>;
}

export class ScalingHistory {
  private readonly recommendations = new Map<string, Recommendation[]>();
  private readonly upEvents = new Map<string, ScaleEvent[]>();
  private readonly downEvents = new Map<string, ScaleEvent[]>();

  constructor(
    private readonly now: () => number,
    private readonly downscaleStabilizationMs: number,
  ) {}

  forget(key: string): void {
    this.recommendations.delete(key);
    this.upEvents.delete(key);
    this.downEvents.delete(key);
  }

  /** recordInitialRecommendation: the first sync remembers the current size. */
  recordInitial(key: string, current: number): void {
    if (!this.recommendations.has(key)) this.recommendations.set(key, [{ replicas: current, at: this.now() }]);
  }

  /** Records a recommendation, reusing one slot older than `cutoff` (upstream keeps the list short so). */
  private record(key: string, replicas: number, isOld: (r: Recommendation) => boolean): void {
    const list = this.recommendations.get(key) ?? [];
    const i = list.findIndex(isOld);
    const rec = { replicas, at: this.now() };
    if (i >= 0) list[i] = rec;
    else list.push(rec);
    this.recommendations.set(key, list);
  }

  /** normalizeDesiredReplicas: no behavior on the object (upstream's older rules). */
  normalize(key: string, current: number, desired: number, min: number, max: number): Decision {
    const cutoff = this.now() - this.downscaleStabilizationMs;
    let stabilized = desired;
    for (const r of this.recommendations.get(key) ?? []) if (r.at >= cutoff && r.replicas > stabilized) stabilized = r.replicas;
    this.record(key, desired, (r) => r.at < cutoff);
    const able = stabilized !== desired ? DOWN_STABILIZED : READY;
    const scaleUpLimit = Math.max(SCALE_UP_LIMIT_FACTOR * current, SCALE_UP_LIMIT_MINIMUM);
    let maxAllowed: number;
    let limit: [string, string];
    if (max > scaleUpLimit) {
      maxAllowed = scaleUpLimit;
      limit = ['ScaleUpLimit', 'the desired replica count is increasing faster than the maximum scale rate'];
    } else {
      maxAllowed = max;
      limit = ['TooManyReplicas', 'the desired replica count is more than the maximum replica count'];
    }
    let replicas = stabilized;
    let why = WITHIN;
    if (stabilized < min) {
      replicas = min;
      why = ['TooFewReplicas', 'the desired replica count is less than the minimum replica count'];
    } else if (stabilized > maxAllowed) {
      replicas = maxAllowed;
      why = limit;
    }
    return { replicas, able, limited: [replicas !== stabilized, ...why] };
  }

  /** normalizeDesiredReplicasWithBehaviors. */
  normalizeWithBehavior(key: string, behavior: Behavior, current: number, desired: number, min: number, max: number): Decision {
    const up = rulesOf(behavior, 'scaleUp', this.downscaleStabilizationMs);
    const down = rulesOf(behavior, 'scaleDown', this.downscaleStabilizationMs);
    const now = this.now();
    const upCutoff = now - up.stabilizationWindowSeconds * 1000;
    const downCutoff = now - down.stabilizationWindowSeconds * 1000;
    let upRec = desired;
    let downRec = desired;
    for (const r of this.recommendations.get(key) ?? []) {
      if (r.at > upCutoff) upRec = Math.min(r.replicas, upRec);
      if (r.at > downCutoff) downRec = Math.max(r.replicas, downRec);
    }
    let stabilized = current;
    if (stabilized < upRec) stabilized = upRec;
    if (stabilized > downRec) stabilized = downRec;
    this.record(key, desired, (r) => r.at < upCutoff && r.at < downCutoff);
    const able = stabilized !== desired ? (desired >= current ? UP_STABILIZED : DOWN_STABILIZED) : READY;

    let replicas = stabilized;
    let why = WITHIN;
    const ups = this.upEvents.get(key) ?? [];
    const downs = this.downEvents.get(key) ?? [];
    if (stabilized > current) {
      const limit = Math.max(scaleUpLimit(current, ups, downs, up, now), current);
      const [maxAllowed, reason] = max > limit ? [limit, ['ScaleUpLimit', 'the desired replica count is increasing faster than the maximum scale rate'] as [string, string]] : [max, ['TooManyReplicas', 'the desired replica count is more than the maximum replica count'] as [string, string]];
      if (stabilized > maxAllowed) [replicas, why] = [maxAllowed, reason];
    } else if (stabilized < current) {
      const limit = Math.min(scaleDownLimit(current, ups, downs, down, now), current);
      const [minAllowed, reason] = min < limit ? [limit, ['ScaleDownLimit', 'the desired replica count is decreasing faster than the maximum scale rate'] as [string, string]] : [min, ['TooFewReplicas', 'the desired replica count is less than the minimum replica count'] as [string, string]];
      if (stabilized < minAllowed) [replicas, why] = [minAllowed, reason];
    }
    return { replicas, able, limited: [replicas !== stabilized, ...why] };
  }

  /** storeScaleEvent: only kept when the object has a behavior. */
  storeScaleEvent(key: string, behavior: Behavior | undefined, prev: number, next: number): void {
    if (!behavior) return;
    const upward = next > prev;
    const rules = rulesOf(behavior, upward ? 'scaleUp' : 'scaleDown', this.downscaleStabilizationMs);
    const map = upward ? this.upEvents : this.downEvents;
    const list = map.get(key) ?? [];
    const longest = Math.max(0, ...rules.policies.map((p) => p.periodSeconds)) * 1000;
    const now = this.now();
    for (const e of list) if (e.at <= now - longest) e.outdated = true;
    const event = { change: Math.abs(next - prev), at: now, outdated: false };
    const i = list.findIndex((e) => e.outdated);
    if (i >= 0) list[i] = event;
    else list.push(event);
    map.set(key, list);
  }
}

function changeInPeriod(periodSeconds: number, events: ScaleEvent[], now: number): number {
  const cutoff = now - periodSeconds * 1000;
  let n = 0;
  for (const e of events) if (e.at > cutoff) n += e.change;
  return n;
}

/** calculateScaleUpLimitWithScalingRules. */
export function scaleUpLimit(current: number, ups: ScaleEvent[], downs: ScaleEvent[], rules: Required<ScalingRules>, now: number): number {
  if (rules.selectPolicy === 'Disabled') return current;
  const pick = rules.selectPolicy === 'Min' ? Math.min : Math.max;
  let result = rules.selectPolicy === 'Min' ? Infinity : -Infinity;
  for (const p of rules.policies) {
    const start = current - changeInPeriod(p.periodSeconds, ups, now) + changeInPeriod(p.periodSeconds, downs, now);
    const proposed = p.type === 'Pods' ? start + p.value : Math.ceil(start * (1 + p.value / 100));
    result = pick(result, proposed);
  }
  return Number.isFinite(result) ? result : current;
}

/** calculateScaleDownLimitWithBehaviors. */
export function scaleDownLimit(current: number, ups: ScaleEvent[], downs: ScaleEvent[], rules: Required<ScalingRules>, now: number): number {
  if (rules.selectPolicy === 'Disabled') return current;
  const pick = rules.selectPolicy === 'Min' ? Math.max : Math.min;
  let result = rules.selectPolicy === 'Min' ? -Infinity : Infinity;
  for (const p of rules.policies) {
    const start = current - changeInPeriod(p.periodSeconds, ups, now) + changeInPeriod(p.periodSeconds, downs, now);
    const proposed = p.type === 'Pods' ? start - p.value : Math.trunc(start * (1 - p.value / 100));
    result = pick(result, proposed);
  }
  return Number.isFinite(result) ? result : current;
}
