// How Go's encoding/json names values and types in its errors, so a decode error reads as
// kube-apiserver's: `json: cannot unmarshal string into Go struct field
// Container.spec.containers.command of type []string`.
import type { FieldSchema } from '../schema/types.js';

/** Go's name of a JSON value in UnmarshalTypeError ("number 1.5" for a number that does not fit). */
export function jsonValueName(v: unknown, numberDoesNotFit = false): string {
  if (Array.isArray(v)) return 'array';
  switch (typeof v) {
    case 'string':
      return 'string';
    case 'boolean':
      return 'bool';
    case 'number':
      return numberDoesNotFit ? `number ${goNumber(v)}` : 'number';
    default:
      return 'object';
  }
}

/** A number as the JSON text most likely wrote it (JS prints 1e308 as 1e+308). */
function goNumber(n: number): string {
  return String(n).replace('e+', 'e');
}

/** `k8s.io.api.core.v1.PodSpec` → `v1.PodSpec`, as Go's reflect names the type. */
export function goMessageType(message: string): string {
  const parts = message.split('.');
  return `${parts[parts.length - 2]}.${parts[parts.length - 1]}`;
}

const SCALAR_TYPES: Record<string, string> = {
  string: 'string',
  bool: 'bool',
  int32: 'int32',
  int64: 'int64',
  double: 'float64',
  bytes: '[]uint8',
  // The special types' UnmarshalJSON decode a string (Time, Duration) or an int32 (IntOrString).
  time: 'string',
  microTime: 'string',
  duration: 'string',
  quantity: 'resource.Quantity',
  intOrString: 'int32',
  rawExtension: 'runtime.RawExtension',
  fieldsV1: 'v1.FieldsV1',
};

/** The Go type of one value of `field` (an element of a list, a value of a map). */
export function goElementType(field: FieldSchema): string {
  return field.kind === 'message' ? goMessageType(field.message!) : SCALAR_TYPES[field.kind]!;
}

/** The Go type of the whole field: `[]string`, `map[string]string`, `v1.PodSpec`. */
export function goFieldType(field: FieldSchema): string {
  if (field.map) return `map[string]${goElementType(field)}`;
  if (field.repeated) return `[]${goElementType(field)}`;
  return goElementType(field);
}
