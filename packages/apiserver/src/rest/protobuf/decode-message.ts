// One proto message off the wire into the JSON shape Go's encoding/json would give it, by
// the upstream descriptors. A field number the message does not have, a wire type that does
// not fit its field, an int64 beyond 2^53 or malformed data is a WireError (a 400 upstream).
import type { FieldSchema, MessageSchema } from '@k8ts/api';
import { messageSchema } from '@k8ts/api';
import { WireError, WireReader, WIRE_BYTES, WIRE_FIXED32, WIRE_FIXED64, WIRE_VARINT } from './wire.js';
import { keepsZero } from './zero-values.js';
import { isInline } from './inline.js';
import { SPECIAL_MESSAGE_NAMES, specialSchema } from './kinds.js';
import * as special from './special.js';

const MAX_DEPTH = 100;

/** Decodes a protobuf object embedded in a RawExtension (set by envelope.ts, which owns the magic). */
let embeddedObject: (raw: Uint8Array, depth: number) => unknown = () => {
  throw new WireError('embedded protobuf objects are not supported');
};
export function setEmbeddedObjectDecoder(fn: (raw: Uint8Array, depth: number) => unknown): void {
  embeddedObject = fn;
}

const WIRE_OF: Record<string, number> = {
  string: WIRE_BYTES,
  bytes: WIRE_BYTES,
  message: WIRE_BYTES,
  bool: WIRE_VARINT,
  int32: WIRE_VARINT,
  int64: WIRE_VARINT,
  uint32: WIRE_VARINT,
  uint64: WIRE_VARINT,
  sint32: WIRE_VARINT,
  sint64: WIRE_VARINT,
  double: WIRE_FIXED64,
  float: WIRE_FIXED32,
};

function readScalar(protoType: string, r: WireReader): unknown {
  switch (protoType) {
    case 'string':
      return r.string();
    case 'bytes':
      return Buffer.from(r.bytes()).toString('base64');
    case 'bool':
      return r.bool();
    case 'int32':
      return r.int32();
    case 'int64':
      return r.int64();
    case 'uint32':
      return r.uint32();
    case 'uint64':
      return r.uvarint();
    case 'sint32':
    case 'sint64':
      return r.sint64();
    case 'double':
      return r.double();
    case 'float':
      return r.float();
    default:
      throw new WireError(`proto type ${protoType} is not supported`);
  }
}

function isZero(v: unknown): boolean {
  return v === 0 || v === '' || v === false;
}

/** A special apimachinery message read into its JSON value (undefined: unset). */
function readSpecial(f: FieldSchema, r: WireReader, path: string, depth: number): unknown {
  const [s, e] = r.delimited();
  const kind = f.kind as Exclude<FieldSchema['kind'], 'message' | 'string' | 'bool' | 'int32' | 'int64' | 'double' | 'bytes'>;
  const name = SPECIAL_MESSAGE_NAMES[kind];
  const raw = decodeFields(specialSchema(name), new WireReader(r.buf, s, e), path, depth + 1, true);
  switch (kind) {
    case 'time':
      return special.timeToJson(raw);
    case 'microTime':
      return special.microTimeToJson(raw);
    case 'duration':
      return special.durationToJson(raw);
    case 'quantity':
      return special.quantityToJson(raw);
    case 'intOrString':
      return special.intOrStringToJson(raw);
    case 'fieldsV1':
      return special.rawJsonToValue(rawBytes(raw.Raw), `${path}: FieldsV1`);
    case 'rawExtension': {
      const bytes = rawBytes(raw.raw);
      if (bytes && bytes.length >= 4 && bytes[0] === 0x6b && bytes[1] === 0x38 && bytes[2] === 0x73 && bytes[3] === 0) return embeddedObject(bytes, depth + 1);
      return special.rawJsonToValue(bytes, `${path}: RawExtension`);
    }
  }
}

function rawBytes(b64: unknown): Uint8Array | undefined {
  return typeof b64 === 'string' ? Buffer.from(b64, 'base64') : undefined;
}

/** One value of field `f` (an element, when it is repeated; a map value; or the value). */
function readValue(owner: MessageSchema, f: FieldSchema, wireType: number, r: WireReader, path: string, depth: number): unknown {
  const expected = WIRE_OF[f.protoType];
  if (wireType !== expected) {
    throw new WireError(`${path}: wire type ${wireType} does not fit field ${f.name} (${f.number}, ${f.protoType}) of ${owner.name}`);
  }
  if (f.protoType !== 'message') return readScalar(f.protoType, r);
  if (f.kind === 'message') {
    const [s, e] = r.delimited();
    return decodeFields(messageSchema(f.message!)!, new WireReader(r.buf, s, e), path, depth + 1, false);
  }
  if (f.repeated && f.kind === 'string') {
    // metav1.Verbs: a message around the list in proto, the list itself in JSON.
    const [s, e] = r.delimited();
    return decodeFields(specialSchema(SPECIAL_MESSAGE_NAMES.verbs), new WireReader(r.buf, s, e), path, depth + 1, true).items ?? [];
  }
  return readSpecial(f, r, path, depth);
}

function readMapEntry(owner: MessageSchema, f: FieldSchema, r: WireReader, path: string, depth: number): [string, unknown] {
  const [s, e] = r.delimited();
  const er = new WireReader(r.buf, s, e);
  let key = '';
  let value: unknown;
  const valueField: FieldSchema = { ...f, map: false, repeated: false };
  while (!er.done()) {
    const { number, wireType } = er.tag();
    if (number === 1 && wireType === WIRE_BYTES) key = er.string();
    else if (number === 2) value = readValue(owner, valueField, wireType, er, `${path}[${JSON.stringify(key)}]`, depth);
    else throw new WireError(`${path}: field number ${number} (wire type ${wireType}) is not a field of a map entry of ${owner.name}.${f.name}`);
  }
  if (value === undefined) value = zeroOf(valueField);
  return [key, value];
}

function zeroOf(f: FieldSchema): unknown {
  switch (f.kind) {
    case 'message':
      return {};
    case 'quantity':
      return '0';
    case 'intOrString':
    case 'int32':
    case 'int64':
    case 'double':
      return 0;
    case 'string':
    case 'bytes':
      return '';
    case 'bool':
      return false;
    default:
      return null;
  }
}

const PACKABLE = new Set(['bool', 'int32', 'int64', 'uint32', 'uint64', 'sint32', 'sint64', 'double', 'float']);

/**
 * The fields of one message. `raw` keeps every value as read (special messages' own
 * fields); otherwise Go's unset zeros are dropped (see zero-values.ts).
 */
export function decodeFields(schema: MessageSchema, r: WireReader, path: string, depth: number, raw: boolean): Record<string, unknown> {
  if (depth > MAX_DEPTH) throw new WireError(`${path}: nested more than ${MAX_DEPTH} levels deep`);
  const out: Record<string, unknown> = {};
  while (!r.done()) {
    const { number, wireType } = r.tag();
    const f = schema.byNumber.get(number);
    if (!f) throw new WireError(`${path || schema.goName}: field number ${number} (wire type ${wireType}) is not a field of ${schema.name}`);
    const fpath = path ? `${path}.${f.name}` : f.name;
    if (f.map) {
      const [k, v] = readMapEntry(schema, f, r, fpath, depth);
      // defineProperty: a key "__proto__" (a valid ConfigMap key) is an own key, as JSON.parse makes it.
      Object.defineProperty((out[f.name] ??= {}) as Record<string, unknown>, k, { value: v, enumerable: true, writable: true, configurable: true });
      continue;
    }
    if (f.repeated && !(f.protoType === 'message' && f.kind === 'string')) {
      const list = (out[f.name] ??= []) as unknown[];
      if (wireType === WIRE_BYTES && PACKABLE.has(f.protoType)) {
        const [s, e] = r.delimited();
        const pr = new WireReader(r.buf, s, e);
        while (!pr.done()) list.push(readScalar(f.protoType, pr));
      } else {
        const v = readValue(schema, f, wireType, r, `${fpath}[${list.length}]`, depth);
        list.push(v === undefined ? null : v);
      }
      continue;
    }
    if (f.kind === 'message' && isInline(schema.name, f.name)) {
      Object.assign(out, readValue(schema, f, wireType, r, path, depth));
      continue;
    }
    const v = readValue(schema, f, wireType, r, fpath, depth);
    if (v === undefined || (!raw && f.protoType !== 'message' && isZero(v) && !keepsZero(schema.name, f.name))) delete out[f.name];
    else if (Array.isArray(v) && Array.isArray(out[f.name])) (out[f.name] as unknown[]).push(...v);
    else out[f.name] = v;
  }
  return out;
}
