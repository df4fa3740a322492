// The schema of every built-in type, one MessageSchema per proto message, built from the
// upstream descriptors plus the facts protobuf does not carry (list types, patch strategies,
// inline structs, descriptions), which `annotations.ts` states once, and which scalar zeros
// Go writes on purpose (`zero-values.ts`).
import protobuf from 'protobufjs';
import type { FieldSchema, MessageSchema, ValueKind } from './types.js';
import { SPECIAL_MESSAGES, LIST_MESSAGES } from './special-types.js';
import { protoRoot } from './proto-root.js';
import { fieldAnnotations } from './annotations.js';
import { keepsZero } from './zero-values.js';

const SCALARS: Record<string, ValueKind> = {
  string: 'string',
  bool: 'bool',
  int32: 'int32',
  uint32: 'int64',
  sint32: 'int32',
  int64: 'int64',
  uint64: 'int64',
  sint64: 'int64',
  double: 'double',
  float: 'double',
  bytes: 'bytes',
};

const cache = new Map<string, MessageSchema>();

function fieldOf(owner: string, f: protobuf.Field): FieldSchema {
  const map = f instanceof protobuf.MapField;
  const resolved = f.resolvedType;
  let kind: ValueKind;
  let message: string | undefined;
  let repeated = f.repeated;
  if (resolved) {
    const full = resolved.fullName.replace(/^\./, '');
    const special = SPECIAL_MESSAGES[full];
    if (special) kind = special;
    else if (LIST_MESSAGES.has(full)) {
      kind = 'string';
      repeated = true;
    } else {
      kind = 'message';
      message = full;
    }
  } else {
    kind = SCALARS[f.type];
    if (!kind) throw new Error(`schema: unknown proto type ${f.type} of ${owner}.${f.name}`);
  }
  return {
    name: f.name,
    number: f.id,
    kind,
    message,
    protoType: resolved ? 'message' : f.type,
    repeated,
    map,
    ...(keepsZero(owner, f.name) ? { keepZero: true } : {}),
    ...fieldAnnotations(owner, f.name),
  };
}

/** The schema of a proto message by its fully qualified name; undefined when there is none. */
export function messageSchema(name: string): MessageSchema | undefined {
  const hit = cache.get(name);
  if (hit) return hit;
  let type: protobuf.Type;
  try {
    type = protoRoot().lookupType(name);
  } catch {
    return undefined;
  }
  const fields = new Map<string, FieldSchema>();
  const byNumber = new Map<number, FieldSchema>();
  for (const f of type.fieldsArray) {
    const fs = fieldOf(name, f);
    fields.set(fs.name, fs);
    byNumber.set(fs.number, fs);
  }
  const schema: MessageSchema = { name, goName: name.split('.').pop()!, fields, jsonFields: jsonFieldsOf(fields), byNumber };
  cache.set(name, schema);
  return schema;
}

function jsonFieldsOf(fields: ReadonlyMap<string, FieldSchema>): Map<string, FieldSchema> {
  const out = new Map<string, FieldSchema>();
  for (const f of fields.values()) {
    if (!f.inline) out.set(f.name, f);
    else for (const [k, inner] of messageSchema(f.message!)!.jsonFields) out.set(k, inner);
  }
  return out;
}

/** The proto package of an API group and version: `apps`/`v1` → `k8s.io.api.apps.v1`. */
export function protoPackage(group: string, version: string): string {
  if (group === 'meta.k8s.io' || (group === '' && version === 'meta/v1')) return 'k8s.io.apimachinery.pkg.apis.meta.v1';
  if (group === 'metrics.k8s.io') return `k8s.io.metrics.pkg.apis.metrics.${version}`;
  const short = group === '' ? 'core' : GROUP_PACKAGES[group] ?? group.split('.')[0];
  return `k8s.io.api.${short}.${version}`;
}

const GROUP_PACKAGES: Record<string, string> = {
  'flowcontrol.apiserver.k8s.io': 'flowcontrol',
  'rbac.authorization.k8s.io': 'rbac',
};

/** The schema of a top-level kind (`apps`, `v1`, `Deployment`); undefined when upstream has none. */
export function kindSchema(group: string, version: string, kind: string): MessageSchema | undefined {
  return messageSchema(`${protoPackage(group, version)}.${kind}`);
}

/** The option and status kinds of meta/v1 (DeleteOptions, CreateOptions, Status, …). */
export function metaSchema(kind: string): MessageSchema | undefined {
  return messageSchema(`k8s.io.apimachinery.pkg.apis.meta.v1.${kind}`);
}
