// Go-style durations for flags: "500ms", "10s", "5m", "1h30m"; a bare number is seconds.
export function parseDuration(v: string | number): number {
  if (typeof v === 'number') return v * 1000;
  const s = v.trim();
  if (/^\d+(\.\d+)?$/.test(s)) return Number(s) * 1000;
  const unit: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };
  let total = 0;
  let rest = s;
  while (rest) {
    const m = rest.match(/^(\d+(?:\.\d+)?)(ms|s|m|h)/);
    if (!m) throw new Error(`invalid duration "${v}" (use e.g. 500ms, 10s, 5m)`);
    total += Number(m[1]) * unit[m[2]];
    rest = rest.slice(m[0].length);
  }
  return total;
}
