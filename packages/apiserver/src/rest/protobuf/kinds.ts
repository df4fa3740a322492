// Which proto message a protobuf body holds, from the apiVersion and kind of its envelope.
// The option types of meta/v1 are registered in every group version (client-go sends
// `v1, Kind=DeleteOptions` for a core delete, `apps/v1, Kind=DeleteOptions` for a
// deployment), so they are found by kind alone.
import { kindSchema, messageSchema, metaSchema, type MessageSchema } from '@k8ts/api';

const META_KINDS = new Set(['DeleteOptions', 'CreateOptions', 'PatchOptions', 'UpdateOptions', 'GetOptions', 'ListOptions', 'Status', 'WatchEvent', 'List']);

export const SPECIAL_MESSAGE_NAMES = {
  time: 'k8s.io.apimachinery.pkg.apis.meta.v1.Time',
  microTime: 'k8s.io.apimachinery.pkg.apis.meta.v1.MicroTime',
  duration: 'k8s.io.apimachinery.pkg.apis.meta.v1.Duration',
  fieldsV1: 'k8s.io.apimachinery.pkg.apis.meta.v1.FieldsV1',
  quantity: 'k8s.io.apimachinery.pkg.api.resource.Quantity',
  intOrString: 'k8s.io.apimachinery.pkg.util.intstr.IntOrString',
  rawExtension: 'k8s.io.apimachinery.pkg.runtime.RawExtension',
  verbs: 'k8s.io.apimachinery.pkg.apis.meta.v1.Verbs',
} as const;

export function splitApiVersion(apiVersion: string): { group: string; version: string } {
  const i = apiVersion.indexOf('/');
  return i < 0 ? { group: '', version: apiVersion } : { group: apiVersion.slice(0, i), version: apiVersion.slice(i + 1) };
}

/** The schema of `apiVersion`/`kind`, or undefined when upstream has no such proto message. */
export function schemaForKind(apiVersion: string, kind: string): MessageSchema | undefined {
  if (!/^[A-Za-z][A-Za-z0-9]*$/.test(kind) || !/^([a-z0-9.-]+\/)?v[0-9a-z]+$/.test(apiVersion)) return undefined;
  if (META_KINDS.has(kind)) return metaSchema(kind);
  const { group, version } = splitApiVersion(apiVersion);
  const schema = kindSchema(group, version, kind);
  // Only top-level kinds, those with metadata (or a List), are bodies.
  if (!schema || !(schema.fields.has('metadata') || kind.endsWith('List'))) return undefined;
  return schema;
}

export function specialSchema(name: string): MessageSchema {
  const s = messageSchema(name);
  if (!s) throw new Error(`protobuf: no descriptor for ${name}`);
  return s;
}
