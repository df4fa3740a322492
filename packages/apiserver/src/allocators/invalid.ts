// Field errors and the 422 Invalid status, worded as the Kubernetes apiserver words them.
import { ApiError } from '@k8ts/client';
import type { StatusCause } from '@k8ts/api';

export interface FieldError {
  field: string;
  type: 'FieldValueInvalid' | 'FieldValueRequired' | 'FieldValueDuplicate' | 'FieldValueNotSupported' | 'FieldValueForbidden';
  detail: string;
}

/** Renders a value the way Go's %#v does in Kubernetes messages. */
export function goValue(v: unknown): string {
  if (Array.isArray(v)) return `[]string{${v.map((x) => JSON.stringify(String(x))).join(', ')}}`;
  if (typeof v === 'string') return JSON.stringify(v);
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  return JSON.stringify(v);
}

export const invalid = (field: string, value: unknown, detail: string): FieldError => ({
  field,
  type: 'FieldValueInvalid',
  detail: `Invalid value: ${goValue(value)}: ${detail}`,
});
export const required = (field: string, detail = ''): FieldError => ({
  field,
  type: 'FieldValueRequired',
  detail: detail ? `Required value: ${detail}` : 'Required value',
});
export const duplicate = (field: string, value: unknown): FieldError => ({ field, type: 'FieldValueDuplicate', detail: `Duplicate value: ${goValue(value)}` });
export const notSupported = (field: string, value: unknown, supported: string[]): FieldError => ({
  field,
  type: 'FieldValueNotSupported',
  detail: `Unsupported value: ${goValue(value)}: supported values: ${supported.map((s) => JSON.stringify(s)).join(', ')}`,
});
export const forbidden = (field: string, detail: string): FieldError => ({ field, type: 'FieldValueForbidden', detail: `Forbidden: ${detail}` });

export function invalidError(kind: string, name: string, errs: FieldError[]): ApiError {
  const causes: StatusCause[] = errs.map((e) => ({ reason: e.type, message: e.detail, field: e.field }));
  const text = errs.map((e) => `${e.field}: ${e.detail}`);
  const message = `${kind} "${name}" is invalid: ${text.length === 1 ? text[0] : `[${text.join(', ')}]`}`;
  return new ApiError(422, 'Invalid', {
    kind: 'Status',
    apiVersion: 'v1',
    metadata: {},
    status: 'Failure',
    message,
    reason: 'Invalid',
    details: { name, kind, causes },
    code: 422,
  });
}
