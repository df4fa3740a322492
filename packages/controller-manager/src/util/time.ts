// metav1.Time is RFC 3339 with second precision.
export function rfc3339(ms: number = Date.now()): string {
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
}
export function microTime(ms: number = Date.now()): string {
  return new Date(ms).toISOString().replace(/\.(\d{3})Z$/, '.$1000Z');
}
export function parseTime(t: string | undefined | null): number {
  return t ? Date.parse(t) : NaN;
}
