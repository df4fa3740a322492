// Durations as Kubernetes components take them on the command line (Go's time.ParseDuration
// units "500ms", "10s", "5m", "1h30m"); a bare number means seconds.
import { badRequest } from './errors.js';

const UNIT_MS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

/** Milliseconds in `v`. Throws a 400 ApiError when it is not a duration. */
export function parseDuration(v: string | number): number {
  if (typeof v === 'number') {
    if (!Number.isFinite(v) || v < 0) throw badRequest(`invalid duration ${v}`);
    return v * 1000;
  }
  const s = v.trim();
  if (/^\d+(\.\d+)?$/.test(s)) return Number(s) * 1000;
  const re = /(\d+(?:\.\d+)?)(ms|s|m|h)/y;
  let total = 0;
  let consumed = 0;
  let m: RegExpExecArray | null;
  while ((m = re.exec(s))) {
    total += Number(m[1]) * UNIT_MS[m[2]!]!;
    consumed = re.lastIndex;
  }
  if (consumed === 0 || consumed !== s.length) throw badRequest(`invalid duration "${v}" (e.g. 500ms, 10s, 5m, 1h30m)`);
  return total;
}
