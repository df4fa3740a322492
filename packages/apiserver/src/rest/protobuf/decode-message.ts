// One proto message off the wire into the JSON shape Go's encoding/json would give it, by
// the upstream descriptors. A field number the message does not have, a wire type that does
// not fit its field, an int64 beyond 2^53 or malformed data is a WireError (a 400 upstream).
import type { FieldSchema, MessageSchema } from '@k8ts/api';
import { messageSchema } from '@k8ts/api';
import { WireError, WireReader, WIRE_BYTES, WIRE_FIXED32, WIRE_FIXED64, WIRE_VARINT } from './wire.js';
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
      return r.bytes().toString('base64');
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

/** A sub-reader over the next length-delimited value. */
function subReader(r: WireReader): WireReader {
  const len = r.uvarint();
  const start = r.pos;
  if (len > r.end - start) throw new WireError(`length ${len} runs past the end of the data`);
  r.pos = start + len;
  return new WireReader(r.buf, start, start + len);
}

/** A special apimachinery message read into its JSON value (undefined: unset). */
function readSpecial(f: FieldSchema, r: WireReader, depth: number): unknown {
  const kind = f.kind as keyof typeof SPECIAL_MESSAGE_NAMES;
  const raw = decodeFields(specialSchema(SPECIAL_MESSAGE_NAMES[kind]), subReader(r), depth + 1, true);
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
      return special.rawJsonToValue(rawBytes(raw.Raw), 'FieldsV1');
    case 'rawExtension': {
      const bytes = rawBytes(raw.raw);
      if (bytes && bytes.length >= 4 && bytes[0] === 0x6b && bytes[1] === 0x38 && bytes[2] === 0x73 && bytes[3] === 0) return embeddedObject(bytes, depth + 1);
      return special.rawJsonToValue(bytes, 'RawExtension');
    }
    default:
      throw new WireError(`kind ${kind} is not a special message`);
  }
}

function rawBytes(b64: unknown): Uint8Array | undefined {
  return typeof b64 === 'string' ? Buffer.from(b64, 'base64') : undefined;
}

/** One value of field `f` (an element, when it is repeated; a map value; or the value). */
function readValue(owner: MessageSchema, f: FieldSchema, wireType: number, r: WireReader, depth: number): unknown {
  if (wireType !== WIRE_OF[f.protoType]) {
    throw new WireError(`wire type ${wireType} does not fit field ${f.name} (${f.number}, ${f.protoType}) of ${owner.name}`);
  }
  if (f.protoType !== 'message') return readScalar(f.protoType, r);
  if (f.kind === 'message') return decodeFields(subSchema(f), subReader(r), depth + 1, false);
  // metav1.Verbs: a message around the list in proto, the list itself in JSON.
  if (f.repeated && f.kind === 'string') return decodeFields(specialSchema(SPECIAL_MESSAGE_NAMES.verbs), subReader(r), depth + 1, true).items ?? [];
  return readSpecial(f, r, depth);
}

const subSchemas = new WeakMap<FieldSchema, MessageSchema>();

function subSchema(f: FieldSchema): MessageSchema {
  let s = subSchemas.get(f);
  if (!s) {
    s = messageSchema(f.message!)!;
    subSchemas.set(f, s);
  }
  return s;
}

const singles = new WeakMap<FieldSchema, FieldSchema>();

/** A map or list field as the field of one of its values (a map's value may be a list: user.Info's extra). */
export function singular(f: FieldSchema): FieldSchema {
  let s = singles.get(f);
  if (!s) {
    s = { ...f, map: false, repeated: f.map && f.repeated };
    singles.set(f, s);
  }
  return s;
}

function readMapEntry(owner: MessageSchema, f: FieldSchema, r: WireReader, depth: number, into: Record<string, unknown>): void {
  const er = subReader(r);
  let key = '';
  let value: unknown;
  const valueField = singular(f);
  try {
    while (!er.done()) {
      const t = er.tag();
      const number = t >>> 3;
      const wireType = t & 7;
      if (number === 1 && wireType === WIRE_BYTES) key = er.string();
      else if (number === 2) value = readValue(owner, valueField, wireType, er, depth);
      else throw new WireError(`field number ${number} (wire type ${wireType}) is not a field of a map entry of ${owner.name}.${f.name}`);
    }
  } catch (e) {
    if (e instanceof WireError) e.path.unshift(`[${JSON.stringify(key)}]`);
    throw e;
  }
  // defineProperty: a key "__proto__" (a valid ConfigMap key) is an own key, as JSON.parse makes it.
  Object.defineProperty(into, key, { value: value === undefined ? zeroOf(valueField) : value, enumerable: true, writable: true, configurable: true });
}

function zeroOf(f: FieldSchema): unknown {
  if (f.repeated) return [];
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

/** What decodeFields needs to know of each field, worked out once per message. */
interface FieldPlan {
  f: FieldSchema;
  keepZero: boolean;
  inline: boolean;
  list: boolean;
  packable: boolean;
}
const plans = new WeakMap<MessageSchema, Map<number, FieldPlan>>();
const PACKABLE = new Set(['bool', 'int32', 'int64', 'uint32', 'uint64', 'sint32', 'sint64', 'double', 'float']);

function planOf(schema: MessageSchema): Map<number, FieldPlan> {
  let plan = plans.get(schema);
  if (!plan) {
    plan = new Map();
    for (const f of schema.fields.values()) {
      plan.set(f.number, {
        f,
        keepZero: f.keepZero === true,
        inline: f.kind === 'message' && f.inline === true,
        list: f.repeated && !f.map && !(f.protoType === 'message' && f.kind === 'string'),
        packable: PACKABLE.has(f.protoType),
      });
    }
    plans.set(schema, plan);
  }
  return plan;
}

/**
 * The fields of one message. `raw` keeps every value as read (special messages' own
 * fields); otherwise Go's unset zeros are dropped (see zero-values.ts). Where an error
 * happened is added to it on the way out, so no path is built while all goes well.
 */
export function decodeFields(schema: MessageSchema, r: WireReader, depth: number, raw: boolean): Record<string, unknown> {
  if (depth > MAX_DEPTH) throw new WireError(`nested more than ${MAX_DEPTH} levels deep`);
  const out: Record<string, unknown> = {};
  const plan = planOf(schema);
  let p: FieldPlan | undefined;
  try {
    while (!r.done()) {
      const t = r.tag();
      const wireType = t & 7;
      p = plan.get(t >>> 3);
      if (!p) throw new WireError(`field number ${t >>> 3} (wire type ${wireType}) is not a field of ${schema.name}`);
      const f = p.f;
      if (f.map) {
        readMapEntry(schema, f, r, depth, (out[f.name] ??= {}) as Record<string, unknown>);
      } else if (p.list) {
        const list = (out[f.name] ??= []) as unknown[];
        if (wireType === WIRE_BYTES && p.packable) {
          const pr = subReader(r);
          while (!pr.done()) list.push(readScalar(f.protoType, pr));
        } else {
          const v = readValue(schema, f, wireType, r, depth);
          list.push(v === undefined ? null : v);
        }
      } else if (p.inline) {
        Object.assign(out, readValue(schema, f, wireType, r, depth));
      } else {
        const v = readValue(schema, f, wireType, r, depth);
        if (v === undefined || (!raw && f.protoType !== 'message' && isZero(v) && !p.keepZero)) {
          if (f.name in out) delete out[f.name]; // a later zero overrides; delete only then (it slows the object)
        }
        else if (Array.isArray(v) && Array.isArray(out[f.name])) (out[f.name] as unknown[]).push(...v);
        else out[f.name] = v;
      }
    }
  } catch (e) {
    if (e instanceof WireError && p && !p.inline) {
      const list = p.list ? (out[p.f.name] as unknown[] | undefined) : undefined;
      e.path.unshift(list ? `${p.f.name}[${list.length}]` : p.f.name);
    }
    throw e;
  }
  return out;
}
