// Kubernetes protobuf bodies: the magic `k8s\0`, then a runtime.Unknown {typeMeta{apiVersion,
// kind}, raw, contentEncoding, contentType} whose raw bytes are the kind's own message.
// Decoded into (and encoded from) the JSON shape the rest of the server works with.
import protobuf from 'protobufjs';
import { restError } from '../status.js';
import { decodeFields, setEmbeddedObjectDecoder } from './decode-message.js';
import { encodeFields } from './encode-message.js';
import { schemaForKind } from './kinds.js';
import { WireError, WireReader, WIRE_BYTES } from './wire.js';

const MAGIC = Buffer.from([0x6b, 0x38, 0x73, 0x00]);

interface Envelope {
  apiVersion: string;
  kind: string;
  raw: WireReader;
  contentEncoding: string;
}

function readEnvelope(buf: Uint8Array): Envelope {
  const r = new WireReader(buf, MAGIC.length);
  const env: Envelope = { apiVersion: '', kind: '', raw: new WireReader(buf, 0, 0), contentEncoding: '' };
  while (!r.done()) {
    const key = r.tag();
    const number = key >>> 3;
    const wireType = key & 7;
    if (wireType !== WIRE_BYTES) throw new WireError(`runtime.Unknown: wire type ${wireType} of field ${number}`);
    if (number === 1) {
      const [s, e] = r.delimited();
      const t = new WireReader(buf, s, e);
      while (!t.done()) {
        const f = t.tag();
        if ((f & 7) !== WIRE_BYTES || (f >>> 3 !== 1 && f >>> 3 !== 2)) throw new WireError(`runtime.TypeMeta: field number ${f >>> 3} (wire type ${f & 7}) is not a field of k8s.io.apimachinery.pkg.runtime.TypeMeta`);
        if (f >>> 3 === 1) env.apiVersion = t.string();
        else env.kind = t.string();
      }
    } else if (number === 2) {
      const [s, e] = r.delimited();
      env.raw = new WireReader(buf, s, e);
    } else if (number === 3) env.contentEncoding = r.string();
    else if (number === 4) r.string();
    else throw new WireError(`field number ${number} (wire type ${wireType}) is not a field of k8s.io.apimachinery.pkg.runtime.Unknown`);
  }
  return env;
}

function hasMagic(buf: Uint8Array): boolean {
  return buf.length >= 4 && buf[0] === 0x6b && buf[1] === 0x38 && buf[2] === 0x73 && buf[3] === 0;
}

function decodeEnvelope(buf: Uint8Array, depth: number): Record<string, unknown> {
  const env = readEnvelope(buf);
  if (env.contentEncoding) throw new WireError(`content encoding ${JSON.stringify(env.contentEncoding)} is not supported`);
  const schema = schemaForKind(env.apiVersion, env.kind);
  if (!schema) {
    throw restError(415, 'UnsupportedMediaType', `protobuf is not supported for ${env.apiVersion}, Kind=${env.kind}: send application/json`);
  }
  const obj = decodeFields(schema, env.raw, depth, false);
  return { apiVersion: env.apiVersion, kind: env.kind, ...obj };
}

setEmbeddedObjectDecoder((raw, depth) => decodeEnvelope(raw, depth));

/** A protobuf request body as its JSON object; bad data is a 400, a kind upstream has no message for a 415. */
export function decodeProtobufObject(buf: Uint8Array): Record<string, unknown> {
  if (!hasMagic(buf)) throw restError(400, 'BadRequest', 'provided data does not appear to be a protobuf message, expected prefix [107 56 115 0]');
  try {
    return decodeEnvelope(buf, 0);
  } catch (e) {
    if (e instanceof WireError) throw restError(400, 'BadRequest', `unable to decode protobuf body: ${e.describe()}`);
    if (e instanceof RangeError) throw restError(400, 'BadRequest', `unable to decode protobuf body: ${e.message}`);
    throw e;
  }
}

const TYPE_META = new Set(['apiVersion', 'kind']);

/** A JSON object (with apiVersion and kind) as a protobuf body; throws WireError when it does not fit its schema. */
export function encodeProtobufObject(obj: Record<string, unknown>): Uint8Array {
  const apiVersion = typeof obj.apiVersion === 'string' ? obj.apiVersion : '';
  const kind = typeof obj.kind === 'string' ? obj.kind : '';
  const schema = schemaForKind(apiVersion, kind);
  if (!schema) throw new WireError(`no protobuf message for ${apiVersion}, Kind=${kind}`);
  const body = protobuf.Writer.create();
  body.uint32(0x0a).fork().uint32(0x0a).string(apiVersion).uint32(0x12).string(kind).ldelim();
  body.uint32(0x12).fork();
  encodeFields(schema, obj, body, '', TYPE_META);
  body.ldelim();
  body.uint32(0x1a).string('').uint32(0x22).string('');
  return Buffer.concat([MAGIC, body.finish()]);
}
