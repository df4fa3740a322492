// Kubernetes protobuf bodies: the magic `k8s\0`, then a runtime.Unknown whose typeMeta names
// the kind and whose raw bytes are that kind's message. Decoded into the JSON shape the rest
// of the server works with; Go zero values (always written by Go's encoder) become unset.
import protobuf from 'protobufjs';
import { K8S_PROTO, POINTER_FIELDS, PROTO_KINDS } from './schema.js';
import { restError } from '../status.js';

const MAGIC = Buffer.from([0x6b, 0x38, 0x73, 0x00]);
const root = protobuf.parse(K8S_PROTO, { keepCase: true }).root;
const unknownType = root.lookupType('k8s.Unknown');

function badProto(message: string) {
  return restError(400, 'BadRequest', message);
}

export function decodeProtobufObject(buf: Buffer): Record<string, unknown> {
  if (buf.length < 4 || !buf.subarray(0, 4).equals(MAGIC)) throw badProto('provided data does not appear to be a protobuf message, expected prefix [107 56 115 0]');
  let unknown: { typeMeta?: { apiVersion?: string; kind?: string }; raw?: Uint8Array };
  try {
    unknown = unknownType.toObject(unknownType.decode(buf.subarray(4)), { defaults: false }) as typeof unknown;
  } catch (e) {
    throw badProto(`unable to decode protobuf envelope: ${(e as Error).message}`);
  }
  const apiVersion = unknown.typeMeta?.apiVersion ?? '';
  const kind = unknown.typeMeta?.kind ?? '';
  const typeName = PROTO_KINDS[`${apiVersion}/${kind}`];
  if (!typeName) {
    throw restError(415, 'UnsupportedMediaType', `protobuf is not supported for ${apiVersion}, Kind=${kind}: send application/json`);
  }
  const type = root.lookupType(`k8s.${typeName}`);
  let message: protobuf.Message;
  try {
    message = type.decode(unknown.raw ?? new Uint8Array());
  } catch (e) {
    throw badProto(`unable to decode protobuf ${kind}: ${(e as Error).message}`);
  }
  const plain = type.toObject(message, { longs: Number, bytes: String, defaults: false });
  const obj = (clean(plain, type) as Record<string, unknown>) ?? {};
  return { apiVersion, kind, ...obj };
}

function isEmpty(v: unknown): boolean {
  if (v === undefined || v === null) return true;
  if (Array.isArray(v)) return v.length === 0;
  if (typeof v === 'object') return Object.keys(v as object).length === 0;
  return false;
}

function isZero(v: unknown): boolean {
  return v === '' || v === 0 || v === false;
}

/** Converts special messages to their JSON form and drops Go zero values. */
function clean(value: unknown, type: protobuf.Type): unknown {
  switch (type.name) {
    case 'Time': {
      const t = value as { seconds?: number; nanos?: number };
      if (!t.seconds && !t.nanos) return undefined;
      return new Date((t.seconds ?? 0) * 1000).toISOString().replace(/\.\d{3}Z$/, 'Z');
    }
    case 'Quantity':
      return (value as { string?: string }).string || undefined;
    case 'IntOrString': {
      const v = value as { type?: number; intVal?: number; strVal?: string };
      return v.type === 1 ? (v.strVal ?? '') : (v.intVal ?? 0);
    }
  }
  const src = value as Record<string, unknown>;
  const out: Record<string, unknown> = {};
  for (const [name, v] of Object.entries(src)) {
    const field = type.fields[name];
    if (!field) continue;
    field.resolve();
    const sub = field.resolvedType instanceof protobuf.Type ? field.resolvedType : undefined;
    let result: unknown = v;
    if (field.map) {
      const m: Record<string, unknown> = {};
      for (const [k, mv] of Object.entries(v as Record<string, unknown>)) {
        m[k] = sub ? clean(mv, sub) : mv;
      }
      result = m;
      if (isEmpty(result)) continue;
    } else if (field.repeated) {
      result = (v as unknown[]).map((x) => (sub ? clean(x, sub) : x));
      if (isEmpty(result)) continue;
    } else if (sub) {
      result = clean(v, sub);
      const special = sub.name === 'IntOrString';
      if (!special && (result === undefined || (isEmpty(result) && !POINTER_FIELDS.has(name)))) continue;
    } else if (isZero(v) && !POINTER_FIELDS.has(name)) {
      continue;
    }
    out[name] = result;
  }
  return out;
}
