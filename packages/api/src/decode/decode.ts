// decodeObject: a JSON value checked against the Kubernetes schema of its kind, as
// kube-apiserver's decoder checks a body. Wrong types are a 400 naming every wrong field;
// unknown and duplicate fields follow fieldValidation (Ignore drops them silently, Warn — the
// server's default — drops them with a warning each, Strict answers 400 listing them all).
import type { MessageSchema } from '../schema/types.js';
import type { StatusCause } from '../types.js';
import { DecodeError, cannotBeHandled } from './errors.js';
import { Walker, isPlainObject } from './walker.js';

export type FieldValidation = 'Ignore' | 'Warn' | 'Strict';

export interface DecodeOptions {
  /** Absent: Warn, kube-apiserver's default. */
  fieldValidation?: FieldValidation;
  /** Paths of keys the body held twice (see scanJson); the last value is the one decoded. */
  duplicates?: readonly string[];
  /** The version named in errors (`v1`); by default the schema's proto package version. */
  version?: string;
}

export interface Decoded<T> {
  object: T;
  /** `unknown field "spec.x"`, `duplicate field "metadata.name"`: one per dropped field (Warn). */
  warnings: string[];
}

/** Reads a fieldValidation query parameter (absent or empty: Warn); anything else is a 400. */
export function parseFieldValidation(v: string | null | undefined): FieldValidation {
  if (v === null || v === undefined || v === '') return 'Warn';
  if (v === 'Ignore' || v === 'Warn' || v === 'Strict') return v;
  throw new DecodeError(`fieldValidation must be one of "Ignore", "Warn", or "Strict", got ${JSON.stringify(v)}`, []);
}

const TYPE_META = ['apiVersion', 'kind'] as const;

function failure(schema: MessageSchema, opts: DecodeOptions, why: string, causes: StatusCause[]): DecodeError {
  const version = opts.version ?? schema.name.split('.').slice(-2)[0]!;
  return new DecodeError(cannotBeHandled(schema.goName, version, why), causes);
}
const TYPE_META_SET: ReadonlySet<string> = new Set(TYPE_META);

/**
 * Checks `value` (an object of the kind `schema` describes) in place and returns it with the
 * warnings to send; throws DecodeError (400 BadRequest).
 */
export function decodeObject<T = Record<string, unknown>>(schema: MessageSchema, value: unknown, opts: DecodeOptions = {}): Decoded<T> {
  const mode = opts.fieldValidation ?? 'Warn';
  const kind = schema.goName;
  if (!isPlainObject(value)) {
    throw failure(schema, opts, `json: cannot unmarshal ${Array.isArray(value) ? 'array' : typeof value} into Go value of type ${kind}`, []);
  }
  const walker = new Walker(mode !== 'Strict');
  // TypeMeta is inline in every kind; the proto messages leave it out.
  for (const k of TYPE_META) {
    const v = value[k];
    if (v === null) delete value[k];
    else if (v !== undefined && typeof v !== 'string') {
      const name = Array.isArray(v) ? 'array' : typeof v === 'object' ? 'object' : typeof v === 'boolean' ? 'bool' : typeof v;
      walker.first = `json: cannot unmarshal ${name} into Go struct field ${kind}.${k} of type string`;
      walker.causes.push({ reason: 'FieldValueInvalid', field: k, message: walker.first });
    }
  }
  walker.message(schema, value, 1, TYPE_META_SET);
  if (walker.first) throw failure(schema, opts, walker.first, walker.causes);
  if ((walker.unknown.length === 0 && !opts.duplicates?.length) || mode === 'Ignore') return { object: value as T, warnings: [] };
  const found = [...(opts.duplicates ?? []).map((p) => `duplicate field ${JSON.stringify(p)}`), ...walker.unknown.map((p) => `unknown field ${JSON.stringify(p)}`)];
  if (mode === 'Strict') {
    const causes = found.map((m) => ({ reason: m.startsWith('duplicate') ? 'FieldValueDuplicate' : 'FieldValueInvalid', message: m, field: JSON.parse(m.slice(m.indexOf('"'))) as string }));
    throw failure(schema, opts, `strict decoding error: ${found.join(', ')}`, causes);
  }
  return { object: value as T, warnings: found };
}
