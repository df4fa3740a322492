// A custom object's body decoded as kube-apiserver's unstructured decoder does it: it must
// be a JSON object with string apiVersion and kind; metadata is decoded as ObjectMeta (wrong
// types a 400); then every field the schema does not specify is pruned, and fieldValidation
// says what the client hears of it (Warn: `unknown field "spec.x"`, Strict: a 400).
import { decodeObject, type FieldValidation } from '../decode/decode.js';
import { DecodeError, cannotBeHandled } from '../decode/errors.js';
import { metaSchema } from '../schema/schema.js';
import type { ResourceInfo } from '../resources.js';
import type { KubeObject } from '../types.js';
import { prune } from './prune.js';

export interface CustomDecodeOptions {
  fieldValidation?: FieldValidation;
  duplicates?: readonly string[];
}

function typeName(v: unknown): string {
  return v === null ? 'null' : Array.isArray(v) ? 'array' : typeof v === 'object' ? 'object' : typeof v === 'boolean' ? 'bool' : typeof v;
}

export function decodeCustomObject(info: ResourceInfo, value: unknown, opts: CustomDecodeOptions = {}): { object: KubeObject; warnings: string[] } {
  const fail = (why: string, field?: string): DecodeError => new DecodeError(cannotBeHandled(info.kind, info.version, why), field ? [{ reason: 'FieldValueInvalid', message: why, field }] : []);
  if (!value || typeof value !== 'object' || Array.isArray(value)) throw fail(`json: cannot unmarshal ${typeName(value)} into Go value of type unstructured.Unstructured`);
  const o = value as Record<string, unknown>;
  for (const k of ['apiVersion', 'kind']) {
    if (o[k] === null) delete o[k];
    else if (o[k] !== undefined && typeof o[k] !== 'string') throw fail(`json: cannot unmarshal ${typeName(o[k])} into Go struct field .${k} of type string`, k);
  }
  const warnings: string[] = [];
  const mode = opts.fieldValidation ?? 'Warn';
  const unknown: string[] = [];
  if (o.metadata === null) delete o.metadata;
  if (o.metadata !== undefined) {
    try {
      const decoded = decodeObject(metaSchema('ObjectMeta')!, o.metadata, { fieldValidation: 'Warn', version: info.version });
      unknown.push(...decoded.warnings.filter((w) => w.startsWith('unknown field ')).map((w) => `metadata.${JSON.parse(w.slice('unknown field '.length)) as string}`));
    } catch (err) {
      const msg = (err as Error).message.replace(/^ObjectMeta in version "[^"]*" cannot be handled as a ObjectMeta: /, '');
      throw fail(msg.replace(/Go struct field ObjectMeta\./g, 'Go struct field ObjectMeta.metadata.'), 'metadata');
    }
  }
  if (info.custom?.schema) unknown.push(...prune(o, info.custom.schema));
  const found = [...(opts.duplicates ?? []).map((p) => `duplicate field ${JSON.stringify(p)}`), ...unknown.map((p) => `unknown field ${JSON.stringify(p)}`)];
  if (found.length && mode === 'Strict') {
    throw new DecodeError(cannotBeHandled(info.kind, info.version, `strict decoding error: ${found.join(', ')}`), found.map((m) => ({ reason: m.startsWith('duplicate') ? 'FieldValueDuplicate' : 'FieldValueInvalid', message: m, field: JSON.parse(m.slice(m.indexOf('"'))) as string })));
  }
  if (mode === 'Warn') warnings.push(...found);
  return { object: o as KubeObject, warnings };
}
