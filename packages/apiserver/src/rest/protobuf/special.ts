// The apimachinery types whose JSON is not their proto message, converted both ways as Go's
// (un)marshalers do: metav1.Time (RFC 3339, seconds: Go's Unmarshal drops the nanos),
// MicroTime (microseconds), Duration (Go duration string), Quantity (its string),
// IntOrString (number or string), RawExtension and FieldsV1 (raw JSON bytes).
import { WireError } from './wire.js';

/** The fields of a special message as read off the wire, before conversion. */
export type RawFields = Record<string, unknown>;

function rfc3339(seconds: number, micros?: number): string {
  const ms = seconds * 1000;
  if (!Number.isFinite(ms) || Math.abs(ms) > 8.64e15) throw new WireError(`time ${seconds}s is out of range`);
  const iso = new Date(ms).toISOString(); // YYYY-MM-DDTHH:MM:SS.sssZ
  if (micros === undefined) return iso.replace(/\.\d{3}Z$/, 'Z');
  return iso.replace(/\.\d{3}Z$/, `.${String(micros).padStart(6, '0')}Z`);
}

const TIME_RE = /^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2})(?:\.(\d{1,9}))?(Z|[+-]\d{2}:\d{2})$/i;

/** An RFC 3339 time as Unix seconds and nanoseconds. */
export function parseTime(value: unknown, field: string): { seconds: number; nanos: number } {
  const m = typeof value === 'string' ? TIME_RE.exec(value) : null;
  const ms = m ? Date.parse(`${m[1]}${m[3].toUpperCase()}`) : NaN;
  if (!m || Number.isNaN(ms)) throw new WireError(`${field}: ${JSON.stringify(value)} is not an RFC 3339 time`);
  return { seconds: Math.floor(ms / 1000), nanos: m[2] ? Number(m[2].padEnd(9, '0')) : 0 };
}

export function timeToJson(f: RawFields): string | undefined {
  // Go writes a zero Time as an empty message (and JSON null): unset.
  if (f.seconds === undefined && f.nanos === undefined) return undefined;
  return rfc3339(Number(f.seconds ?? 0));
}

export function microTimeToJson(f: RawFields): string | undefined {
  if (f.seconds === undefined && f.nanos === undefined) return undefined;
  const nanos = Number(f.nanos ?? 0);
  if (nanos < 0 || nanos > 999_999_999) throw new WireError(`nanos ${nanos} is out of range`);
  return rfc3339(Number(f.seconds ?? 0), Math.floor(nanos / 1000));
}

const UNITS: [string, number][] = [
  ['h', 3_600_000_000_000],
  ['m', 60_000_000_000],
  ['s', 1_000_000_000],
  ['ms', 1_000_000],
  ['us', 1_000],
  ['µs', 1_000],
  ['μs', 1_000],
  ['ns', 1],
];

function withFraction(value: number, unit: number): string {
  const whole = Math.floor(value / unit);
  const rest = value - whole * unit;
  if (rest === 0) return String(whole);
  const digits = String(unit).length - 1;
  return `${whole}.${String(rest).padStart(digits, '0').replace(/0+$/, '')}`;
}

/** Go's time.Duration.String. */
export function formatDuration(ns: number): string {
  if (ns === 0) return '0s';
  const sign = ns < 0 ? '-' : '';
  let u = Math.abs(ns);
  if (u < 1_000) return `${sign}${u}ns`;
  if (u < 1_000_000) return `${sign}${withFraction(u, 1_000)}µs`;
  if (u < 1_000_000_000) return `${sign}${withFraction(u, 1_000_000)}ms`;
  const h = Math.floor(u / 3_600_000_000_000);
  u -= h * 3_600_000_000_000;
  const m = Math.floor(u / 60_000_000_000);
  u -= m * 60_000_000_000;
  return `${sign}${h ? `${h}h` : ''}${h || m ? `${m}m` : ''}${withFraction(u, 1_000_000_000)}s`;
}

/** Go's time.ParseDuration, into nanoseconds. */
export function parseDuration(value: unknown, field: string): number {
  const bad = () => new WireError(`${field}: time: invalid duration ${JSON.stringify(value)}`);
  if (typeof value !== 'string') throw bad();
  let s = value;
  let sign = 1;
  if (s[0] === '-' || s[0] === '+') {
    if (s[0] === '-') sign = -1;
    s = s.slice(1);
  }
  if (s === '0') return 0;
  if (s === '') throw bad();
  let total = 0;
  const re = /^(\d*)(?:\.(\d*))?(h|ms|m|s|us|µs|μs|ns)/;
  while (s) {
    const m = re.exec(s);
    if (!m || (m[1] === '' && !m[2])) throw bad();
    const unit = UNITS.find(([u]) => u === m[3])![1];
    total += Number(m[1] || '0') * unit + (m[2] ? Math.round(Number(`0.${m[2]}`) * unit) : 0);
    s = s.slice(m[0].length);
  }
  if (!Number.isSafeInteger(total)) throw bad();
  return sign * total;
}

export function durationToJson(f: RawFields): string {
  return formatDuration(Number(f.duration ?? 0));
}

export function quantityToJson(f: RawFields): string {
  // Go writes every Quantity, a zero one as "0".
  const s = f.string as string | undefined;
  return s === undefined || s === '' ? '0' : s;
}

export function intOrStringToJson(f: RawFields): number | string {
  const type = Number(f.type ?? 0);
  if (type === 1) return (f.strVal as string | undefined) ?? '';
  if (type !== 0) throw new WireError(`IntOrString type ${type} is neither 0 (int) nor 1 (string)`);
  return Number(f.intVal ?? 0);
}

export function intOrStringFields(value: unknown, field: string): RawFields {
  if (typeof value === 'string') return { type: 1, strVal: value };
  if (typeof value === 'number' && Number.isInteger(value) && Math.abs(value) <= 2147483647) return { type: 0, intVal: value };
  throw new WireError(`${field}: ${JSON.stringify(value)} is neither an int32 nor a string`);
}

/** Raw JSON bytes (RawExtension.raw, FieldsV1.Raw) as the JSON value they hold. */
export function rawJsonToValue(raw: Uint8Array | undefined, what: string): unknown {
  if (!raw || raw.length === 0) return undefined;
  try {
    return JSON.parse(Buffer.from(raw.buffer, raw.byteOffset, raw.length).toString('utf8'));
  } catch {
    throw new WireError(`${what} does not hold JSON`);
  }
}

export function valueToRawJson(value: unknown): Uint8Array {
  return Buffer.from(JSON.stringify(value), 'utf8');
}
