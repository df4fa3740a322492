// Durations on the command line as Kubernetes writes them ("40s", "500ms", "1m30s"); a bare
// number means seconds (what `k8ts up` passes for --node-monitor-grace-period).
const units: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

export function parseDurationMs(v: string): number {
  const s = v.trim();
  if (/^\d+(\.\d+)?$/.test(s)) return Number(s) * 1000;
  const re = /(\d+(?:\.\d+)?)(ms|s|m|h)/gy;
  let total = 0;
  let m: RegExpExecArray | null;
  let consumed = 0;
  while ((m = re.exec(s))) {
    total += Number(m[1]) * units[m[2]!]!;
    consumed = re.lastIndex;
  }
  if (consumed !== s.length || consumed === 0) throw new Error(`invalid duration "${v}" (e.g. 4s, 500ms, 1m)`);
  return total;
}
