// Every object a client writes is decoded against its kind's schema before the registry
// reads it (create, update, status update, and each patch once applied): wrong types are a
// 400, unknown and duplicate fields follow the request's fieldValidation, warnings go back
// to the caller through WriteOpts.warnings.
import { decodeCustomObject, decodeObject, kindSchema, metaSchema, type KubeObject, type MessageSchema, type ResourceInfo } from '@k8ts/api';
import type { WriteOpts } from './types.js';
import { badRequest, toApiError } from './errors.js';

const schemas = new Map<string, MessageSchema | undefined>();

function schemaOf(info: ResourceInfo): MessageSchema | undefined {
  if (!schemas.has(info.resource)) schemas.set(info.resource, kindSchema(info.group, info.version, info.kind));
  return schemas.get(info.resource);
}

/** Checks `obj` in place (dropping unknown fields unless Strict); throws a 400 Status. */
export function decodeWrite(info: ResourceInfo, obj: unknown, opts: WriteOpts, duplicates?: readonly string[]): KubeObject {
  if (info.custom) return decodeCustom(info, obj, opts, duplicates);
  return decodeAs(schemaOf(info), info, obj, opts, duplicates);
}

/** The bodies of the object subresources POSTed to: pods/binding and pods/eviction. */
const SUBRESOURCE_KINDS: Record<string, [group: string, version: string, kind: string]> = {
  binding: ['', 'v1', 'Binding'],
  eviction: ['policy', 'v1', 'Eviction'],
};

/** decodeWrite for a subresource's body (status and finalize bodies are the object itself). */
export function decodeSubresourceWrite(info: ResourceInfo, subresource: string, obj: unknown, opts: WriteOpts): KubeObject {
  const kind = SUBRESOURCE_KINDS[subresource];
  if (!kind) return obj as KubeObject;
  return decodeAs(kindSchema(...kind), { ...info, version: kind[1] }, obj, opts);
}

/** A custom object: ObjectMeta decoded, the rest pruned to its version's schema. */
function decodeCustom(info: ResourceInfo, obj: unknown, opts: WriteOpts, duplicates?: readonly string[]): KubeObject {
  try {
    const { object, warnings } = decodeCustomObject(info, obj, { fieldValidation: opts.fieldValidation, duplicates: duplicates ?? opts.duplicateFields });
    if (warnings.length) opts.warnings?.push(...warnings);
    return object;
  } catch (err) {
    throw toApiError(err);
  }
}

function decodeAs(schema: MessageSchema | undefined, info: ResourceInfo, obj: unknown, opts: WriteOpts, duplicates?: readonly string[]): KubeObject {
  if (!schema) return obj as KubeObject;
  try {
    const { object, warnings } = decodeObject<KubeObject>(schema, obj, {
      fieldValidation: opts.fieldValidation,
      duplicates: duplicates ?? opts.duplicateFields,
      version: info.version,
    });
    if (warnings.length) opts.warnings?.push(...warnings);
    return object;
  } catch (err) {
    throw toApiError(err);
  }
}

/**
 * A DeleteOptions body (REST and gRPC), checked as Go decodes it (wrong types: 400; unknown
 * fields dropped), then as kube-apiserver validates it: its kind, and dryRun values.
 */
export function decodeDeleteOptions<T extends object>(body: T): T {
  let object: T;
  try {
    object = decodeObject<T>(metaSchema('DeleteOptions')!, body, { fieldValidation: 'Ignore', version: 'v1' }).object;
  } catch (err) {
    throw toApiError(err);
  }
  const o = object as { kind?: unknown; dryRun?: unknown[] };
  if (o.kind !== undefined && o.kind !== 'DeleteOptions') throw badRequest(`expected DeleteOptions, got ${String(o.kind)}`);
  for (const v of o.dryRun ?? []) if (v !== 'All') throw badRequest(`Invalid dryRun value: ${String(v)}`);
  return object;
}
