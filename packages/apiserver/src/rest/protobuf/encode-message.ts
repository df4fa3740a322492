// JSON-shaped objects into proto messages by the upstream descriptors: fields in number
// order, map entries by sorted key (as Go writes them), repeated scalars unpacked (proto2).
// A key the message has no field for, or a value of the wrong type, is an EncodeError.
import protobuf from 'protobufjs';
import type { FieldSchema, MessageSchema } from '@k8ts/api';
import { messageSchema } from '@k8ts/api';
import * as special from './special.js';
import { singular } from './decode-message.js';
import { inlinePart } from './inline.js';
import { WireError, WIRE_BYTES, WIRE_FIXED32, WIRE_FIXED64, WIRE_VARINT } from './wire.js';

const tag = (n: number, wt: number) => ((n << 3) | wt) >>> 0;
const sortedFields = new Map<string, FieldSchema[]>();

function fieldsInOrder(schema: MessageSchema): FieldSchema[] {
  let list = sortedFields.get(schema.name);
  if (!list) {
    list = [...schema.fields.values()].sort((a, b) => a.number - b.number);
    sortedFields.set(schema.name, list);
  }
  return list;
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return !!v && typeof v === 'object' && !Array.isArray(v);
}

function fail(path: string, what: string, v: unknown): never {
  throw new WireError(`${path}: expected ${what}, got ${JSON.stringify(v)?.slice(0, 80)}`);
}

function integer(v: unknown, path: string, min: number, max: number): number {
  if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < min || v > max) fail(path, 'an integer in range', v);
  return v;
}

function writeScalar(w: protobuf.Writer, protoType: string, n: number, v: unknown, path: string): void {
  switch (protoType) {
    case 'string':
      if (typeof v !== 'string') fail(path, 'a string', v);
      w.uint32(tag(n, WIRE_BYTES)).string(v);
      return;
    case 'bytes':
      if (typeof v !== 'string') fail(path, 'base64 bytes', v);
      w.uint32(tag(n, WIRE_BYTES)).bytes(Buffer.from(v, 'base64'));
      return;
    case 'bool':
      if (typeof v !== 'boolean') fail(path, 'a boolean', v);
      w.uint32(tag(n, WIRE_VARINT)).bool(v);
      return;
    case 'int32':
      w.uint32(tag(n, WIRE_VARINT)).int32(integer(v, path, -2147483648, 2147483647));
      return;
    case 'uint32':
      w.uint32(tag(n, WIRE_VARINT)).uint32(integer(v, path, 0, 0xffffffff));
      return;
    case 'int64':
    case 'uint64':
      w.uint32(tag(n, WIRE_VARINT)).int64(integer(v, path, protoType === 'uint64' ? 0 : Number.MIN_SAFE_INTEGER, Number.MAX_SAFE_INTEGER));
      return;
    case 'sint32':
    case 'sint64':
      w.uint32(tag(n, WIRE_VARINT)).sint64(integer(v, path, Number.MIN_SAFE_INTEGER, Number.MAX_SAFE_INTEGER));
      return;
    case 'double':
      if (typeof v !== 'number') fail(path, 'a number', v);
      w.uint32(tag(n, WIRE_FIXED64)).double(v);
      return;
    case 'float':
      if (typeof v !== 'number') fail(path, 'a number', v);
      w.uint32(tag(n, WIRE_FIXED32)).float(v);
      return;
    default:
      throw new WireError(`${path}: proto type ${protoType} is not supported`);
  }
}

function writeSpecial(w: protobuf.Writer, f: FieldSchema, v: unknown, path: string): void {
  switch (f.kind) {
    case 'time':
    case 'microTime': {
      const t = special.parseTime(v, path);
      w.uint32(tag(1, WIRE_VARINT)).int64(t.seconds);
      w.uint32(tag(2, WIRE_VARINT)).int32(f.kind === 'time' ? 0 : t.nanos - (t.nanos % 1000));
      return;
    }
    case 'duration':
      w.uint32(tag(1, WIRE_VARINT)).int64(special.parseDuration(v, path));
      return;
    case 'quantity':
      if (typeof v !== 'string' && typeof v !== 'number') fail(path, 'a quantity', v);
      w.uint32(tag(1, WIRE_BYTES)).string(String(v));
      return;
    case 'intOrString': {
      const ios = special.intOrStringFields(v, path);
      w.uint32(tag(1, WIRE_VARINT)).int64(ios.type as number);
      w.uint32(tag(2, WIRE_VARINT)).int32((ios.intVal as number | undefined) ?? 0);
      w.uint32(tag(3, WIRE_BYTES)).string((ios.strVal as string | undefined) ?? '');
      return;
    }
    case 'fieldsV1':
    case 'rawExtension':
      w.uint32(tag(1, WIRE_BYTES)).bytes(special.valueToRawJson(v));
      return;
    default:
      throw new WireError(`${path}: kind ${f.kind} is not a special message`);
  }
}

function writeValue(w: protobuf.Writer, f: FieldSchema, n: number, v: unknown, path: string): void {
  if (f.protoType !== 'message') return writeScalar(w, f.protoType, n, v, path);
  w.uint32(tag(n, WIRE_BYTES)).fork();
  if (f.kind === 'message') {
    if (!isPlainObject(v)) fail(path, 'an object', v);
    encodeFields(messageSchema(f.message!)!, v, w, path);
  } else if (f.repeated && f.kind === 'string') {
    // A list message as a map value (extra: map[string]ExtraValue): its items, field 1.
    if (!Array.isArray(v)) fail(path, 'a list', v);
    v.forEach((s, i) => writeScalar(w, 'string', 1, s, `${path}[${i}]`));
  } else writeSpecial(w, f, v, path);
  w.ldelim();
}

/** Writes the fields of `obj` as message `schema` into `w`. */
export function encodeFields(schema: MessageSchema, obj: Record<string, unknown>, w: protobuf.Writer, path: string, skip?: ReadonlySet<string>): void {
  const keys = schema.jsonFields;
  for (const key of Object.keys(obj)) {
    if (!keys.has(key) && !skip?.has(key) && obj[key] !== undefined) {
      throw new WireError(`${path ? `${path}.` : ''}${key}: not a field of ${schema.name}`);
    }
  }
  for (const f of fieldsInOrder(schema)) {
    if (f.kind === 'message' && f.inline) {
      writeValue(w, f, f.number, inlinePart(f, obj), path);
      continue;
    }
    const v = obj[f.name];
    if (v === undefined || v === null) continue;
    const fpath = path ? `${path}.${f.name}` : f.name;
    if (f.map) {
      if (!isPlainObject(v)) fail(fpath, 'an object', v);
      const valueField = singular(f);
      for (const k of Object.keys(v).sort()) {
        w.uint32(tag(f.number, WIRE_BYTES)).fork();
        w.uint32(tag(1, WIRE_BYTES)).string(k);
        if (v[k] !== null && v[k] !== undefined) writeValue(w, valueField, 2, v[k], `${fpath}[${JSON.stringify(k)}]`);
        w.ldelim();
      }
    } else if (f.repeated && f.protoType === 'message' && f.kind === 'string') {
      if (!Array.isArray(v)) fail(fpath, 'a list', v);
      w.uint32(tag(f.number, WIRE_BYTES)).fork();
      v.forEach((s, i) => writeScalar(w, 'string', 1, s, `${fpath}[${i}]`));
      w.ldelim();
    } else if (f.repeated) {
      if (!Array.isArray(v)) fail(fpath, 'a list', v);
      const single = singular(f);
      v.forEach((x, i) => writeValue(w, single, f.number, x, `${fpath}[${i}]`));
    } else writeValue(w, f, f.number, v, fpath);
  }
}

export function encodeMessage(schema: MessageSchema, obj: Record<string, unknown>, skip?: ReadonlySet<string>): Uint8Array {
  const w = protobuf.Writer.create();
  encodeFields(schema, obj, w, '', skip);
  return w.finish();
}
