// For tests: a JSON object of a proto message with every field set, read off the schema, so a
// round trip that loses any field of any nested type shows. Values are non-zero (Go's zero
// values read as unset), distinct per field, and exercise each special JSON form.
import { messageSchema, type FieldSchema } from '@k8ts/api';

function scalar(f: FieldSchema, i: number): unknown {
  switch (f.kind) {
    case 'string':
      return `${f.name}-${i}`;
    case 'bool':
      return true;
    case 'int32':
      return 1000 + f.number + i;
    case 'int64':
      return 2 ** 40 + f.number + i; // beyond 32 bits
    case 'double':
      return 1.5 + i;
    case 'bytes':
      return Buffer.from(`${f.name}\u0000\u00ff${i}`).toString('base64');
    case 'time':
      return `2024-05-06T07:08:0${i}Z`;
    case 'microTime':
      return `2024-05-06T07:08:09.12345${i}Z`;
    case 'duration':
      return i ? '1m0.5s' : '1h2m3s';
    case 'quantity':
      return i ? '1500Mi' : '250m';
    case 'intOrString':
      return i ? 'http' : 8080;
    case 'rawExtension':
      return { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: `raw-${i}` }, data: { k: 'v' } };
    case 'fieldsV1':
      return { 'f:metadata': { 'f:labels': { [`f:l${i}`]: {} } } };
    default:
      throw new Error(`no sample for ${f.kind}`);
  }
}

function value(f: FieldSchema, i: number, depth: number, stack: string[]): unknown {
  if (f.kind !== 'message') return scalar(f, i);
  return populate(f.message!, depth + 1, stack);
}

/** Every field of `message` set; recursion stops at a type already on the path. */
export function populate(message: string, depth = 0, stack: string[] = []): Record<string, unknown> {
  const schema = messageSchema(message);
  if (!schema) throw new Error(`no schema ${message}`);
  const out: Record<string, unknown> = {};
  const next = [...stack, message];
  for (const f of schema.fields.values()) {
    if (f.kind === 'message' && (next.includes(f.message!) || depth > 30)) continue;
    if (f.kind === 'message' && f.inline) Object.assign(out, populate(f.message!, depth + 1, next));
    else if (f.map && f.repeated) out[f.name] = { a: [value(f, 0, depth, next), value(f, 1, depth, next)], b: [] };
    else if (f.map) out[f.name] = { a: value(f, 0, depth, next), b: value(f, 1, depth, next) };
    else if (f.repeated) out[f.name] = [value(f, 0, depth, next), value(f, 1, depth, next)];
    else out[f.name] = value(f, 0, depth, next);
  }
  return out;
}

/** The number of leaf values in a JSON value, to show a test covered something. */
export function leafCount(v: unknown): number {
  if (Array.isArray(v)) return v.reduce((n: number, x) => n + leafCount(x), 0);
  if (v && typeof v === 'object') return Object.values(v).reduce((n: number, x) => n + leafCount(x), 0);
  return 1;
}
