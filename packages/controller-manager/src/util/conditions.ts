export interface Cond {
  type: string;
  status: string;
  reason?: string;
  message?: string;
  lastTransitionTime?: string;
  lastUpdateTime?: string;
  lastProbeTime?: string;
  lastHeartbeatTime?: string;
}

export function getCond<T extends Cond>(list: T[] | undefined, type: string): T | undefined {
  return list?.find((c) => c.type === type);
}

/** Sets a condition; lastTransitionTime kept when the status does not change. */
export function setCond<T extends Cond>(list: T[] | undefined, cond: T): T[] {
  const out = [...(list ?? [])];
  const i = out.findIndex((c) => c.type === cond.type);
  if (i < 0) return [...out, cond];
  const old = out[i]!;
  if (old.status === cond.status && old.reason === cond.reason) cond = { ...cond, lastTransitionTime: old.lastTransitionTime ?? cond.lastTransitionTime };
  out[i] = cond;
  return out;
}

export function removeCond<T extends Cond>(list: T[] | undefined, type: string): T[] {
  return (list ?? []).filter((c) => c.type !== type);
}
