// Timestamps as Kubernetes serializes them: metav1.Time has second precision
// (`2024-05-01T10:00:00Z`); metav1.MicroTime (Leases, events.k8s.io) has six digits.

/** `d` a Date or milliseconds since the epoch. */
export function rfc3339(d: Date | number = new Date()): string {
  return new Date(d).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

export function nowRfc3339(): string {
  return rfc3339(new Date());
}

/** MicroTime: JS clocks give milliseconds, so the last three digits are zero. */
export function microTime(d: Date | number = new Date()): string {
  return new Date(d).toISOString().replace(/\.(\d{3})Z$/, '.$1000Z');
}

export function nowMicro(): string {
  return microTime(new Date());
}

/** Milliseconds since the epoch for a Time or MicroTime string; NaN if absent or bad. */
export function parseTime(t: string | undefined | null): number {
  return t ? Date.parse(t) : NaN;
}
