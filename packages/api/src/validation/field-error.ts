// field.Error from k8s.io/apimachinery/pkg/util/validation/field: a field path, a type,
// and the message body Kubernetes prints (ErrorBody), e.g. `Invalid value: "x": <detail>`.

export type FieldErrorType =
  | 'FieldValueRequired'
  | 'FieldValueInvalid'
  | 'FieldValueDuplicate'
  | 'FieldValueNotSupported'
  | 'FieldValueTooLong'
  | 'FieldValueTooMany'
  | 'FieldValueForbidden'
  | 'FieldValueNotFound';

export interface FieldError {
  field: string;
  type: FieldErrorType;
  /** ErrorBody: what metav1.StatusCause.message carries. */
  message: string;
  value?: unknown;
}

const typeText: Record<FieldErrorType, string> = {
  FieldValueRequired: 'Required value',
  FieldValueInvalid: 'Invalid value',
  FieldValueDuplicate: 'Duplicate value',
  FieldValueNotSupported: 'Unsupported value',
  FieldValueTooLong: 'Too long',
  FieldValueTooMany: 'Too many',
  FieldValueForbidden: 'Forbidden',
  FieldValueNotFound: 'Not found',
};

/** A Go-flavoured rendering of a value, as `%q` / `%v` / `%#v` print it in field errors. */
export function goValue(v: unknown): string {
  if (v === null || v === undefined) return 'null';
  if (typeof v === 'string') return JSON.stringify(v);
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  if (Array.isArray(v)) {
    if (v.every((x) => typeof x === 'string')) return `[]string{${v.map((x) => JSON.stringify(x)).join(', ')}}`;
    return JSON.stringify(v);
  }
  if (typeof v === 'object') {
    const entries = Object.entries(v as Record<string, unknown>);
    if (entries.every(([, x]) => typeof x === 'string'))
      return `map[string]string{${entries
        .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
        .map(([k, x]) => `${JSON.stringify(k)}:${JSON.stringify(x)}`)
        .join(', ')}}`;
    return JSON.stringify(v);
  }
  return String(v);
}

/** A value already rendered in Go syntax (e.g. `v1.LabelSelector{...}`), printed as is. */
export class GoLiteral {
  constructor(readonly text: string) {}
  toString(): string {
    return this.text;
  }
}

function body(type: FieldErrorType, value: unknown, detail: string | undefined, withValue: boolean): string {
  let s = typeText[type];
  if (withValue) s += `: ${value instanceof GoLiteral ? value.text : goValue(value)}`;
  if (detail) s += `: ${detail}`;
  return s;
}

function mk(field: string, type: FieldErrorType, value: unknown, detail: string | undefined, withValue: boolean): FieldError {
  const e: FieldError = { field, type, message: body(type, value, detail, withValue) };
  if (withValue) e.value = value instanceof GoLiteral ? value.text : value;
  return e;
}

export function required(field: string, detail?: string): FieldError {
  return mk(field, 'FieldValueRequired', undefined, detail, false);
}
export function invalid(field: string, value: unknown, detail: string): FieldError {
  return mk(field, 'FieldValueInvalid', value, detail, true);
}
export function duplicate(field: string, value: unknown): FieldError {
  return mk(field, 'FieldValueDuplicate', value, undefined, true);
}
export function notFound(field: string, value: unknown): FieldError {
  return mk(field, 'FieldValueNotFound', value, undefined, true);
}
export function notSupported(field: string, value: unknown, supported: readonly string[]): FieldError {
  const detail = supported.length ? `supported values: ${supported.map((s) => JSON.stringify(s)).join(', ')}` : undefined;
  return mk(field, 'FieldValueNotSupported', value, detail, true);
}
export function forbidden(field: string, detail: string): FieldError {
  return mk(field, 'FieldValueForbidden', undefined, detail, false);
}
/** field.TooLong as Kubernetes 1.31+ words it. */
export function tooLong(field: string, maxLength: number): FieldError {
  return mk(field, 'FieldValueTooLong', undefined, `may not be more than ${maxLength} ${maxLength === 1 ? 'byte' : 'bytes'}`, false);
}
export function tooMany(field: string, actual: number, max: number): FieldError {
  return mk(field, 'FieldValueTooMany', actual, `must have at most ${max} items`, true);
}

/** field.Error.Error(): `<field>: <body>`. */
export function fieldErrorString(e: FieldError): string {
  return e.field ? `${e.field}: ${e.message}` : e.message;
}

/** Field paths: `path('spec', 'containers', 0, 'image')` → `spec.containers[0].image`. */
export function path(...parts: (string | number)[]): string {
  let s = '';
  for (const p of parts) {
    if (typeof p === 'number') s += `[${p}]`;
    else if (p.startsWith('[')) s += p;
    else s += s ? `.${p}` : p;
  }
  return s;
}
export function child(base: string, ...parts: (string | number)[]): string {
  return path(base, ...parts);
}
