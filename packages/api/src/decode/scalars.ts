// Checks of one JSON value against a scalar kind, as the Go types' decoders check it. Each
// returns undefined when the value is fine, else what is wrong: a type mismatch (Go's
// UnmarshalTypeError, worded by the caller with the field's path) or a message of the
// type's own UnmarshalJSON (quantities, times, durations, base64).
import type { ValueKind } from '../schema/types.js';
import { isValidQuantity } from '../quantity.js';

export type ScalarProblem = { mismatch: true; doesNotFit?: boolean } | { message: string };

const MISMATCH: ScalarProblem = { mismatch: true };
const DOES_NOT_FIT: ScalarProblem = { mismatch: true, doesNotFit: true };

const INT32_MIN = -(2 ** 31);
const INT32_MAX = 2 ** 31 - 1;
const INT64_LIMIT = 2 ** 63;

const RFC3339 = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(\.\d+)?(Z|[+-](\d{2}):(\d{2}))$/;
const DURATION = /^[-+]?(0|((\d+(\.\d*)?|\.\d+)(ns|us|µs|μs|ms|s|m|h))+)$/;
const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

export const QUANTITY_MESSAGE = "quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'";

function integer(v: unknown, min: number, max: number): ScalarProblem | undefined {
  if (typeof v !== 'number') return MISMATCH;
  if (!Number.isInteger(v) || v < min || v > max) return DOES_NOT_FIT;
  return undefined;
}

/** time.Parse(time.RFC3339, s), fractional seconds allowed as Go allows them when parsing. */
export function timeProblem(s: string): string | undefined {
  const m = RFC3339.exec(s);
  const bad = `parsing time ${JSON.stringify(s)} as "2006-01-02T15:04:05Z07:00": cannot parse ${JSON.stringify(s)} as "2006"`;
  if (!m) return bad;
  const [month, day, hour, min, sec] = [m[2], m[3], m[4], m[5], m[6]].map(Number);
  if (month < 1 || month > 12) return `parsing time ${JSON.stringify(s)}: month out of range`;
  if (day < 1 || day > new Date(Date.UTC(Number(m[1]), month, 0)).getUTCDate()) return `parsing time ${JSON.stringify(s)}: day out of range`;
  if (hour > 23 || min > 59 || sec > 59) return `parsing time ${JSON.stringify(s)}: ${hour > 23 ? 'hour' : min > 59 ? 'minute' : 'second'} out of range`;
  if (m[9] !== undefined && (Number(m[9]) > 23 || Number(m[10]) > 59)) return `parsing time ${JSON.stringify(s)}: time zone offset out of range`;
  return undefined;
}

function base64Problem(s: string): string | undefined {
  const text = s.includes('\n') || s.includes('\r') ? s.replace(/[\r\n]/g, '') : s;
  if (BASE64.test(text) && text.length % 4 === 0) return undefined;
  let at = text.search(/[^A-Za-z0-9+/=]/);
  if (at < 0) at = Math.max(0, text.length - (text.length % 4 || 4));
  return `illegal base64 data at input byte ${at}`;
}

/** What is wrong with `v` as a value of the scalar `kind` (never 'message'). */
export function scalarProblem(kind: ValueKind, v: unknown): ScalarProblem | undefined {
  switch (kind) {
    case 'string':
      return typeof v === 'string' ? undefined : MISMATCH;
    case 'bool':
      return typeof v === 'boolean' ? undefined : MISMATCH;
    case 'int32':
      return integer(v, INT32_MIN, INT32_MAX);
    case 'int64':
      if (typeof v === 'number' && v >= INT64_LIMIT) return DOES_NOT_FIT;
      return integer(v, -INT64_LIMIT, INT64_LIMIT);
    case 'double':
      if (typeof v !== 'number') return MISMATCH;
      return Number.isFinite(v) ? undefined : DOES_NOT_FIT;
    case 'bytes': {
      if (typeof v !== 'string') return MISMATCH;
      const message = base64Problem(v);
      return message ? { message } : undefined;
    }
    case 'time':
    case 'microTime': {
      if (typeof v !== 'string') return MISMATCH;
      const message = timeProblem(v);
      return message ? { message } : undefined;
    }
    case 'duration':
      if (typeof v !== 'string') return MISMATCH;
      return DURATION.test(v) ? undefined : { message: `time: invalid duration ${JSON.stringify(v)}` };
    case 'quantity':
      return isValidQuantity(v) ? undefined : { message: QUANTITY_MESSAGE };
    case 'intOrString':
      if (typeof v === 'string') return undefined;
      return integer(v, INT32_MIN, INT32_MAX);
    case 'rawExtension':
      return undefined;
    case 'fieldsV1':
      return v !== null && typeof v === 'object' && !Array.isArray(v) ? undefined : MISMATCH;
    default:
      return MISMATCH;
  }
}
