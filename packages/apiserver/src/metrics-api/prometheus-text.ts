// The few lines of the Prometheus text format (0.0.4) that kubelet's /metrics/resource
// uses: `name{label="value",...} value timestamp_ms`. Comments and blank lines are skipped;
// a line that does not parse is dropped, as metrics-server drops what it cannot decode.
export interface PromSample {
  name: string;
  labels: Record<string, string>;
  value: number;
  /** ms since the epoch; undefined when the line had none. */
  timestampMs?: number;
}

const NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*/;

function parseLabels(s: string, i: number, labels: Record<string, string>): number {
  // s[i] === '{'
  i++;
  for (;;) {
    while (s[i] === ' ' || s[i] === ',') i++;
    if (s[i] === '}') return i + 1;
    const m = NAME.exec(s.slice(i));
    if (!m) return -1;
    const key = m[0];
    i += key.length;
    if (s[i] !== '=' || s[i + 1] !== '"') return -1;
    i += 2;
    let v = '';
    for (;;) {
      const c = s[i];
      if (c === undefined) return -1;
      if (c === '"') break;
      if (c === '\\') {
        const n = s[i + 1];
        v += n === 'n' ? '\n' : n ?? '';
        i += 2;
        continue;
      }
      v += c;
      i++;
    }
    labels[key] = v;
    i++;
  }
}

function parseLine(line: string): PromSample | undefined {
  const m = NAME.exec(line);
  if (!m) return undefined;
  const labels: Record<string, string> = {};
  let i = m[0].length;
  if (line[i] === '{') {
    i = parseLabels(line, i, labels);
    if (i < 0) return undefined;
  }
  const rest = line.slice(i).trim().split(/\s+/);
  if (rest.length < 1 || rest[0] === '') return undefined;
  const value = Number(rest[0]);
  if (Number.isNaN(value)) return undefined;
  const ts = rest[1] !== undefined ? Number(rest[1]) : undefined;
  return { name: m[0], labels, value, timestampMs: ts !== undefined && Number.isFinite(ts) ? ts : undefined };
}

export function parsePrometheusText(text: string): PromSample[] {
  const out: PromSample[] = [];
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (!line || line.startsWith('#')) continue;
    const s = parseLine(line);
    if (s) out.push(s);
  }
  return out;
}
