// Conditions lists (pods, nodes, deployments, jobs, ...) keyed by `type`.
import { nowRfc3339 } from './time.js';

export interface ConditionLike {
  type: string;
  status: string;
  lastTransitionTime?: string;
  lastProbeTime?: string | null;
  lastHeartbeatTime?: string;
  lastUpdateTime?: string;
  reason?: string;
  message?: string;
}

export function getCondition<T extends ConditionLike>(conditions: readonly T[] | undefined | null, type: string): T | undefined {
  return conditions?.find((c) => c.type === type);
}

export function isConditionTrue(conditions: readonly ConditionLike[] | undefined | null, type: string): boolean {
  return getCondition(conditions, type)?.status === 'True';
}

/**
 * Returns a new list with `cond` set: lastTransitionTime moves only when the status
 * changes (kept from the old entry otherwise), and is filled with now when missing.
 * Returns `changed` false when nothing but heartbeat/probe times would differ.
 */
export function setCondition<T extends ConditionLike = ConditionLike>(
  conditions: readonly T[] | undefined | null,
  cond: NoInfer<T>,
  now: string = nowRfc3339(),
): { conditions: T[]; changed: boolean } {
  const list = [...(conditions ?? [])];
  const i = list.findIndex((c) => c.type === cond.type);
  if (i < 0) {
    list.push({ ...cond, lastTransitionTime: cond.lastTransitionTime ?? now });
    return { conditions: list, changed: true };
  }
  const old = list[i]!;
  const next: T = { ...cond };
  if (old.status === cond.status) next.lastTransitionTime = old.lastTransitionTime ?? cond.lastTransitionTime ?? now;
  else next.lastTransitionTime = cond.lastTransitionTime ?? now;
  const changed = old.status !== next.status || old.reason !== next.reason || old.message !== next.message;
  list[i] = next;
  return { conditions: list, changed };
}

/** Sets a condition on `obj.status.conditions` in place; returns whether it changed. */
export function setStatusCondition<T extends ConditionLike = ConditionLike>(obj: { status?: any }, cond: NoInfer<T>, now?: string): boolean {
  obj.status ??= {};
  const { conditions, changed } = setCondition<T>(obj.status.conditions, cond, now);
  obj.status.conditions = conditions;
  return changed;
}

export function removeCondition<T extends ConditionLike>(conditions: readonly T[] | undefined | null, type: string): T[] {
  return (conditions ?? []).filter((c) => c.type !== type);
}
