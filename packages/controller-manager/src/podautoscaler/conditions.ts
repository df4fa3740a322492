// setCondition of upstream's HPA controller: a condition's lastTransitionTime moves only
// when its status does.
import { rfc3339 } from '@k8ts/api';

export interface HpaCondition {
  type: string;
  status: 'True' | 'False' | 'Unknown';
  reason?: string;
  message?: string;
  lastTransitionTime?: string;
}

export function setCondition(conditions: HpaCondition[], type: string, status: boolean, reason: string, message: string, now: number): HpaCondition[] {
  const s = status ? 'True' : 'False';
  const old = conditions.find((c) => c.type === type);
  const next: HpaCondition = { type, status: s, lastTransitionTime: old && old.status === s ? old.lastTransitionTime : rfc3339(now), reason, message };
  return old ? conditions.map((c) => (c === old ? next : c)) : [...conditions, next];
}
